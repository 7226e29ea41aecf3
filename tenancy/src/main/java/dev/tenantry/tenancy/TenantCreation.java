package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates tenants: by running every migration in a new schema, or by copying the migrated template schema, one or
 * many at a time; and prepares the schema a per-deployment process is pinned to. A tenant that exists already is
 * migrated instead, so creating is idempotent.
 *
 * <p>A copy of the template and the tenant's ready row in the registry are one transaction, so a new tenant costs
 * one commit, and either exists and is ready or does not exist at all. A run over many tenants keeps one admin
 * connection per worker for all its tenants.
 */
final class TenantCreation {

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);

    private final Database database;
    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final TemplateSchema template;
    private final SchemaCloner cloner;
    private final TenantChanges changes;
    private final SchemaGrants grants;
    private final int retries;

    TenantCreation(Database database, SchemaMigrator migrator, TenantRegistry registry, TemplateSchema template,
                   SchemaCloner cloner, TenantChanges changes, SchemaGrants grants, int retries) {
        this.database = database;
        this.migrator = migrator;
        this.registry = registry;
        this.template = template;
        this.cloner = cloner;
        this.changes = changes;
        this.grants = grants;
        this.retries = retries;
    }

    /** See {@link TenantProvisioning#provision(String)}. */
    MigrationResult provision(String tenant, SchemaName schema) {
        registry.install();
        registry.markProvisioning(tenant, schema);
        MigrationResult result = changes.runRetrying(tenant, retries, migrator.lockTimeout(),
                () -> migrator.provision(tenant, schema));
        if (result.schemaCreated()) {
            LOG.info("Provisioned tenant '{}' in schema {} at version {}", tenant, schema.quoted(), result.targetVersion());
        }
        return result;
    }

    /** See {@link TenantProvisioning#provisionFromTemplate(String)}. */
    MigrationResult fromTemplate(String tenant, SchemaName schema) {
        try (Copier copier = new Copier()) {
            return copier.create(tenant, schema);
        }
    }

    /** See {@link TenantProvisioning#provision(List, ProvisionOptions, Consumer)}; every id was checked. */
    List<TenantResult<MigrationResult>> many(List<String> tenants, List<SchemaName> schemas, ProvisionOptions options,
                                             Consumer<TenantResult<MigrationResult>> progress) {
        registry.install();
        if (options.fromTemplate()) {
            template.prepare();
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < tenants.size(); i++) {
            order.add(i);
        }
        List<TenantResult<MigrationResult>> results = new ArrayList<>();
        TenantWorkers.forEach(order, options.parallelism(), "create", () -> {
            Copier copier = options.fromTemplate() ? new Copier() : null;
            return new TenantWorkers.Worker<Integer>() {
                @Override
                public void accept(Integer index) {
                    String tenant = tenants.get(index);
                    TenantResult<MigrationResult> result;
                    try {
                        MigrationResult created = copier != null ? copier.create(tenant, schemas.get(index))
                                : provision(tenant, schemas.get(index));
                        if (options.owner() != null) {
                            grants.grant(tenant, options.owner(), true);
                        }
                        for (String role : options.grants()) {
                            grants.grant(tenant, role, false);
                        }
                        result = new TenantResult<>(tenant, created, null);
                    } catch (TenantryException e) {
                        result = new TenantResult<>(tenant, null, e);
                    }
                    synchronized (results) {
                        results.add(result);
                        progress.accept(result);
                    }
                }

                @Override
                public void close() {
                    if (copier != null) {
                        copier.close();
                    }
                }
            };
        });
        return results;
    }

    /** Migrates {@code public} for a per-deployment process pinned to it; {@code public} is never created. */
    MigrationResult publicSchema() {
        return TenantChanges.retryingLockTimeouts("Schema public", retries, migrator.lockTimeout(),
                () -> migrator.provision(null, SchemaName.PUBLIC));
    }

    /**
     * Copies the template into new tenants' schemas over one admin connection, opened on first need and kept until
     * closed (reopened after a failure, which may have broken it).
     */
    private final class Copier implements AutoCloseable {

        private Connection connection;

        MigrationResult create(String tenant, SchemaName schema) {
            String version = template.prepare();
            registry.install();
            if (!registry.schemaExists(schema)) {
                try {
                    return copy(tenant, schema, version);
                } catch (TenantryException e) {
                    if (!registry.schemaExists(schema)) {
                        registry.markProvisioning(tenant, schema);
                        registry.markFailed(tenant, e.getMessage());
                        throw e;
                    }
                    // created meanwhile by a concurrent call: migrate it below, as for an existing schema
                }
            }
            registry.markProvisioning(tenant, schema);
            return changes.runRetrying(tenant, retries, migrator.lockTimeout(), () -> migrator.provision(tenant, schema));
        }

        private MigrationResult copy(String tenant, SchemaName schema, String version) {
            try {
                if (connection == null) {
                    connection = database.admin().getConnection();
                    connection.setAutoCommit(false);
                }
                try {
                    cloner.copy(connection, template.schema(), schema, SchemaCloner.Rows.HISTORY_ONLY);
                    changes.prepare(connection, schema);
                    registry.registerReady(connection, tenant, schema, version);
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    rollbackAndForget();
                    throw e;
                }
            } catch (SQLException e) {
                throw new TenantryException("Creating tenant '" + tenant + "' (schema " + schema.quoted() + ") from the"
                        + " template failed and was rolled back: " + e.getMessage(), e);
            }
            LOG.info("Provisioned tenant '{}' in schema {} from the template at version {}", tenant, schema.quoted(), version);
            return new MigrationResult(schema, null, version, 0, true);
        }

        /** After a failure the connection may be unusable; roll back what can be, and open a fresh one next time. */
        private void rollbackAndForget() {
            try {
                connection.rollback();
            } catch (SQLException ignored) {
                // closing below ends the transaction anyway
            }
            close();
        }

        @Override
        public void close() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // the server ends the session either way
                }
                connection = null;
            }
        }
    }
}
