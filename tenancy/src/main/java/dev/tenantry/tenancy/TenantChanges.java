package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * Every change to a tenant's schema (creating, copying, migrating) passes through here, so that its outcome is
 * recorded the same way: on success the schema's role is granted what the change created (with tenant roles on)
 * and the tenant is marked ready at the version it reached; on failure the registry keeps why.
 */
final class TenantChanges {

    private final Database database;
    private final TenantRegistry registry;

    TenantChanges(Database database, TenantRegistry registry) {
        this.database = database;
        this.registry = registry;
    }

    /** Runs one tenant's schema change and records it: ready at the version it reached, or failed with why. */
    MigrationResult run(String tenant, Supplier<MigrationResult> change) {
        try {
            MigrationResult result = change.get();
            grantTenantRole(result.schema());
            registry.markReady(tenant, result.targetVersion());
            return result;
        } catch (RuntimeException e) {
            registry.markFailed(tenant, e.getMessage());
            throw e;
        }
    }

    /** With tenant roles on, (re)grants the schema's role, so tables added by migrations are covered too. */
    private void grantTenantRole(SchemaName schema) {
        if (!database.config().tenantRoles() || schema.isPublic()) {
            return;
        }
        try (Connection connection = database.admin().getConnection()) {
            TenantRoles.grant(connection, schema);
        } catch (SQLException e) {
            throw new TenantryException("Cannot open a connection to grant the role of schema \"" + schema + "\": "
                    + e.getMessage(), e);
        }
    }
}
