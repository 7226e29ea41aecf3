package dev.tenantry.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.callback.BaseCallback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.RepairOutput;
import org.flywaydb.core.api.output.RepairResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and migrates one schema with Flyway, module by module ({@link MigrationModule}) in their declared
 * order. Every module keeps its own history table in every schema, so each tenant's history is isolated and
 * checksum-validated: a migration edited after it was applied is refused. A module's pending migrations run in
 * one transaction, so a failure leaves that module as it was (the modules before it stay migrated).
 *
 * <p>Provisioning the same schema from several threads or processes at once is safe: callers queue on a
 * PostgreSQL advisory lock keyed by the schema name. With a lock timeout, each migration transaction waits at
 * most that long for a table lock that other work holds, and is then rolled back
 * ({@link MigrationLockTimeoutException}) rather than queue every later query on that table behind it.
 */
public final class SchemaMigrator {

    /** Flyway's default history table, the model's (and a single module's) in every migrated schema. */
    public static final String HISTORY_TABLE = MigrationModule.DEFAULT_HISTORY_TABLE;

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);
    /** First key of Tenantry's two-key advisory locks ("TNTR"), so they do not collide with the application's. */
    private static final int LOCK_NAMESPACE = 0x544E5452;
    /** The name of a schema that is never created: Flyway lists what it would apply to it. */
    private static final SchemaName PROBE = SchemaName.of("tenantry_versions_probe");

    private final DataSource admin;
    private final List<MigrationModule> modules;
    private final ClassLoader classLoader;
    private final Duration lockTimeout;
    private final Supplier<Citus> citus;
    private final Map<String, Resolved> resolved = new ConcurrentHashMap<>();

    /**
     * The migrations a module's locations hold: their versions, oldest first, and their script names; and each
     * versioned migration's description and checksum, by version, unless the module has repeatable migrations
     * ({@code null} then: Flyway alone can tell whether those are current).
     */
    record Resolved(List<String> versions, Set<String> scripts, Map<String, Applied> versioned) {
    }

    /** What a history row says of one versioned migration, and what its file says for comparison. */
    record Applied(String description, Integer checksum) {
    }

    /**
     * One module of migrations in Flyway's default history table, no lock timeout.
     *
     * @param admin     connections for schema changes; see {@link Database#admin()}
     * @param locations Flyway locations of the migrations, such as {@code classpath:db/tenantry/tenant}
     */
    public SchemaMigrator(DataSource admin, List<String> locations) {
        this(admin, locations, Thread.currentThread().getContextClassLoader());
    }

    public SchemaMigrator(DataSource admin, List<String> locations, ClassLoader classLoader) {
        this(admin, List.of(single(locations)), classLoader, Duration.ZERO);
    }

    /**
     * @param modules     the modules, in the order they migrate; their names and history tables must differ
     * @param classLoader where {@code classpath:} locations are read from
     * @param lockTimeout how long a migration waits for a lock before it is rolled back; zero waits forever
     */
    public SchemaMigrator(DataSource admin, List<MigrationModule> modules, ClassLoader classLoader, Duration lockTimeout) {
        this(admin, modules, classLoader, lockTimeout, () -> Citus.NONE);
    }

    /**
     * Migrates through the database's admin connections, and on a Citus coordinator creates tenant schemas
     * distributed and Tenantry's own schemas on the coordinator (see {@link #provision}).
     */
    public SchemaMigrator(Database database, List<String> locations) {
        this(database, locations, Thread.currentThread().getContextClassLoader());
    }

    public SchemaMigrator(Database database, List<String> locations, ClassLoader classLoader) {
        this(database, List.of(single(locations)), classLoader, Duration.ZERO);
    }

    public SchemaMigrator(Database database, List<MigrationModule> modules, ClassLoader classLoader, Duration lockTimeout) {
        this(database.admin(), modules, classLoader, lockTimeout, database::citus);
    }

    private SchemaMigrator(DataSource admin, List<MigrationModule> modules, ClassLoader classLoader, Duration lockTimeout,
                           Supplier<Citus> citus) {
        if (modules == null || modules.isEmpty()) {
            throw new IllegalArgumentException("at least one migration module is required");
        }
        this.admin = Objects.requireNonNull(admin, "admin");
        this.modules = MigrationModule.merge(List.of(modules));
        this.classLoader = classLoader != null ? classLoader : SchemaMigrator.class.getClassLoader();
        this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
        if (lockTimeout.isNegative()) {
            throw new IllegalArgumentException("lockTimeout must not be negative, got " + lockTimeout);
        }
        this.citus = citus;
    }

    private static MigrationModule single(List<String> locations) {
        if (locations == null || locations.isEmpty()) {
            throw new IllegalArgumentException("at least one migration location is required");
        }
        return new MigrationModule("tenantry", locations, HISTORY_TABLE);
    }

    /** The modules in the order they migrate. */
    public List<MigrationModule> modules() {
        return modules;
    }

    /** Every module's locations, in order. */
    public List<String> locations() {
        return modules.stream().flatMap(m -> m.locations().stream()).distinct().toList();
    }

    /** The history tables of all modules. */
    public Set<String> historyTables() {
        Set<String> tables = new LinkedHashSet<>();
        modules.forEach(m -> tables.add(m.historyTable()));
        return tables;
    }

    /** The module named {@code name}, or an exception that lists the declared ones. */
    public MigrationModule module(String name) {
        return modules.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow(() ->
                new TenantryException("No migration module '" + name + "'; the modules are "
                        + String.join(", ", modules.stream().map(MigrationModule::name).toList())));
    }

    public Duration lockTimeout() {
        return lockTimeout;
    }

    /**
     * Creates the schema if it does not exist and migrates it to the latest version; idempotent. A
     * schema created by this call is dropped again if a migration fails, so nothing is half-written.
     *
     * <p>On a Citus coordinator (see {@link Citus}), a tenant's schema ({@code tenant} given) is a distributed
     * schema: created so, or distributed after migrating when it was created before Citus was added. A schema
     * provisioned for no tenant (Tenantry's registry and template) stays on the coordinator, and is brought back
     * there if it was distributed.
     *
     * @param tenant the tenant id, for messages and to tell a tenant's schema from Tenantry's own; or {@code null}
     * @throws MigrationFailedException naming the tenant and schema
     */
    public MigrationResult provision(String tenant, SchemaName schema) {
        Citus cluster = citus.get();
        boolean distributed = tenant != null;
        return underLock(tenant, schema, "Provisioning", connection -> {
            boolean created = false;
            if (!schemaExists(connection, schema)) {
                if (schema.isPublic()) {
                    throw new MigrationFailedException(tenant, schema.value(), "Provisioning",
                            new IllegalStateException("schema public does not exist and is never created by Tenantry"));
                }
                cluster.createSchema(connection, schema, distributed);
                created = true;
            } else if (!distributed) {
                cluster.undistribute(connection, schema);
            }
            MigrationResult result;
            try {
                result = migrateModules(connection, tenant, schema, "Provisioning", created, null, null);
            } catch (RuntimeException e) {
                if (created) {
                    execute(connection, "DROP SCHEMA IF EXISTS " + schema.quoted() + " CASCADE");
                }
                throw e;
            }
            if (distributed && !schema.isPublic()) {
                cluster.distribute(connection, schema);
            }
            return result;
        });
    }

    /**
     * Migrates an existing schema to the latest version.
     *
     * @throws MigrationFailedException when the schema is missing, a migration fails or an applied one was edited
     */
    public MigrationResult migrate(String tenant, SchemaName schema) {
        return migrate(tenant, schema, null, null);
    }

    /**
     * Migrates an existing schema; with {@code module} and {@code version}, that module goes up to
     * {@code version} and no further, and the modules declared after it are left as they are.
     */
    public MigrationResult migrate(String tenant, SchemaName schema, String module, String version) {
        MigrationModule target = module == null ? null : module(module);
        return underLock(tenant, schema, "Migration", connection -> {
            if (!schemaExists(connection, schema)) {
                throw new MigrationFailedException(tenant, schema.value(), "Migration",
                        new IllegalStateException("schema \"" + schema + "\" does not exist"));
            }
            return migrateModules(connection, tenant, schema, "Migration", false, target, version);
        });
    }

    private MigrationResult migrateModules(Connection connection, String tenant, SchemaName schema, String what,
                                           boolean created, MigrationModule target, String targetVersion)
            throws SQLException {
        new HistoryConversion(this).convert(connection, tenant, schema);
        Map<String, String> before = new LinkedHashMap<>();
        Map<String, String> after = new LinkedHashMap<>();
        int executed = 0;
        boolean past = false;
        for (MigrationModule module : modules) {
            if (past) {
                String version = currentVersion(connection, schema, module).orElse(null);
                before.put(module.name(), version);
                after.put(module.name(), version);
                continue;
            }
            boolean isTarget = module.equals(target);
            if (!isTarget) {
                Optional<String> current = unchangedVersion(connection, schema, module);
                if (current.isPresent()) {
                    before.put(module.name(), current.get());
                    after.put(module.name(), current.get());
                    continue;
                }
            }
            startHistory(connection, schema, module);
            MigrateResult result;
            try {
                result = flyway(schema, module, isTarget ? targetVersion : null).migrate();
            } catch (FlywayException e) {
                throw failure(tenant, schema, what + (modules.size() == 1 ? "" : " of module " + module.name()), e);
            }
            before.put(module.name(), result.initialSchemaVersion);
            // Flyway reports no target version when nothing ran: the module is then still at its initial one.
            after.put(module.name(), result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion);
            executed += result.migrationsExecuted;
            past = isTarget;
        }
        MigrationResult outcome = new MigrationResult(schema, describe(before), describe(after), executed, created);
        if (executed > 0) {
            LOG.info("Migrated {}", outcome);
        }
        return outcome;
    }

    /**
     * The module's version in the schema when its history holds exactly the module's migrations, each applied
     * successfully with the description and checksum its file has now: then Flyway would find nothing to apply and
     * nothing to refuse, and is not started (it opens two connections of its own and reads the catalog). Anything
     * else (a pending or failed migration, an edited or missing file, a baseline, repeatable migrations) is empty,
     * and Flyway runs and says what it finds.
     */
    private Optional<String> unchangedVersion(Connection connection, SchemaName schema, MigrationModule module)
            throws SQLException {
        Map<String, Applied> expected = resolved(module).versioned();
        if (expected == null || expected.isEmpty() || !tableExists(connection, schema, module.historyTable())) {
            return Optional.empty();
        }
        Map<String, Applied> applied = new LinkedHashMap<>();
        String latest = null;
        String sql = "SELECT version, description, checksum, success, type FROM " + schema.quoted() + "."
                + SchemaName.quoteIdentifier(module.historyTable()) + " ORDER BY installed_rank";
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                String version = rows.getString(1);
                int checksum = rows.getInt(3);
                Integer checksumOrNull = rows.wasNull() ? null : checksum;
                String type = rows.getString(5);
                if (version == null || !rows.getBoolean(4) || !("SQL".equals(type) || "JDBC".equals(type))) {
                    return Optional.empty();
                }
                String normalized = MigrationVersion.fromVersion(version).getVersion();
                if (applied.put(normalized, new Applied(rows.getString(2), checksumOrNull)) != null) {
                    return Optional.empty();
                }
                latest = version;
            }
        }
        return applied.equals(expected) ? Optional.ofNullable(latest) : Optional.empty();
    }

    /**
     * Gives a module its history table before its first run in a schema that other modules' tables already fill:
     * Flyway would otherwise refuse a non-empty schema without a history and ask for a baseline. The table is made
     * like the history another module has there, so it is Flyway's own structure.
     */
    private void startHistory(Connection connection, SchemaName schema, MigrationModule module) throws SQLException {
        if (tableExists(connection, schema, module.historyTable())) {
            return;
        }
        Set<String> others = new LinkedHashSet<>(historyTables());
        others.add(HISTORY_TABLE);
        others.remove(module.historyTable());
        for (String other : others) {
            if (tableExists(connection, schema, other)) {
                execute(connection, "CREATE TABLE IF NOT EXISTS " + schema.quoted() + "." + SchemaName.quoteIdentifier(module.historyTable())
                        + " (LIKE " + schema.quoted() + "." + SchemaName.quoteIdentifier(other) + " INCLUDING ALL)");
                return;
            }
        }
    }

    /** A lock timeout becomes its own exception, so that callers can try again later. */
    MigrationFailedException failure(String tenant, SchemaName schema, String what, Throwable cause) {
        return MigrationLockTimeoutException.isLockTimeout(cause)
                ? new MigrationLockTimeoutException(tenant, schema.value(), what + " (lock timeout " + lockTimeoutText() + ")", cause)
                : new MigrationFailedException(tenant, schema.value(), what, cause);
    }

    private String lockTimeoutText() {
        long millis = lockTimeout.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /**
     * A schema's versions as one text: the version alone with one module; with several, each module's in
     * declared order ({@code tenantry 3, app 100}); {@code null} when no module has a history.
     */
    public String describe(Map<String, String> versionByModule) {
        if (modules.size() == 1) {
            return versionByModule.get(modules.get(0).name());
        }
        if (versionByModule.values().stream().allMatch(Objects::isNull)) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (MigrationModule module : modules) {
            String version = versionByModule.get(module.name());
            parts.add(module.name() + " " + (version == null ? "none" : version));
        }
        return String.join(", ", parts);
    }

    /**
     * Repairs the schema's migration history with Flyway's repair, under the schema's lock: applied migrations
     * edited since are realigned with their files (checksum and description), entries of failed migrations are
     * removed, and applied migrations whose files are gone are marked as deleted. The schema's tables are not
     * touched; migrate afterwards to apply what is pending. Every module's history is repaired, in order; with several
     * modules each entry names its module ({@code app 101 (todo priority)}).
     *
     * @throws MigrationFailedException when the schema is missing or Flyway fails
     */
    public HistoryRepair repair(String tenant, SchemaName schema) {
        return underLock(tenant, schema, "Repair", connection -> {
            if (!schemaExists(connection, schema)) {
                throw new MigrationFailedException(tenant, schema.value(), "Repair",
                        new IllegalStateException("schema \"" + schema + "\" does not exist"));
            }
            new HistoryConversion(this).convert(connection, tenant, schema);
            List<String> aligned = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            List<String> deleted = new ArrayList<>();
            for (MigrationModule module : modules) {
                if (!tableExists(connection, schema, module.historyTable())) {
                    continue;
                }
                RepairResult result = flyway(schema, module, null).repair();
                String prefix = modules.size() == 1 ? "" : module.name() + " ";
                aligned.addAll(entries(prefix, result.migrationsAligned));
                removed.addAll(entries(prefix, result.migrationsRemoved));
                deleted.addAll(entries(prefix, result.migrationsDeleted));
            }
            HistoryRepair repair = new HistoryRepair(schema, aligned, removed, deleted);
            if (repair.changed()) {
                LOG.info("Repaired the history of {}", repair);
            }
            return repair;
        });
    }

    private static List<String> entries(String prefix, List<RepairOutput> outputs) {
        return outputs == null ? List.of() : outputs.stream()
                .map(o -> prefix + (o.version == null || o.version.isEmpty() ? "repeatable" : o.version)
                        + (o.description == null || o.description.isEmpty() ? "" : " (" + o.description + ")"))
                .toList();
    }

    /** The schema's versions as {@link #describe} writes them; empty when no module has a history. */
    public Optional<String> currentVersion(SchemaName schema) {
        try (Connection connection = admin.getConnection()) {
            return Optional.ofNullable(describe(currentVersions(connection, schema)));
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the migration version of schema \"" + schema + "\": " + e.getMessage(), e);
        }
    }

    /** Each module's latest successfully applied version in the schema ({@code null}: no history), in order. */
    public Map<String, String> currentVersions(Connection connection, SchemaName schema) throws SQLException {
        Map<String, String> versions = new LinkedHashMap<>();
        for (MigrationModule module : modules) {
            versions.put(module.name(), currentVersion(connection, schema, module).orElse(null));
        }
        return versions;
    }

    private static Optional<String> currentVersion(Connection connection, SchemaName schema, MigrationModule module)
            throws SQLException {
        return currentVersion(connection, schema, module.historyTable());
    }

    /** Reads the version in Flyway's default history table over a connection the caller owns. */
    public static Optional<String> currentVersion(Connection connection, SchemaName schema) throws SQLException {
        return currentVersion(connection, schema, HISTORY_TABLE);
    }

    /** The latest successfully applied version in one history table, empty when there is none. */
    public static Optional<String> currentVersion(Connection connection, SchemaName schema, String historyTable)
            throws SQLException {
        if (!tableExists(connection, schema, historyTable)) {
            return Optional.empty();
        }
        String sql = "SELECT version FROM " + schema.quoted() + "." + SchemaName.quoteIdentifier(historyTable)
                + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1";
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
    }

    public static boolean schemaExists(Connection connection, SchemaName schema) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
            statement.setString(1, schema.value());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    public static boolean tableExists(Connection connection, SchemaName schema, String table) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = ? AND tablename = ?")) {
            statement.setString(1, schema.value());
            statement.setString(2, table);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    private Flyway flyway(SchemaName schema, MigrationModule module, String target) {
        FluentConfiguration configuration = Flyway.configure(classLoader)
                .dataSource(admin)
                .schemas(schema.value())
                .defaultSchema(schema.value())
                .createSchemas(false)
                .table(module.historyTable())
                .locations(module.locations().toArray(String[]::new))
                .group(true)
                .validateOnMigrate(true)
                .cleanDisabled(true)
                .failOnMissingLocations(true);
        if (!lockTimeout.isZero()) {
            configuration.callbacks(new LockTimeout(lockTimeout));
        }
        if (target != null) {
            configuration.target(target);
        }
        return configuration.load();
    }

    /**
     * Sets {@code lock_timeout} on every connection Flyway opens, as soon as it is open. They are unpooled admin
     * connections, closed after the run, so the setting dies with them.
     */
    private static final class LockTimeout extends BaseCallback {

        private final String sql;

        LockTimeout(Duration timeout) {
            this.sql = "SET lock_timeout = '" + timeout.toMillis() + "ms'";
        }

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.AFTER_CONNECT;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            try (Statement statement = context.getConnection().createStatement()) {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new FlywayException("Cannot set the lock timeout (" + sql + "): " + e.getMessage(), e);
            }
        }

        @Override
        public String getCallbackName() {
            return "tenantry-lock-timeout";
        }
    }

    /**
     * What a module's locations hold, read once from the class path or file system and remembered: migrations
     * do not change while a process runs.
     */
    Resolved resolved(MigrationModule module) {
        return resolved.computeIfAbsent(module.name(), name -> {
            MigrationInfo[] all = flyway(PROBE, module, null).info().all();
            List<String> versions = Arrays.stream(all)
                    .map(MigrationInfo::getVersion)
                    .filter(Objects::nonNull)
                    .distinct()
                    .sorted()
                    .map(MigrationVersion::getVersion)
                    .toList();
            Set<String> scripts = new LinkedHashSet<>();
            Arrays.stream(all).map(MigrationInfo::getScript).filter(Objects::nonNull).forEach(scripts::add);
            Map<String, Applied> versioned = new LinkedHashMap<>();
            for (MigrationInfo info : all) {
                if (info.getVersion() == null) {
                    versioned = null;
                    break;
                }
                versioned.put(info.getVersion().getVersion(), new Applied(info.getDescription(), info.getChecksum()));
            }
            return new Resolved(versions, Set.copyOf(scripts), versioned == null ? null : Map.copyOf(versioned));
        });
    }

    /** The version of every versioned migration of the one module, oldest first; see {@link #availableVersions(String)}. */
    public List<String> availableVersions() {
        return availableVersions(modules.get(0).name());
    }

    /** The version of every versioned migration in a module's locations, oldest first. */
    public List<String> availableVersions(String module) {
        return resolved(module(module)).versions();
    }

    /** The newest migration version of the first module, or empty when there are none. */
    public Optional<String> latestVersion() {
        return latestVersion(modules.get(0).name());
    }

    /** The newest migration version of a module, or empty when it has none. */
    public Optional<String> latestVersion(String module) {
        List<String> versions = availableVersions(module);
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /** Whether {@code version} is the newest one of the first module (so a schema at it has nothing to apply). */
    public boolean isLatest(String version) {
        return isLatest(modules.get(0).name(), version);
    }

    /** Whether a module at {@code version} ({@code null}: no history) has nothing to apply. */
    public boolean isLatest(String module, String version) {
        Optional<String> latest = latestVersion(module);
        if (latest.isEmpty() || version == null) {
            return latest.isEmpty() && version == null;
        }
        return MigrationVersion.fromVersion(version).equals(MigrationVersion.fromVersion(latest.get()));
    }

    /** How many migrations of the first module are newer than {@code currentVersion} ({@code null}: none applied). */
    public int pendingAfter(String currentVersion) {
        return pendingAfter(modules.get(0).name(), currentVersion);
    }

    /** How many migrations of a module are newer than {@code currentVersion} ({@code null}: none applied). */
    public int pendingAfter(String module, String currentVersion) {
        List<String> versions = availableVersions(module);
        if (currentVersion == null) {
            return versions.size();
        }
        MigrationVersion current = MigrationVersion.fromVersion(currentVersion);
        return (int) versions.stream().filter(v -> MigrationVersion.fromVersion(v).isNewerThan(current)).count();
    }

    private interface LockedWork<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T underLock(String tenant, SchemaName schema, String what, LockedWork<T> work) {
        try (Connection connection = admin.getConnection()) {
            connection.setAutoCommit(true);
            lock(connection, schema, true);
            try {
                return work.run(connection);
            } finally {
                unlockQuietly(connection, schema);
            }
        } catch (MigrationFailedException e) {
            throw e;
        } catch (SQLException | FlywayException e) {
            throw failure(tenant, schema, what, e);
        }
    }

    private static void lock(Connection connection, SchemaName schema, boolean acquire) throws SQLException {
        String function = acquire ? "pg_advisory_lock" : "pg_advisory_unlock";
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT " + function + "(?, hashtext(?))")) {
            statement.setInt(1, LOCK_NAMESPACE);
            statement.setString(2, schema.value());
            statement.execute();
        }
    }

    /**
     * Takes the schema's advisory lock until the connection's transaction ends: the lock provisioning and
     * migration hold, so other schema changes (drop, clone) wait for them and they for it.
     */
    public static void lockUntilCommit(Connection connection, SchemaName schema) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            statement.setInt(1, LOCK_NAMESPACE);
            statement.setString(2, schema.value());
            statement.execute();
        }
    }

    /**
     * Sets the lock timeout for the rest of the caller's transaction ({@code SET LOCAL}), for schema changes that
     * Tenantry runs itself rather than through Flyway.
     */
    void limitLockWaits(Connection connection) throws SQLException {
        if (!lockTimeout.isZero()) {
            execute(connection, "SET LOCAL lock_timeout = '" + lockTimeout.toMillis() + "ms'");
        }
    }

    /** Closing the connection releases the lock too, so a failed unlock must not hide the real error. */
    private static void unlockQuietly(Connection connection, SchemaName schema) {
        try {
            lock(connection, schema, false);
        } catch (SQLException e) {
            LOG.debug("Could not release the advisory lock of schema {}; closing the connection releases it", schema, e);
        }
    }

    static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
