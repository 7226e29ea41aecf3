package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
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
    private final SchemaCloner cloner;
    private volatile boolean registryInstalled;
    private volatile String templateVersion;

    /** The schema new tenants are copied from by {@link #provisionFromTemplate}; never a tenant itself. */
    public static final String TEMPLATE_SCHEMA = "tenantry_template";

    TenantProvisioning(Database database, SchemaMigrator migrator, TenantRegistry registry, TenantSchemaMapping mapping) {
        this.database = database;
        this.migrator = migrator;
        this.registry = registry;
        this.mapping = mapping;
        this.cloner = new SchemaCloner(database.admin());
    }

    /**
     * Tenant operations without JPA, for tools such as the command line: nothing is built but what
     * provisioning needs, and nothing is written until a tenant is provisioned or migrated.
     *
     * @param migrations Flyway locations of the tenant migrations
     */
    public static TenantProvisioning open(Database database, List<String> migrations, TenantSchemaMapping mapping) {
        TenantSchemaMapping guarded = refusingTenantrySchemas(mapping, database.config().sharedSchema());
        return new TenantProvisioning(database, new SchemaMigrator(database.admin(), migrations),
                new TenantRegistry(database, guarded), guarded);
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
        MigrationResult result = recorded(tenant, () -> migrator.provision(tenant, schema));
        if (result.schemaCreated()) {
            LOG.info("Provisioned tenant '{}' in schema {} at version {}", tenant, schema.quoted(), result.targetVersion());
        }
        return result;
    }

    /** Runs one tenant's schema change and records it: ready at the version it reached, or failed with why. */
    private MigrationResult recorded(String tenant, java.util.function.Supplier<MigrationResult> change) {
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

    /**
     * Provisions a tenant by copying the template schema ({@value #TEMPLATE_SCHEMA}, migrated to the latest
     * version first, once per process) instead of replaying every migration: a handful of statements in one
     * transaction. The copy includes the migration history, so the tenant is recognised as migrated. A
     * tenant whose schema exists already is migrated instead, as {@link #provision} does.
     */
    public MigrationResult provisionFromTemplate(String tenant) {
        SchemaName schema = checkTenant(tenant);
        String version = prepareTemplate();
        installRegistry();
        registry.markProvisioning(tenant, schema);
        return recorded(tenant, () -> {
            if (schemaExists(schema.value())) {
                return migrator.provision(tenant, schema);
            }
            try {
                cloner.copy(SchemaName.of(TEMPLATE_SCHEMA), schema, SchemaCloner.Rows.HISTORY_ONLY);
                return new MigrationResult(schema, null, version, 0, true);
            } catch (TenantryException e) {
                if (!schemaExists(schema.value())) {
                    throw e;
                }
                return migrator.provision(tenant, schema); // created meanwhile by a concurrent call
            }
        });
    }

    /** Creates or migrates the template schema, once per process; returns its version. */
    public String prepareTemplate() {
        String version = templateVersion;
        if (version == null) {
            synchronized (this) {
                if (templateVersion == null) {
                    templateVersion = migrator.provision(null, SchemaName.of(TEMPLATE_SCHEMA)).targetVersion();
                }
                version = templateVersion;
            }
        }
        return version;
    }

    /**
     * Creates tenant {@code target} as a copy of ready tenant {@code source}: the structure and the
     * migration history, and with {@code withData} every row too, in one transaction.
     */
    public MigrationResult cloneTenant(String source, String target, boolean withData) {
        SchemaName from = registry.schemaOf(source);
        SchemaName to = checkTenant(target);
        if (registry.find(target).isPresent() || schemaExists(to.value())) {
            throw new TenantryException("Cannot clone tenant '" + source + "' into '" + target + "': schema " + to.quoted()
                    + (registry.find(target).isPresent() ? " belongs to an existing tenant" : " exists already")
                    + "; nothing was changed", null);
        }
        installRegistry();
        registry.markProvisioning(target, to);
        return recorded(target, () -> {
            cloner.copy(from, to, withData ? SchemaCloner.Rows.ALL : SchemaCloner.Rows.HISTORY_ONLY);
            return new MigrationResult(to, null, migrator.currentVersion(to).orElse(null), 0, true);
        });
    }

    /** Migrates one provisioned tenant to the latest version. */
    public MigrationResult migrate(String tenant) {
        SchemaName schema = registry.schemaOf(tenant);
        return recorded(tenant, () -> migrator.migrate(tenant, schema));
    }

    /** Migrates every ready tenant; see {@link #migrateAll(Consumer)}. */
    public MigrationReport migrateAll() {
        return migrateAll(outcome -> { });
    }

    /** Migrates every ready tenant one at a time; see {@link #migrateAll(int, Consumer)}. */
    public MigrationReport migrateAll(Consumer<TenantMigration> progress) {
        return migrateAll(1, progress);
    }

    /**
     * Migrates every ready tenant, each in its own transaction, {@code parallelism} tenants at a time.
     * Tenants already at the latest version are found with one catalog query per {@value #VERSION_BATCH}
     * tenants and skipped without running Flyway, so a run that changes nothing is fast. One tenant's
     * failure is recorded and rolled back for that tenant alone; the run goes on with the rest, and a
     * second run continues where the first stopped. Concurrent runs are safe: each schema is migrated
     * under its own advisory lock and Flyway's, so no migration is applied twice.
     *
     * @param progress told of each tenant's outcome as it finishes, from the worker threads one at a time
     */
    public MigrationReport migrateAll(int parallelism, Consumer<TenantMigration> progress) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        return migrateTenants(list().stream().filter(TenantInfo::ready).toList(), List.of(), parallelism, progress);
    }

    /**
     * Migrates the named tenants as {@link #migrateAll(int, Consumer)} does: the ones already current are
     * skipped after one catalog query, the others run {@code parallelism} at a time, and an unknown or
     * refused id fails on its own without stopping the others.
     */
    public MigrationReport migrate(List<String> tenants, int parallelism, Consumer<TenantMigration> progress) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
        List<TenantInfo> known = new ArrayList<>();
        List<TenantMigration> refused = new ArrayList<>();
        for (String tenant : new java.util.LinkedHashSet<>(tenants)) {
            try {
                SchemaName schema = registry.schemaOf(tenant);
                known.add(new TenantInfo(tenant, schema.value(), TenantInfo.READY, null, null, null, null));
            } catch (TenantryException e) {
                refused.add(new TenantMigration(tenant, e.schema(), TenantMigration.Status.FAILED, null, null, 0, e.getMessage()));
            }
        }
        return migrateTenants(known, refused, parallelism, progress);
    }

    private MigrationReport migrateTenants(List<TenantInfo> ready, List<TenantMigration> refused, int parallelism,
                                           Consumer<TenantMigration> progress) {
        Map<String, History> histories = historiesOf(ready.stream().map(TenantInfo::schema).toList());
        List<TenantMigration> outcomes = new ArrayList<>();
        Consumer<TenantMigration> record = outcome -> {
            synchronized (outcomes) {
                outcomes.add(outcome);
                progress.accept(outcome);
            }
        };
        refused.forEach(record);
        List<TenantInfo> toMigrate = new ArrayList<>();
        for (TenantInfo info : ready) {
            History history = histories.get(info.schema());
            if (history != null && history.failed() == 0 && migrator.isLatest(history.version())) {
                record.accept(new TenantMigration(info.tenant(), info.schema(), TenantMigration.Status.CURRENT,
                        history.version(), history.version(), 0, null));
            } else {
                toMigrate.add(info);
            }
        }
        runInParallel(toMigrate, parallelism, "tenantry-migrate-", info -> record.accept(migrateOne(info.tenant(), info.schema())));
        List<TenantMigration> sorted = new ArrayList<>(outcomes);
        sorted.sort(java.util.Comparator.comparing(TenantMigration::tenant));
        MigrationReport report = new MigrationReport(sorted);
        LOG.info("Migration run finished: {}", report);
        return report;
    }

    /** Runs {@code work} on each item, {@code parallelism} at a time on daemon threads named {@code threadName} + n. */
    static <T> void runInParallel(List<T> items, int parallelism, String threadName, Consumer<T> work) {
        if (items.isEmpty()) {
            return;
        }
        if (parallelism == 1 || items.size() == 1) {
            items.forEach(work);
            return;
        }
        java.util.concurrent.atomic.AtomicInteger threadNumber = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService workers = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(parallelism, items.size()), runnable -> {
                    Thread thread = new Thread(runnable, threadName + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        try {
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(workers.submit(() -> work.accept(item)));
            }
            for (java.util.concurrent.Future<?> future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TenantryException("Interrupted while migrating tenants", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new TenantryException("A tenant migration worker failed: " + e.getCause(), e.getCause());
        } finally {
            workers.shutdownNow();
        }
    }

    /** Migrates the named tenants one at a time; see {@link #migrate(List, int, Consumer)}. */
    public MigrationReport migrate(List<String> tenants, Consumer<TenantMigration> progress) {
        return migrate(tenants, 1, progress);
    }

    private TenantMigration migrateOne(String tenant, String schemaName) {
        org.slf4j.MDC.put(Tenants.MDC_TENANT, tenant);
        org.slf4j.MDC.put(Tenants.MDC_SCHEMA, schemaName);
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
        } finally {
            org.slf4j.MDC.remove(Tenants.MDC_TENANT);
            org.slf4j.MDC.remove(Tenants.MDC_SCHEMA);
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

    /**
     * Drops a tenant: its schema with everything in it, and its registry row, in one transaction, with the
     * tenant's own role ({@link TenantRoles}) when the server has one for the schema, whether or not tenant
     * roles are on now. A role the server will not drop (other objects depend on it, or the login role may not
     * drop roles) is kept, and the result says why; the schema and the registry row are dropped all the same.
     *
     * @param confirmation must repeat the tenant id, a guard against dropping the wrong tenant
     * @return what was dropped, and whether the tenant's role went too
     * @throws dev.tenantry.core.InvalidSchemaNameException for {@code public}, the shared schema or an invalid id
     * @throws UnknownTenantException when the registry has no such tenant
     */
    public TenantDrop drop(String tenant, String confirmation) {
        SchemaName schema = checkTenant(tenant);
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

    /**
     * The one-time move of existing tables into a tenant's schema, or back: with {@code toPublic} false,
     * tables of {@code public} move into the schema of {@code tenant}, which is created and registered;
     * with {@code toPublic} true they move back to {@code public} and the tenant is removed from the
     * registry (the rollback plan). Only tables that exist move ({@code ALTER TABLE ... SET SCHEMA}, which
     * takes indexes, constraints and owned sequences along), all in one transaction. The migration history
     * moves with them; where the source has none, the target gets the template's history, which records
     * the tables as migrated to the latest version, and the moved tables get the storage parameters the
     * migrations set on them in the template. Their columns and indexes are taken as they are.
     *
     * @param tables the tables to move; empty means every table the migrations create
     * @param dryRun plan only: the statements are returned, nothing runs
     * @throws TenantryException when a table to move exists on both sides, naming it; nothing moves then
     */
    public Adoption adopt(String tenant, boolean toPublic, List<String> tables, boolean dryRun) {
        SchemaName tenantSchema = checkTenant(tenant);
        SchemaName from = toPublic ? tenantSchema : SchemaName.PUBLIC;
        SchemaName to = toPublic ? SchemaName.PUBLIC : tenantSchema;
        prepareTemplate();
        if (!toPublic && !dryRun) {
            installRegistry();
        }
        List<String> statements = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        try (Connection connection = database.admin().getConnection()) {
            connection.setAutoCommit(false);
            try {
                boolean sourceFirst = from.compareTo(to) < 0;
                SchemaMigrator.lockUntilCommit(connection, sourceFirst ? from : to);
                SchemaMigrator.lockUntilCommit(connection, sourceFirst ? to : from);
                List<String> candidates = tables.isEmpty() ? tablesOf(connection, SchemaName.of(TEMPLATE_SCHEMA)) : tables;
                for (String table : candidates) {
                    if (table.equals(SchemaMigrator.HISTORY_TABLE)) {
                        continue;
                    }
                    if (!SchemaMigrator.tableExists(connection, from, table)) {
                        continue;
                    }
                    if (SchemaMigrator.tableExists(connection, to, table)) {
                        throw new TenantryException("Cannot adopt table " + table + " into " + to.quoted() + " for tenant '"
                                + tenant + "': " + to.quoted() + "." + table + " exists already; nothing was moved");
                    }
                    moved.add(table);
                }
                if (moved.isEmpty()) {
                    throw new TenantryException("Nothing to adopt for tenant '" + tenant + "': " + (tables.isEmpty()
                            ? "none of the tables the migrations create" : "none of " + String.join(", ", tables))
                            + " exists in " + from.quoted() + "; nothing was changed");
                }
                if (!to.isPublic()) {
                    statements.add("CREATE SCHEMA IF NOT EXISTS " + to.quoted());
                }
                for (String table : moved) {
                    statements.add("ALTER TABLE " + from.quoted() + "." + quoteIdent(table) + " SET SCHEMA " + to.quoted());
                }
                String history = SchemaMigrator.HISTORY_TABLE;
                boolean toHasHistory = SchemaMigrator.tableExists(connection, to, history);
                if (!toHasHistory && SchemaMigrator.tableExists(connection, from, history)) {
                    statements.add("ALTER TABLE " + from.quoted() + "." + history + " SET SCHEMA " + to.quoted());
                } else if (!toHasHistory && !moved.isEmpty()) {
                    String template = SchemaName.of(TEMPLATE_SCHEMA).quoted() + "." + history;
                    statements.add("CREATE TABLE " + to.quoted() + "." + history + " (LIKE " + template + " INCLUDING ALL)");
                    statements.add("INSERT INTO " + to.quoted() + "." + history + " SELECT * FROM " + template);
                    // That history records every migration as applied: give the tables the storage parameters the
                    // migrations set on them (autovacuum thresholds, fillfactor), so that the record holds for those.
                    Map<String, String> parameters = SchemaCloner.storageParameters(connection, SchemaName.of(TEMPLATE_SCHEMA));
                    for (String table : moved) {
                        if (parameters.containsKey(table)) {
                            statements.add("ALTER TABLE " + to.quoted() + "." + quoteIdent(table) + " SET ("
                                    + parameters.get(table) + ")");
                        }
                    }
                }
                if (!dryRun) {
                    try (Statement statement = connection.createStatement()) {
                        for (String sql : statements) {
                            statement.execute(sql);
                        }
                    }
                    if (toPublic) {
                        registry.remove(connection, tenant);
                        try (Statement statement = connection.createStatement();
                             ResultSet left = statement.executeQuery("SELECT count(*) FROM pg_catalog.pg_class c"
                                     + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"
                                     + from.value() + "'")) {
                            left.next();
                            if (left.getInt(1) == 0) {
                                statements.add("DROP SCHEMA " + from.quoted());
                                try (Statement drop = connection.createStatement()) {
                                    drop.execute("DROP SCHEMA " + from.quoted());
                                }
                            }
                        }
                    }
                    connection.commit();
                } else {
                    connection.rollback();
                }
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new TenantryException("Adopting tables for tenant '" + tenant + "' (" + from.quoted() + " -> " + to.quoted()
                    + ") failed and was rolled back: " + e.getMessage(), e);
        }
        if (!dryRun && !toPublic) {
            registry.markProvisioning(tenant, tenantSchema);
            registry.markReady(tenant, migrator.currentVersion(tenantSchema).orElse(null));
        }
        LOG.info("{} tenant '{}': moved {} from {} to {}", dryRun ? "Planned adoption of" : "Adopted", tenant, moved,
                from.quoted(), to.quoted());
        return new Adoption(from.value(), to.value(), moved, statements, dryRun);
    }

    /**
     * Hands a provisioned tenant's schema to a role, as a create-schemas script would: with {@code owner}
     * the role becomes the schema's owner; either way it is granted {@code USAGE} and {@code CREATE} on it.
     *
     * @throws TenantryException naming the role when it does not exist
     */
    public void grantSchema(String tenant, String role, boolean owner) {
        SchemaName schema = registry.schemaOf(tenant);
        if (role == null || role.isEmpty() || role.length() > SchemaName.MAX_LENGTH || role.indexOf('\0') >= 0) {
            throw new TenantryException("Not a role name: " + (role == null ? "null" : "'" + role + "'"));
        }
        String quotedRole = quoteIdent(role);
        try (Connection connection = database.admin().getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
                    exists.setString(1, role);
                    try (ResultSet rows = exists.executeQuery()) {
                        if (!rows.next()) {
                            throw new TenantryException("Role '" + role + "' does not exist; create it first, then grant"
                                    + " schema " + schema.quoted() + " of tenant '" + tenant + "' to it");
                        }
                    }
                }
                try (Statement statement = connection.createStatement()) {
                    if (owner) {
                        statement.execute("ALTER SCHEMA " + schema.quoted() + " OWNER TO " + quotedRole);
                    }
                    statement.execute("GRANT USAGE, CREATE ON SCHEMA " + schema.quoted() + " TO " + quotedRole);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new TenantryException("Granting schema " + schema.quoted() + " of tenant '" + tenant + "' to role '" + role
                    + "' failed: " + e.getMessage(), e);
        }
    }

    private static List<String> tablesOf(Connection connection, SchemaName schema) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = ? ORDER BY tablename")) {
            statement.setString(1, schema.value());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
        }
        return tables;
    }

    private static String quoteIdent(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /**
     * The tenants this process refuses with {@link dev.tenantry.core.TenantUnavailableException} because their
     * migration failed here (their registry state stays ready: the schema was rolled back), each with the failure.
     * A later successful migration of the tenant serves it again.
     */
    public Map<String, String> unavailable() {
        return registry.unavailable();
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
        Map<String, History> histories = historiesOf(new ArrayList<>(schemasByTenant.values()));
        Map<String, String> result = new LinkedHashMap<>();
        schemasByTenant.forEach((tenant, schema) -> {
            History history = histories.get(schema);
            result.put(tenant, history == null ? null : history.version());
        });
        return result;
    }

    /**
     * Every tenant in the registry with its schema, state, current version (from its own history),
     * the number of migrations still to apply, and the last failure. Reads all histories in one query
     * per {@value #VERSION_BATCH} tenants.
     */
    public List<TenantStatus> status() {
        List<TenantInfo> tenants = list();
        Map<String, History> histories = historiesOf(tenants.stream().map(TenantInfo::schema).toList());
        List<TenantStatus> result = new ArrayList<>();
        for (TenantInfo info : tenants) {
            History history = histories.get(info.schema());
            String version = history == null ? null : history.version();
            boolean schemaFound = history != null || schemaExists(info.schema());
            result.add(new TenantStatus(info.tenant(), info.schema(), info.state(), schemaFound, version,
                    migrator.pendingAfter(version), history == null ? 0 : history.failed(), info.lastError()));
        }
        return result;
    }

    private boolean schemaExists(String schemaName) {
        try (Connection connection = database.pool().getConnection()) {
            return SchemaMigrator.schemaExists(connection, SchemaName.of(schemaName));
        } catch (SQLException e) {
            throw new TenantryException("Cannot check schema \"" + schemaName + "\": " + e.getMessage(), e);
        }
    }

    /** What one schema's history table says: its latest successful version, and how many rows failed. */
    private record History(String version, int failed) {
    }

    private Map<String, History> historiesOf(List<String> schemas) {
        Map<String, History> histories = new LinkedHashMap<>();
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
                    String history = schema.quoted() + "." + SchemaMigrator.HISTORY_TABLE;
                    if (sql.length() > 0) {
                        sql.append(" UNION ALL ");
                    }
                    sql.append("SELECT '").append(schema.value()).append("', (SELECT version FROM ").append(history)
                            .append(" WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1),")
                            .append(" (SELECT count(*) FROM ").append(history).append(" WHERE NOT success)");
                }
                if (sql.length() == 0) {
                    continue;
                }
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery(sql.toString())) {
                    while (rows.next()) {
                        histories.put(rows.getString(1), new History(rows.getString(2), rows.getInt(3)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the tenants' migration histories: " + e.getMessage(), e);
        }
        return histories;
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
        return mapping.resolve(tenant);
    }

    /** The application's mapping, refusing Tenantry's own schemas: what scopes and the registry check ids with. */
    TenantSchemaMapping mapping() {
        return mapping;
    }

    /** Wraps a mapping so that it refuses the shared schema and the template schema as any tenant's schema. */
    private static TenantSchemaMapping refusingTenantrySchemas(TenantSchemaMapping mapping, SchemaName shared) {
        return tenant -> {
            String schema = mapping.schemaFor(tenant);
            if (shared.value().equals(schema)) {
                throw new dev.tenantry.core.InvalidSchemaNameException(tenant, schema,
                        "it is Tenantry's shared schema (TENANTRY_SHARED_SCHEMA)");
            }
            if (TEMPLATE_SCHEMA.equals(schema)) {
                throw new dev.tenantry.core.InvalidSchemaNameException(tenant, schema,
                        "it is Tenantry's template schema, which new tenants are copied from");
            }
            return schema;
        };
    }

    /** Migrates the schema a per-deployment process is pinned to; {@code public} is migrated, never created. */
    MigrationResult provisionDeployment(SchemaName schema) {
        if (schema.isPublic()) {
            return migrator.provision(null, schema);
        }
        return provision(schema.value());
    }
}
