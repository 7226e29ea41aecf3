package dev.tenantry.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes one module of one schema down to an earlier version with the module's down scripts
 * ({@code U<version>__<description>.sql} beside {@code V<version>__...}): newest first, each script and the
 * removal of its version's history row in one transaction, under the schema's advisory lock and the migrator's
 * lock timeout. The scripts run with the schema first on the {@code search_path}, as Flyway runs the up scripts, so
 * unqualified names mean the tenant's tables; they run as written (no Flyway placeholders).
 */
public final class SchemaRollback {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaRollback.class);

    private final SchemaMigrator migrator;
    private final javax.sql.DataSource admin;
    private final ClassLoader classLoader;
    private final Map<String, Map<MigrationVersion, UndoScripts.Script>> scripts = new ConcurrentHashMap<>();

    /**
     * @param admin       the connections the migrator uses; see {@link Database#admin()}
     * @param classLoader where {@code classpath:} locations are read from, as for the migrator
     */
    public SchemaRollback(SchemaMigrator migrator, javax.sql.DataSource admin, ClassLoader classLoader) {
        this.migrator = migrator;
        this.admin = admin;
        this.classLoader = classLoader != null ? classLoader : SchemaRollback.class.getClassLoader();
    }

    /** The versions of {@code module} that have a down script, oldest first. */
    public List<String> undoableVersions(String module) {
        return scripts(migrator.module(module)).keySet().stream().map(MigrationVersion::getVersion).toList();
    }

    /**
     * Checks a target before anything runs: {@code 0} (undo everything) or a version the module's up scripts hold.
     *
     * @throws TenantryException naming the module and the versions it has
     */
    public void checkTarget(String module, String target) {
        MigrationModule declared = migrator.module(module);
        MigrationVersion version = parse(declared, target);
        List<String> available = migrator.availableVersions(declared.name());
        if (!version.equals(MigrationVersion.fromVersion("0"))
                && available.stream().noneMatch(v -> MigrationVersion.fromVersion(v).equals(version))) {
            throw new TenantryException("Migration module '" + declared.name() + "' has no version " + target
                    + "; its versions are " + (available.isEmpty() ? "none" : String.join(", ", available))
                    + " (0 takes it down to nothing)");
        }
    }

    /**
     * Of the applied versions given (in any order), those newer than {@code target} that have no down script.
     */
    public List<String> missingScripts(String module, List<String> applied, String target) {
        MigrationModule declared = migrator.module(module);
        MigrationVersion floor = parse(declared, target);
        Map<MigrationVersion, UndoScripts.Script> known = scripts(declared);
        List<String> missing = new ArrayList<>();
        for (String version : applied) {
            MigrationVersion parsed = MigrationVersion.fromVersion(version);
            if (parsed.isNewerThan(floor) && !known.containsKey(parsed)) {
                missing.add(version);
            }
        }
        return missing;
    }

    /** Whether {@code module} of the schema stands above {@code target}, so that going there means going down. */
    public boolean isAbove(SchemaName schema, String module, String target) {
        MigrationModule declared = migrator.module(module);
        try (Connection connection = admin.getConnection()) {
            String current = SchemaMigrator.currentVersion(connection, schema, declared.historyTable()).orElse(null);
            return current != null && MigrationVersion.fromVersion(current).isNewerThan(parse(declared, target));
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the version of module '" + module + "' in schema " + schema.quoted()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes {@code module} of the schema down to {@code target}, in one transaction.
     *
     * @throws MigrationFailedException naming the tenant, schema and script; nothing changed then
     * @throws MigrationLockTimeoutException when a lock was not granted within the lock timeout; nothing changed
     */
    public MigrationResult down(String tenant, SchemaName schema, String module, String target) {
        MigrationModule declared = migrator.module(module);
        MigrationVersion floor = parse(declared, target);
        String table = schema.quoted() + "." + SchemaName.quoteIdentifier(declared.historyTable());
        String running = null;
        try (Connection connection = admin.getConnection()) {
            connection.setAutoCommit(false);
            try {
                SchemaMigrator.lockUntilCommit(connection, schema);
                migrator.limitLockWaits(connection);
                String before = migrator.describe(migrator.currentVersions(connection, schema));
                if (!SchemaMigrator.tableExists(connection, schema, declared.historyTable())) {
                    connection.rollback();
                    return new MigrationResult(schema, before, before, 0, false);
                }
                List<MigrationVersion> applied = new ArrayList<>();
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery("SELECT DISTINCT version FROM " + table
                             + " WHERE version IS NOT NULL AND success")) {
                    while (rows.next()) {
                        MigrationVersion version = MigrationVersion.fromVersion(rows.getString(1));
                        if (version.isNewerThan(floor)) {
                            applied.add(version);
                        }
                    }
                }
                applied.sort(java.util.Comparator.reverseOrder());
                Map<MigrationVersion, UndoScripts.Script> known = scripts(declared);
                for (MigrationVersion version : applied) {
                    if (!known.containsKey(version)) {
                        throw new TenantryException("no down script for version " + version.getVersion() + " of module '"
                                + declared.name() + "' (U" + version.getVersion() + "__<description>.sql)");
                    }
                }
                try (Statement statement = connection.createStatement()) {
                    // Unqualified names in the scripts mean the tenant's tables, as they do for Flyway's up scripts.
                    statement.execute("SELECT set_config('search_path', " + literal(schema.quoted()) + " || ', ' "
                            + "|| current_setting('search_path'), true)");
                }
                try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + table + " WHERE version = ?")) {
                    for (MigrationVersion version : applied) {
                        UndoScripts.Script script = known.get(version);
                        running = script.name();
                        try (Statement statement = connection.createStatement()) {
                            statement.execute(script.sql());
                        }
                        delete.setString(1, version.getVersion());
                        if (delete.executeUpdate() == 0) {
                            throw new TenantryException("the history has no row for version " + version.getVersion());
                        }
                    }
                }
                running = null;
                String after = migrator.describe(migrator.currentVersions(connection, schema));
                connection.commit();
                MigrationResult result = new MigrationResult(schema, before, after, applied.size(), false);
                if (!applied.isEmpty()) {
                    LOG.info("Took module '{}' of schema {} down to version {}: {}", declared.name(), schema.quoted(),
                            target, result);
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (MigrationFailedException e) {
            throw e;
        } catch (SQLException | RuntimeException e) {
            throw migrator.failure(tenant, schema, "Rollback of module '" + declared.name() + "' to version " + target
                    + (running == null ? "" : " (" + running + ")"), e);
        }
    }

    private Map<MigrationVersion, UndoScripts.Script> scripts(MigrationModule module) {
        return scripts.computeIfAbsent(module.name(), name -> UndoScripts.of(module, classLoader));
    }

    private static MigrationVersion parse(MigrationModule module, String target) {
        try {
            return MigrationVersion.fromVersion(target);
        } catch (RuntimeException e) {
            throw new TenantryException("'" + target + "' is not a version of migration module '" + module.name()
                    + "'; write it as in the scripts' names, such as 3 or 1.2", e);
        }
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
