package dev.tenantry.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-time move of history rows into the tables of the modules they belong to. Before modules had histories
 * of their own, every migration of a schema (the model's and the application's) was recorded in Flyway's default
 * table; a schema made that way keeps working: the first migration run finds the rows whose script (or else
 * version) belongs to another declared module, and moves them into that module's table, renumbered in their
 * order, in one transaction under the schema's lock. A default table that no module owns and that is left
 * empty is dropped. Rows that belong to no declared module stay where they are.
 */
final class HistoryConversion {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryConversion.class);
    private static final String COLUMNS =
            "version, description, type, script, checksum, installed_by, installed_on, execution_time, success";

    private final SchemaMigrator migrator;

    HistoryConversion(SchemaMigrator migrator) {
        this.migrator = migrator;
    }

    /** A history row, as far as deciding its module needs. */
    private record Row(int rank, String version, String script) {
    }

    /**
     * Moves the rows of {@code schema} that are in another module's table, if any, over {@code connection}, which
     * holds the schema's advisory lock and is in auto-commit mode; leaves it so.
     *
     * @return how many rows moved
     */
    int convert(Connection connection, String tenant, SchemaName schema) throws SQLException {
        Set<String> candidates = new LinkedHashSet<>(migrator.historyTables());
        candidates.add(SchemaMigrator.HISTORY_TABLE);
        List<String> existing = existingTables(connection, schema, candidates);
        if (existing.isEmpty() || existing.size() == 1 && migrator.modules().size() == 1
                && existing.get(0).equals(migrator.modules().get(0).historyTable())) {
            return 0;
        }
        // source table -> target table -> ranks to move
        Map<String, Map<String, List<Integer>>> moves = new LinkedHashMap<>();
        for (String table : existing) {
            MigrationModule owner = owner(table);
            for (Row row : rows(connection, schema, table)) {
                if (owner != null && belongs(owner, row)) {
                    continue;
                }
                MigrationModule home = home(row, owner);
                if (home != null) {
                    moves.computeIfAbsent(table, t -> new LinkedHashMap<>())
                            .computeIfAbsent(home.historyTable(), t -> new ArrayList<>()).add(row.rank());
                }
            }
        }
        if (moves.isEmpty()) {
            return 0;
        }
        int moved = 0;
        connection.setAutoCommit(false);
        try {
            migrator.limitLockWaits(connection);
            for (Map.Entry<String, Map<String, List<Integer>>> source : moves.entrySet()) {
                String from = schema.quoted() + "." + SchemaName.quoteIdentifier(source.getKey());
                for (Map.Entry<String, List<Integer>> target : source.getValue().entrySet()) {
                    String to = schema.quoted() + "." + SchemaName.quoteIdentifier(target.getKey());
                    SchemaMigrator.execute(connection, "CREATE TABLE IF NOT EXISTS " + to + " (LIKE " + from + " INCLUDING ALL)");
                    refuseDuplicates(connection, from, to, target);
                    try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + to + " (installed_rank, "
                            + COLUMNS + ") SELECT (SELECT coalesce(max(installed_rank), 0) FROM " + to + ")"
                            + " + row_number() OVER (ORDER BY installed_rank), " + COLUMNS + " FROM " + from
                            + " WHERE installed_rank = ANY (?)");
                         PreparedStatement delete = connection.prepareStatement("DELETE FROM " + from
                                 + " WHERE installed_rank = ANY (?)")) {
                        Integer[] ranks = target.getValue().toArray(Integer[]::new);
                        insert.setArray(1, connection.createArrayOf("int4", ranks));
                        moved += insert.executeUpdate();
                        delete.setArray(1, connection.createArrayOf("int4", ranks));
                        delete.executeUpdate();
                    }
                }
                if (owner(source.getKey()) == null && rows(connection, schema, source.getKey()).isEmpty()) {
                    SchemaMigrator.execute(connection, "DROP TABLE " + from);
                }
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw migrator.failure(tenant, schema, "Converting the migration history to one table per module", e);
        } finally {
            connection.setAutoCommit(true);
        }
        LOG.info("Converted the migration history of schema {}: {} rows moved to their modules' tables {}", schema.quoted(),
                moved, moves.values().stream().flatMap(m -> m.keySet().stream()).distinct().toList());
        return moved;
    }

    /** A version recorded in both tables cannot be merged by moving rows: which record is right is the user's call. */
    private static void refuseDuplicates(Connection connection, String from, String to, Map.Entry<String, List<Integer>> target)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT t.version FROM " + to + " t JOIN " + from
                + " f ON f.version = t.version WHERE f.installed_rank = ANY (?) ORDER BY t.installed_rank")) {
            statement.setArray(1, connection.createArrayOf("int4", target.getValue().toArray(Integer[]::new)));
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    throw new TenantryException(target.getKey() + " holds version " + rows.getString(1) + " already, which "
                            + from + " records too; remove the row that is wrong from one of them, then migrate again");
                }
            }
        }
    }

    private MigrationModule owner(String table) {
        return migrator.modules().stream().filter(m -> m.historyTable().equals(table)).findFirst().orElse(null);
    }

    private boolean belongs(MigrationModule module, Row row) {
        SchemaMigrator.Resolved resolved = migrator.resolved(module);
        return row.script() != null && resolved.scripts().contains(row.script());
    }

    /**
     * The one module other than {@code owner} that the row belongs to: by its script, else, for a script no module
     * has, by its version when exactly one module has it and the owner does not.
     */
    private MigrationModule home(Row row, MigrationModule owner) {
        List<MigrationModule> byScript = new ArrayList<>();
        List<MigrationModule> byVersion = new ArrayList<>();
        for (MigrationModule module : migrator.modules()) {
            SchemaMigrator.Resolved resolved = migrator.resolved(module);
            if (row.script() != null && resolved.scripts().contains(row.script())) {
                byScript.add(module);
            } else if (row.version() != null && resolved.versions().contains(row.version())) {
                byVersion.add(module);
            }
        }
        if (byScript.size() == 1) {
            return byScript.get(0) == owner ? null : byScript.get(0);
        }
        if (byScript.isEmpty() && byVersion.size() == 1 && byVersion.get(0) != owner) {
            return byVersion.get(0);
        }
        return null;
    }

    private static List<String> existingTables(Connection connection, SchemaName schema, Set<String> tables) throws SQLException {
        List<String> found = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = ? AND tablename = ANY (?) ORDER BY tablename")) {
            statement.setString(1, schema.value());
            statement.setArray(2, connection.createArrayOf("text", tables.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
        }
        return found;
    }

    private static List<Row> rows(Connection connection, SchemaName schema, String table) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT installed_rank, version, script FROM "
                + schema.quoted() + "." + SchemaName.quoteIdentifier(table) + " ORDER BY installed_rank");
             ResultSet result = statement.executeQuery()) {
            while (result.next()) {
                rows.add(new Row(result.getInt(1), result.getString(2), result.getString(3)));
            }
        }
        return rows;
    }
}
