package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Drops a tenant: its schema, its registry row and its own role, in one transaction. */
final class TenantDeletion {

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);

    private final Database database;
    private final TenantRegistry registry;

    TenantDeletion(Database database, TenantRegistry registry) {
        this.database = database;
        this.registry = registry;
    }

    /** See {@link TenantProvisioning#drop(String, String)}; {@code schema} is the tenant's checked schema. */
    TenantDrop drop(String tenant, SchemaName schema, String confirmation) {
        if (!tenant.equals(confirmation)) {
            throw new DropNotConfirmedException(tenant, schema.value());
        }
        TenantInfo info = registry.find(tenant).orElseThrow(() -> new UnknownTenantException(tenant, schema.value()));
        if (!info.schema().equals(schema.value())) {
            throw new TenantryException("Tenant '" + tenant + "' is registered with schema \"" + info.schema()
                    + "\", not " + schema.quoted() + "; refusing to drop");
        }
        try (Connection connection = database.admin().getConnection()) {
            connection.setAutoCommit(false);
            try {
                SchemaMigrator.lockUntilCommit(connection, schema);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("DROP SCHEMA IF EXISTS " + schema.quoted() + " CASCADE");
                }
                registry.remove(connection, tenant);
                TenantDrop dropped = dropTenantRole(connection, tenant, schema);
                connection.commit();
                if (dropped.roleDropped()) {
                    LOG.info("Dropped tenant '{}', its schema {} and its role {}", tenant, schema.quoted(), dropped.role());
                } else if (dropped.role() != null) {
                    LOG.warn("Dropped tenant '{}' and its schema {}; kept its role {}: {}", tenant, schema.quoted(),
                            dropped.role(), dropped.roleKeptBecause());
                } else {
                    LOG.info("Dropped tenant '{}' and its schema {}", tenant, schema.quoted());
                }
                return dropped;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new TenantryException("Dropping tenant '" + tenant + "' (schema " + schema.quoted() + ") failed and was"
                    + " rolled back: " + e.getMessage(), e);
        }
    }

    /**
     * Drops the tenant's own role, if the server has one, after its schema: in a savepoint, so that a role the
     * server will not drop is kept without undoing the rest.
     */
    private static TenantDrop dropTenantRole(Connection connection, String tenant, SchemaName schema) throws SQLException {
        String role = TenantRoles.existingRole(connection, schema);
        if (role == null) {
            return new TenantDrop(tenant, schema, null, null);
        }
        Savepoint beforeRole = connection.setSavepoint();
        try (Statement statement = connection.createStatement()) {
            statement.execute("DROP ROLE " + role);
            connection.releaseSavepoint(beforeRole);
            return new TenantDrop(tenant, schema, role, null);
        } catch (SQLException e) {
            connection.rollback(beforeRole);
            return new TenantDrop(tenant, schema, role, e.getMessage());
        }
    }
}
