package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshots of tenants: a copy of a tenant's schema with every row and its history, in a schema named
 * {@code tenantry_snap_<time>_<schema>} and recorded in the shared schema's {@code snapshots} table, both in one
 * transaction; restoring one (the tenant's schema replaced by a copy of the snapshot, in one transaction); listing
 * and pruning them. Snapshot schemas never belong to a tenant, so nothing serves, migrates or verifies them.
 */
final class TenantSnapshots {

    /** What every snapshot's schema name starts with; no tenant's schema may. */
    static final String PREFIX = TenantProvisioning.SNAPSHOT_PREFIX;

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'_'HHmmssSSS").withZone(ZoneOffset.UTC);

    private final Database database;
    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final SchemaCloner cloner;
    private final TenantChanges changes;
    private final String table;
    private final Clock clock = Clock.systemUTC();

    TenantSnapshots(Database database, SchemaMigrator migrator, TenantRegistry registry, SchemaCloner cloner,
                    TenantChanges changes) {
        this.database = database;
        this.migrator = migrator;
        this.registry = registry;
        this.cloner = cloner;
        this.changes = changes;
        this.table = registry.sharedSchema().quoted() + ".snapshots";
    }

    /** See {@link TenantProvisioning#snapshot(String)}; {@code schema} is the ready tenant's. */
    TenantSnapshot take(String tenant, SchemaName schema) {
        registry.install();
        for (int attempt = 0; ; attempt++) {
            Instant now = clock.instant();
            SchemaName name = nameFor(schema, now, attempt);
            try (Connection connection = database.admin().getConnection()) {
                connection.setAutoCommit(false);
                try {
                    if (SchemaMigrator.schemaExists(connection, name)) {
                        connection.rollback();
                        continue; // two snapshots of one tenant within a millisecond
                    }
                    cloner.copy(connection, schema, name, SchemaCloner.Rows.ALL);
                    String version = versionOf(connection, name);
                    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + table
                            + " (snapshot_schema, tenant_id, schema_name, version, taken_at) VALUES (?, ?, ?, ?, ?)")) {
                        insert.setString(1, name.value());
                        insert.setString(2, tenant);
                        insert.setString(3, schema.value());
                        insert.setString(4, version);
                        insert.setTimestamp(5, Timestamp.from(now));
                        insert.executeUpdate();
                    }
                    connection.commit();
                    LOG.info("Took snapshot {} of tenant '{}' (schema {}) at version {}", name.quoted(), tenant, schema.quoted(),
                            version);
                    return new TenantSnapshot(name.value(), tenant, schema.value(), version, now, true);
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            } catch (SQLException | RuntimeException e) {
                if (attempt < 3 && e instanceof SQLException && "23505".equals(((SQLException) e).getSQLState())) {
                    continue;
                }
                throw new SnapshotException("Taking a snapshot of tenant '" + tenant + "' (schema " + schema.quoted()
                        + ") failed and was rolled back: " + e.getMessage(), tenant, schema.value(), e);
            }
        }
    }

    /**
     * The versions of every module with a history in the schema: the declared modules', and those of any other
     * {@code flyway_schema_history_<module>} table, so that a snapshot taken by a process that does not know all the
     * application's modules still records them.
     */
    private String versionOf(Connection connection, SchemaName schema) throws SQLException {
        Map<String, String> versions = migrator.currentVersions(connection, schema);
        String described = migrator.describe(versions);
        List<String> others = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT tablename FROM pg_catalog.pg_tables"
                + " WHERE schemaname = ? AND tablename LIKE 'flyway\\_schema\\_history\\_%' ORDER BY tablename")) {
            statement.setString(1, schema.value());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String table = rows.getString(1);
                    if (!migrator.historyTables().contains(table)) {
                        others.add(table.substring("flyway_schema_history_".length()) + " "
                                + SchemaMigrator.currentVersion(connection, schema, table).orElse("none"));
                    }
                }
            }
        }
        if (others.isEmpty()) {
            return described;
        }
        String declared = migrator.modules().size() == 1 && described != null
                ? migrator.modules().get(0).name() + " " + described : described;
        return (declared == null ? "" : declared + ", ") + String.join(", ", others);
    }

    /**
     * The snapshot's schema: {@code tenantry_snap_<UTC time to the millisecond>_<schema>}, the schema's name cut
     * and given a hash when the whole would pass 63 characters.
     */
    static SchemaName nameFor(SchemaName schema, Instant time, int attempt) {
        String stamp = STAMP.format(time) + (attempt == 0 ? "" : "_" + attempt);
        String base = PREFIX + stamp + "_";
        String tail = schema.value();
        if (base.length() + tail.length() > SchemaName.MAX_LENGTH) {
            int keep = SchemaName.MAX_LENGTH - base.length() - 9;
            tail = tail.substring(0, keep) + "_" + hash(tail);
        }
        return SchemaName.of(base + tail);
    }

    /** Every snapshot, newest first; of one tenant when {@code tenant} is not {@code null}. */
    List<TenantSnapshot> list(String tenant) {
        String sql = "SELECT s.snapshot_schema, s.tenant_id, s.schema_name, s.version, s.taken_at, n.oid IS NOT NULL FROM "
                + table + " s LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = s.snapshot_schema"
                + (tenant == null ? "" : " WHERE s.tenant_id = ?") + " ORDER BY s.taken_at DESC, s.snapshot_schema";
        List<TenantSnapshot> snapshots = new ArrayList<>();
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            if (tenant != null) {
                statement.setString(1, tenant);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    snapshots.add(new TenantSnapshot(rows.getString(1), rows.getString(2), rows.getString(3),
                            rows.getString(4), rows.getTimestamp(5).toInstant(), rows.getBoolean(6)));
                }
            }
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())) {
                return List.of(); // no registry yet, or one from before snapshots: none taken
            }
            throw new TenantryException("Cannot read the snapshots (" + table + "): " + e.getMessage(), e);
        }
        return snapshots;
    }

    /**
     * See {@link TenantProvisioning#restore(String, String, String)}; {@code schema} is the tenant's checked schema.
     */
    MigrationResult restore(String tenant, SchemaName schema, String snapshot, String confirmation) {
        if (!tenant.equals(confirmation)) {
            throw new SnapshotException("Refusing to restore tenant '" + tenant + "' (schema " + schema.quoted()
                    + ") from snapshot '" + snapshot + "': the confirmation must repeat the tenant id exactly; it replaces"
                    + " every row of the tenant", tenant, schema.value(), null);
        }
        TenantSnapshot found = list(null).stream().filter(s -> s.name().equals(snapshot)).findFirst().orElseThrow(() ->
                new SnapshotException("No snapshot '" + snapshot + "' (tenantry tenants snapshots lists them); tenant '"
                        + tenant + "' (schema " + schema.quoted() + ") was not changed", tenant, schema.value(), null));
        if (!found.tenant().equals(tenant) || !found.schema().equals(schema.value())) {
            throw new SnapshotException("Snapshot '" + snapshot + "' was taken of tenant '" + found.tenant() + "' (schema \""
                    + found.schema() + "\"), not of tenant '" + tenant + "' (schema " + schema.quoted()
                    + "); nothing was restored", tenant, schema.value(), null);
        }
        if (!found.schemaExists()) {
            throw new SnapshotException("Snapshot '" + snapshot + "' of tenant '" + tenant + "' is recorded, but its schema"
                    + " is gone; nothing was restored", tenant, schema.value(), null);
        }
        registry.schemaOf(tenant); // a ready tenant, or UnknownTenantException
        SchemaName from = SchemaName.of(snapshot);
        return changes.run(tenant, () -> {
            try (Connection connection = database.admin().getConnection()) {
                connection.setAutoCommit(false);
                try {
                    boolean snapshotFirst = from.compareTo(schema) < 0;
                    SchemaMigrator.lockUntilCommit(connection, snapshotFirst ? from : schema);
                    SchemaMigrator.lockUntilCommit(connection, snapshotFirst ? schema : from);
                    String before = migrator.describe(migrator.currentVersions(connection, schema));
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("DROP SCHEMA IF EXISTS " + schema.quoted() + " CASCADE");
                    }
                    cloner.copy(connection, from, schema, SchemaCloner.Rows.ALL);
                    String after = migrator.describe(migrator.currentVersions(connection, schema));
                    connection.commit();
                    LOG.info("Restored tenant '{}' (schema {}) from snapshot {} ({} -> {})", tenant, schema.quoted(),
                            from.quoted(), before, after);
                    return new MigrationResult(schema, before, after, 0, false);
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            } catch (SQLException | RuntimeException e) {
                throw new SnapshotException("Restoring tenant '" + tenant + "' (schema " + schema.quoted() + ") from snapshot '"
                        + snapshot + "' failed and was rolled back; the tenant is as it was: " + e.getMessage(),
                        tenant, schema.value(), e);
            }
        });
    }

    /** Drops every snapshot taken more than {@code olderThan} ago, each with its record in one transaction. */
    List<TenantSnapshot> prune(Duration olderThan) {
        Instant cutoff = clock.instant().minus(olderThan);
        List<TenantSnapshot> dropped = new ArrayList<>();
        for (TenantSnapshot snapshot : list(null)) {
            if (!snapshot.takenAt().isBefore(cutoff)) {
                continue;
            }
            SchemaName name = SchemaName.of(snapshot.name());
            try (Connection connection = database.admin().getConnection()) {
                connection.setAutoCommit(false);
                try {
                    SchemaMigrator.lockUntilCommit(connection, name);
                    try (Statement statement = connection.createStatement()) {
                        statement.execute("DROP SCHEMA IF EXISTS " + name.quoted() + " CASCADE");
                    }
                    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table
                            + " WHERE snapshot_schema = ?")) {
                        delete.setString(1, name.value());
                        delete.executeUpdate();
                    }
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                throw new TenantryException("Dropping snapshot " + name.quoted() + " of tenant '" + snapshot.tenant()
                        + "' failed and was rolled back (" + dropped.size() + " older snapshots were dropped before it): "
                        + e.getMessage(), e);
            }
            dropped.add(snapshot);
        }
        LOG.info("Pruned {} snapshot(s) taken before {}", dropped.size(), cutoff);
        return dropped;
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
