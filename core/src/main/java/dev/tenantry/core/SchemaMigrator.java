package dev.tenantry.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.output.RepairOutput;
import org.flywaydb.core.api.output.RepairResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and migrates one schema with Flyway. Every schema keeps its own history table
 * ({@value #HISTORY_TABLE}), so each tenant's history is isolated and checksum-validated: a
 * migration edited after it was applied is refused. Pending migrations of one schema run in one
 * transaction, so a failure leaves the schema as it was.
 *
 * <p>Provisioning the same schema from several threads or processes at once is safe: callers queue on
 * a PostgreSQL advisory lock keyed by the schema name.
 */
public final class SchemaMigrator {

    /** The Flyway history table inside every migrated schema. */
    public static final String HISTORY_TABLE = "flyway_schema_history";

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);
    /** First key of Tenantry's two-key advisory locks ("TNTR"), so they do not collide with the application's. */
    private static final int LOCK_NAMESPACE = 0x544E5452;

    private final DataSource admin;
    private final List<String> locations;
    private final ClassLoader classLoader;
    private final Supplier<Citus> citus;
    private volatile List<String> availableVersions;

    /**
     * @param admin     connections for schema changes; see {@link Database#admin()}
     * @param locations Flyway locations of the migrations, such as {@code classpath:db/tenantry/tenant}
     */
    public SchemaMigrator(DataSource admin, List<String> locations) {
        this(admin, locations, Thread.currentThread().getContextClassLoader());
    }

    public SchemaMigrator(DataSource admin, List<String> locations, ClassLoader classLoader) {
        this(admin, locations, classLoader, () -> Citus.NONE);
    }

    /**
     * Migrates through the database's admin connections, and on a Citus coordinator creates tenant schemas
     * distributed and Tenantry's own schemas on the coordinator (see {@link #provision}).
     */
    public SchemaMigrator(Database database, List<String> locations) {
        this(database, locations, Thread.currentThread().getContextClassLoader());
    }

    public SchemaMigrator(Database database, List<String> locations, ClassLoader classLoader) {
        this(database.admin(), locations, classLoader, database::citus);
    }

    private SchemaMigrator(DataSource admin, List<String> locations, ClassLoader classLoader, Supplier<Citus> citus) {
        if (locations == null || locations.isEmpty()) {
            throw new IllegalArgumentException("at least one migration location is required");
        }
        this.admin = admin;
        this.locations = List.copyOf(locations);
        this.classLoader = classLoader != null ? classLoader : SchemaMigrator.class.getClassLoader();
        this.citus = citus;
    }

    public List<String> locations() {
        return locations;
    }

    /**
     * Creates the schema if it does not exist and migrates it to the latest version; idempotent. A
     * schema created by this call is dropped again if its first migration fails, so nothing is half-written.
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
                result = runFlyway(schema, created);
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
        return underLock(tenant, schema, "Migration", connection -> {
            if (!schemaExists(connection, schema)) {
                throw new MigrationFailedException(tenant, schema.value(), "Migration",
                        new IllegalStateException("schema \"" + schema + "\" does not exist"));
            }
            return runFlyway(schema, false);
        });
    }

    /**
     * Repairs the schema's migration history with Flyway's repair, under the schema's lock: applied migrations
     * edited since are realigned with their files (checksum and description), entries of failed migrations are
     * removed, and applied migrations whose files are gone are marked as deleted. The schema's tables are not
     * touched; migrate afterwards to apply what is pending.
     *
     * @throws MigrationFailedException when the schema is missing or Flyway fails
     */
    public HistoryRepair repair(String tenant, SchemaName schema) {
        return underLock(tenant, schema, "Repair", connection -> {
            if (!schemaExists(connection, schema)) {
                throw new MigrationFailedException(tenant, schema.value(), "Repair",
                        new IllegalStateException("schema \"" + schema + "\" does not exist"));
            }
            RepairResult result = flyway(schema).repair();
            HistoryRepair repair = new HistoryRepair(schema, entries(result.migrationsAligned),
                    entries(result.migrationsRemoved), entries(result.migrationsDeleted));
            if (repair.changed()) {
                LOG.info("Repaired the history of {}", repair);
            }
            return repair;
        });
    }

    private static List<String> entries(List<RepairOutput> outputs) {
        return outputs == null ? List.of() : outputs.stream()
                .map(o -> (o.version == null || o.version.isEmpty() ? "repeatable" : o.version)
                        + (o.description == null || o.description.isEmpty() ? "" : " (" + o.description + ")"))
                .toList();
    }

    /** The latest successfully applied version in the schema, empty when it has no history. */
    public Optional<String> currentVersion(SchemaName schema) {
        try (Connection connection = admin.getConnection()) {
            return currentVersion(connection, schema);
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the migration version of schema \"" + schema + "\": " + e.getMessage(), e);
        }
    }

    /** Reads the version over a connection the caller owns. */
    public static Optional<String> currentVersion(Connection connection, SchemaName schema) throws SQLException {
        if (!tableExists(connection, schema, HISTORY_TABLE)) {
            return Optional.empty();
        }
        String sql = "SELECT version FROM " + schema.quoted() + "." + HISTORY_TABLE
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

    private Flyway flyway(SchemaName schema) {
        return Flyway.configure(classLoader)
                .dataSource(admin)
                .schemas(schema.value())
                .defaultSchema(schema.value())
                .createSchemas(false)
                .table(HISTORY_TABLE)
                .locations(locations.toArray(String[]::new))
                .group(true)
                .validateOnMigrate(true)
                .cleanDisabled(true)
                .failOnMissingLocations(true)
                .load();
    }

    /**
     * The version of every versioned migration in the locations, oldest first. Read once from the
     * class path and remembered: migrations do not change while a process runs.
     */
    public List<String> availableVersions() {
        List<String> versions = availableVersions;
        if (versions == null) {
            // Flyway lists what it would apply to a schema that has no history; this one is never created.
            MigrationInfo[] all = flyway(SchemaName.of("tenantry_versions_probe")).info().all();
            versions = Arrays.stream(all)
                    .map(MigrationInfo::getVersion)
                    .filter(java.util.Objects::nonNull)
                    .distinct()
                    .sorted()
                    .map(MigrationVersion::getVersion)
                    .toList();
            availableVersions = versions;
        }
        return versions;
    }

    /** The newest migration version in the locations, or empty when there are none. */
    public Optional<String> latestVersion() {
        List<String> versions = availableVersions();
        return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
    }

    /** Whether {@code version} is the newest available one (so a schema at it has nothing to apply). */
    public boolean isLatest(String version) {
        Optional<String> latest = latestVersion();
        if (latest.isEmpty() || version == null) {
            return latest.isEmpty() && version == null;
        }
        return MigrationVersion.fromVersion(version).equals(MigrationVersion.fromVersion(latest.get()));
    }

    /** How many available migrations are newer than {@code currentVersion} ({@code null}: none applied). */
    public int pendingAfter(String currentVersion) {
        if (currentVersion == null) {
            return availableVersions().size();
        }
        MigrationVersion current = MigrationVersion.fromVersion(currentVersion);
        return (int) availableVersions().stream().filter(v -> MigrationVersion.fromVersion(v).isNewerThan(current)).count();
    }

    private MigrationResult runFlyway(SchemaName schema, boolean created) {
        MigrateResult result = flyway(schema).migrate();
        // Flyway reports no target version when nothing ran: the schema is then still at its initial one.
        String target = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        MigrationResult outcome = new MigrationResult(schema, result.initialSchemaVersion, target,
                result.migrationsExecuted, created);
        if (result.migrationsExecuted > 0) {
            LOG.info("Migrated {}", outcome);
        }
        return outcome;
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
            throw new MigrationFailedException(tenant, schema.value(), what, e);
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

    /** Closing the connection releases the lock too, so a failed unlock must not hide the real error. */
    private static void unlockQuietly(Connection connection, SchemaName schema) {
        try {
            lock(connection, schema, false);
        } catch (SQLException e) {
            LOG.debug("Could not release the advisory lock of schema {}; closing the connection releases it", schema, e);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
