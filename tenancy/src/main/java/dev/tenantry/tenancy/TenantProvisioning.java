package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library API over many tenant schemas: provision a tenant, list tenants, migrate one or all, and
 * read every tenant's migration version. Every tenant id is validated before any SQL runs.
 */
public final class TenantProvisioning {

    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);
    /** How many schemas one version query reads at most. */
    private static final int VERSION_BATCH = 500;

    private final Database database;
    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final TenantSchemaMapping mapping;
    private volatile boolean registryInstalled;

    TenantProvisioning(Database database, SchemaMigrator migrator, TenantRegistry registry, TenantSchemaMapping mapping) {
        this.database = database;
        this.migrator = migrator;
        this.registry = registry;
        this.mapping = mapping;
    }

    /**
     * Tenant operations without JPA, for tools such as the command line: nothing is built but what
     * provisioning needs, and nothing is written until a tenant is provisioned or migrated.
     *
     * @param migrations Flyway locations of the tenant migrations
     */
    public static TenantProvisioning open(Database database, List<String> migrations, TenantSchemaMapping mapping) {
        return new TenantProvisioning(database, new SchemaMigrator(database.admin(), migrations),
                new TenantRegistry(database, mapping), mapping);
    }

    TenantRegistry registry() {
        return registry;
    }

    /** Creates the registry in the shared schema once per process, on first need. */
    void installRegistry() {
        if (!registryInstalled) {
            synchronized (this) {
                if (!registryInstalled) {
                    registry.install();
                    registryInstalled = true;
                }
            }
        }
    }

    /**
     * Creates the tenant's schema if needed, migrates it to the latest version and marks the tenant
     * ready. Idempotent, and safe to call for the same tenant from many threads or processes at once.
     *
     * @throws dev.tenantry.core.InvalidSchemaNameException before any SQL, for a refused id
     * @throws MigrationFailedException when the schema could not be migrated; a new schema is removed again
     */
    public MigrationResult provision(String tenant) {
        SchemaName schema = checkTenant(tenant);
        installRegistry();
        registry.markProvisioning(tenant, schema);
        try {
            MigrationResult result = migrator.provision(tenant, schema);
            grantTenantRole(schema);
            registry.markReady(tenant, result.targetVersion());
            if (result.schemaCreated()) {
                LOG.info("Provisioned tenant '{}' in schema {} at version {}", tenant, schema.quoted(), result.targetVersion());
            }
            return result;
        } catch (RuntimeException e) {
            registry.markFailed(tenant, e.getMessage());
            throw e;
        }
    }

    /** Migrates one provisioned tenant to the latest version. */
    public MigrationResult migrate(String tenant) {
        SchemaName schema = registry.schemaOf(tenant);
        try {
            MigrationResult result = migrator.migrate(tenant, schema);
            grantTenantRole(schema);
            registry.markReady(tenant, result.targetVersion());
            return result;
        } catch (RuntimeException e) {
            registry.markFailed(tenant, e.getMessage());
            throw e;
        }
    }

    /** Migrates every ready tenant; see {@link #migrateAll(Consumer)}. */
    public MigrationReport migrateAll() {
        return migrateAll(outcome -> { });
    }

    /**
     * Migrates every ready tenant, each in its own transaction. One tenant's failure is recorded and
     * rolled back for that tenant alone; the run goes on with the rest.
     *
     * @param progress told of each tenant's outcome as it finishes
     */
    public MigrationReport migrateAll(Consumer<TenantMigration> progress) {
        List<TenantMigration> outcomes = new ArrayList<>();
        for (TenantInfo info : list()) {
            if (!info.ready()) {
                continue;
            }
            TenantMigration outcome = migrateOne(info.tenant(), info.schema());
            outcomes.add(outcome);
            progress.accept(outcome);
        }
        MigrationReport report = new MigrationReport(outcomes);
        LOG.info("Migration run finished: {}", report);
        return report;
    }

    /** Migrates the named tenants, going on past failures as {@link #migrateAll(Consumer)} does. */
    public MigrationReport migrate(List<String> tenants, Consumer<TenantMigration> progress) {
        List<TenantMigration> outcomes = new ArrayList<>();
        for (String tenant : tenants) {
            SchemaName schema;
            try {
                schema = registry.schemaOf(tenant);
            } catch (TenantryException e) {
                TenantMigration refused = new TenantMigration(tenant, e.schema(), TenantMigration.Status.FAILED,
                        null, null, 0, e.getMessage());
                outcomes.add(refused);
                progress.accept(refused);
                continue;
            }
            TenantMigration outcome = migrateOne(tenant, schema.value());
            outcomes.add(outcome);
            progress.accept(outcome);
        }
        return new MigrationReport(outcomes);
    }

    private TenantMigration migrateOne(String tenant, String schemaName) {
        try {
            MigrationResult result = migrator.migrate(tenant, SchemaName.ofTenant(schemaName));
            grantTenantRole(result.schema());
            registry.markReady(tenant, result.targetVersion());
            return new TenantMigration(tenant, schemaName,
                    result.migrationsExecuted() == 0 ? TenantMigration.Status.CURRENT : TenantMigration.Status.MIGRATED,
                    result.initialVersion(), result.targetVersion(), result.migrationsExecuted(), null);
        } catch (TenantryException e) {
            registry.markFailed(tenant, e.getMessage());
            LOG.warn("Tenant '{}' (schema \"{}\") failed to migrate: {}", tenant, schemaName, e.getMessage());
            String version = versionQuietly(schemaName);
            return new TenantMigration(tenant, schemaName, TenantMigration.Status.FAILED, version, version, 0,
                    e.getMessage());
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

    private String versionQuietly(String schemaName) {
        try {
            return migrator.currentVersion(SchemaName.of(schemaName)).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Every tenant in the registry, ready or not, in tenant order. */
    public List<TenantInfo> list() {
        return registry.list();
    }

    public Optional<TenantInfo> find(String tenant) {
        mapping.resolve(tenant);
        return registry.find(tenant);
    }

    /** The schema of a ready tenant, or {@link UnknownTenantException}. */
    public SchemaName schemaOf(String tenant) {
        return registry.schemaOf(tenant);
    }

    /**
     * Each ready tenant's current migration version, read from its own history table; {@code null}
     * for a schema without history. One query per {@value #VERSION_BATCH} tenants, not one per tenant.
     */
    public Map<String, String> versions() {
        Map<String, String> schemasByTenant = new LinkedHashMap<>();
        for (TenantInfo info : list()) {
            if (info.ready()) {
                schemasByTenant.put(info.tenant(), info.schema());
            }
        }
        Map<String, String> versionsBySchema = versionsOf(new ArrayList<>(schemasByTenant.values()));
        Map<String, String> result = new LinkedHashMap<>();
        schemasByTenant.forEach((tenant, schema) -> result.put(tenant, versionsBySchema.get(schema)));
        return result;
    }

    private Map<String, String> versionsOf(List<String> schemas) {
        Map<String, String> versions = new LinkedHashMap<>();
        try (Connection connection = database.pool().getConnection()) {
            for (int from = 0; from < schemas.size(); from += VERSION_BATCH) {
                List<String> batch = schemas.subList(from, Math.min(schemas.size(), from + VERSION_BATCH));
                Set<String> withHistory = schemasWithHistory(connection, batch);
                StringBuilder sql = new StringBuilder();
                for (String schemaName : batch) {
                    if (!withHistory.contains(schemaName)) {
                        continue;
                    }
                    SchemaName schema = SchemaName.of(schemaName);
                    if (sql.length() > 0) {
                        sql.append(" UNION ALL ");
                    }
                    sql.append("(SELECT '").append(schema.value()).append("', version FROM ").append(schema.quoted())
                            .append('.').append(SchemaMigrator.HISTORY_TABLE)
                            .append(" WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1)");
                }
                if (sql.length() == 0) {
                    continue;
                }
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery(sql.toString())) {
                    while (rows.next()) {
                        versions.put(rows.getString(1), rows.getString(2));
                    }
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the tenants' migration versions: " + e.getMessage(), e);
        }
        return versions;
    }

    private static Set<String> schemasWithHistory(Connection connection, List<String> schemas) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT schemaname FROM pg_catalog.pg_tables WHERE tablename = ? AND schemaname = ANY (?)")) {
            statement.setString(1, SchemaMigrator.HISTORY_TABLE);
            statement.setArray(2, connection.createArrayOf("text", schemas.toArray()));
            Set<String> found = new HashSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
            return found;
        }
    }

    /**
     * Maps and validates a tenant id without touching the database: refuses everything
     * {@link SchemaName#ofTenant} refuses and the shared schema, naming the tenant and schema.
     *
     * @return the schema the tenant's tables live in
     * @throws dev.tenantry.core.InvalidSchemaNameException for a refused id
     */
    public SchemaName checkTenant(String tenant) {
        SchemaName schema = mapping.resolve(tenant);
        if (schema.equals(registry.sharedSchema())) {
            throw new dev.tenantry.core.InvalidSchemaNameException(tenant, schema.value(),
                    "it is Tenantry's shared schema (TENANTRY_SHARED_SCHEMA)");
        }
        return schema;
    }

    /** Migrates the schema a per-deployment process is pinned to; {@code public} is migrated, never created. */
    MigrationResult provisionDeployment(SchemaName schema) {
        if (schema.isPublic()) {
            return migrator.provision(null, schema);
        }
        return provision(schema.value());
    }
}
