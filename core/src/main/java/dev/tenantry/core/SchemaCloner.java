package dev.tenantry.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies one schema into a new one inside a single transaction: tables with their columns, defaults,
 * constraints, indexes, identity columns, foreign keys and storage parameters; sequences; grants; and, as
 * asked, the rows of every table or only of the migration history, so that a copy of a migrated schema is
 * recognised as migrated. It is how a tenant is created from a migrated template in a few statements instead
 * of a full migration replay. Schemas holding views, functions, triggers or types of their own are refused
 * (replay their migrations instead), since copying those faithfully needs their definitions rewritten.
 */
public final class SchemaCloner {

    /** Which rows the copy takes along. */
    public enum Rows {
        /** Only the migration history: a fresh tenant created from a template. */
        HISTORY_ONLY,
        /** Every row of every table. */
        ALL
    }

    /** What a copy did. */
    public record CloneResult(SchemaName source, SchemaName target, int tables, long rowsCopied) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SchemaCloner.class);

    private final DataSource admin;

    /** @param admin unpooled connections for schema changes; see {@link Database#admin()} */
    public SchemaCloner(DataSource admin) {
        this.admin = admin;
    }

    /**
     * Creates {@code target} as a copy of {@code source}; nothing is left behind if any step fails.
     *
     * @throws TenantryException naming both schemas, when the source is missing or holds objects that
     *                           cannot be copied, when the target exists, or when PostgreSQL refuses a step
     */
    public CloneResult copy(SchemaName source, SchemaName target, Rows rows) {
        if (source.equals(target)) {
            throw new TenantryException("Cannot copy schema " + source.quoted() + " onto itself");
        }
        try (Connection connection = admin.getConnection()) {
            connection.setAutoCommit(false);
            try {
                String planKey = rows == Rows.HISTORY_ONLY ? planKey(connection, source) : null;
                Plan plan = planKey == null ? null : plans.get(planKey);
                CloneResult result;
                if (plan != null) {
                    result = replay(connection, plan, source, target);
                } else {
                    List<String> log = new ArrayList<>();
                    result = copyInTransaction(connection, source, target, rows, log);
                    if (planKey != null) {
                        plans.put(planKey, new Plan(log.stream().map(sql -> toTemplate(sql, target)).toList(),
                                result.tables(), result.rowsCopied()));
                    }
                }
                connection.commit();
                LOG.info("Copied schema {} to {}: {} tables, {} rows", source.quoted(), target.quoted(),
                        result.tables(), result.rowsCopied());
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (TenantryException e) {
            throw e;
        } catch (SQLException e) {
            throw new TenantryException("Copying schema " + source.quoted() + " to " + target.quoted()
                    + " failed and was rolled back: " + e.getMessage(), e);
        }
    }

    /**
     * The statements a structure-only copy of one source ran, with the target's name lifted out: copies
     * of an unchanged source (a template, many tenants in a row) run them again in one round trip instead
     * of reading the catalog each time.
     */
    private record Plan(List<String> statements, int tables, long rows) {
    }

    private static final String TARGET = "\u0000target\u0000";

    private final Map<String, Plan> plans = new ConcurrentHashMap<>();

    /**
     * Identifies the source's current state: its migration history (rank and checksums), so a plan is
     * reused only while the source has not been migrated since. Sources without history get no plan.
     */
    private static String planKey(Connection connection, SchemaName source) throws SQLException {
        if (!SchemaMigrator.tableExists(connection, source, SchemaMigrator.HISTORY_TABLE)) {
            return null;
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) || ':' || coalesce(max(installed_rank), 0) || ':'"
                     + " || coalesce(sum(checksum::bigint), 0) FROM " + source.quoted() + "." + SchemaMigrator.HISTORY_TABLE)) {
            rows.next();
            return source.value() + "@" + rows.getString(1);
        }
    }

    /** Lifts the target out of a statement: only where it stands as a schema, never inside other names. */
    private static String toTemplate(String sql, SchemaName target) {
        return sql.replace(target.quoted() + ".", TARGET + ".")
                .replace("SCHEMA " + target.quoted(), "SCHEMA " + TARGET)
                .replace("search_path = " + target.quoted(), "search_path = " + TARGET);
    }

    private static CloneResult replay(Connection connection, Plan plan, SchemaName source, SchemaName target)
            throws SQLException {
        boolean sourceFirst = source.compareTo(target) < 0;
        SchemaMigrator.lockUntilCommit(connection, sourceFirst ? source : target);
        SchemaMigrator.lockUntilCommit(connection, sourceFirst ? target : source);
        if (SchemaMigrator.schemaExists(connection, target)) {
            throw new TenantryException("Cannot copy into schema " + target.quoted() + ": it exists already");
        }
        StringBuilder script = new StringBuilder();
        for (String statement : plan.statements()) {
            script.append(statement.replace(TARGET, target.quoted())).append(";\n");
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(script.toString());
        }
        return new CloneResult(source, target, plan.tables(), plan.rows());
    }

    private CloneResult copyInTransaction(Connection connection, SchemaName source, SchemaName target, Rows rows,
                                         List<String> log) throws SQLException {
        // Lock in name order, so two copies between the same schemas cannot deadlock.
        boolean sourceFirst = source.compareTo(target) < 0;
        SchemaMigrator.lockUntilCommit(connection, sourceFirst ? source : target);
        SchemaMigrator.lockUntilCommit(connection, sourceFirst ? target : source);
        if (!SchemaMigrator.schemaExists(connection, source)) {
            throw new TenantryException("Cannot copy schema " + source.quoted() + ": it does not exist");
        }
        if (SchemaMigrator.schemaExists(connection, target)) {
            throw new TenantryException("Cannot copy into schema " + target.quoted() + ": it exists already");
        }
        List<String> unsupported = strings(connection, UNSUPPORTED_OBJECTS, source.value());
        if (!unsupported.isEmpty()) {
            throw new TenantryException("Cannot copy schema " + source.quoted() + ": it holds "
                    + String.join(", ", unsupported.subList(0, Math.min(5, unsupported.size())))
                    + (unsupported.size() > 5 ? " and " + (unsupported.size() - 5) + " more" : "")
                    + ", which a copy would not reproduce faithfully; run the migrations instead");
        }
        execute(connection, log, "CREATE SCHEMA " + target.quoted());
        copyGrants(connection, log, SCHEMA_GRANTS, source, target, "SCHEMA " + target.quoted());

        List<String[]> sequences = rowsOf(connection, STANDALONE_SEQUENCES, source.value(), 8);
        for (String[] s : sequences) {
            execute(connection, log, "CREATE SEQUENCE " + target.quoted() + "." + s[0] + " AS " + s[1] + " INCREMENT BY " + s[3]
                    + " MINVALUE " + s[5] + " MAXVALUE " + s[4] + " START WITH " + s[2] + " CACHE " + s[6]
                    + ("t".equals(s[7]) ? " CYCLE" : " NO CYCLE"));
        }
        List<String> tables = strings(connection, TABLES, source.value());
        for (String table : tables) {
            execute(connection, log, "CREATE TABLE " + target.quoted() + "." + table + " (LIKE " + source.quoted() + "." + table
                    + " INCLUDING ALL)");
        }
        // LIKE copies indexes' storage parameters but not the table's own (autovacuum thresholds, fillfactor).
        for (Map.Entry<String, String> p : storageParameters(connection, source).entrySet()) {
            execute(connection, log, "ALTER TABLE " + target.quoted() + "." + SchemaName.quoteIdentifier(p.getKey()) + " SET (" + p.getValue() + ")");
        }
        long copied = 0;
        for (String table : tables) {
            boolean history = table.equals(SchemaMigrator.HISTORY_TABLE) || table.equals('"' + SchemaMigrator.HISTORY_TABLE + '"');
            if (rows == Rows.ALL || history) {
                copied += copyRows(connection, log, source, target, table);
            }
        }
        // Expressions are printed without a schema for objects on the search_path, and read back the same
        // way: render them with the source first on the path, create them with the target first on it.
        setSearchPath(connection, log, source);
        List<String[]> sequenceDefaults = rowsOf(connection, SEQUENCE_DEFAULTS, source.value(), 3);
        List<String[]> ownedSequences = rowsOf(connection, OWNED_SEQUENCES, source.value(), 3);
        List<String[]> foreignKeys = rowsOf(connection, FOREIGN_KEYS, source.value(), 3);
        List<String[]> sourceIndexes = rowsOf(connection, INDEXES, source.value(), 2);
        setSearchPath(connection, log, target);
        renameIndexesLike(connection, log, source, target, sourceIndexes, rowsOf(connection, INDEXES, target.value(), 2));
        for (String[] d : sequenceDefaults) {
            execute(connection, log, "ALTER TABLE " + target.quoted() + "." + d[0] + " ALTER COLUMN " + d[1] + " SET DEFAULT " + d[2]);
        }
        for (String[] o : ownedSequences) {
            execute(connection, log, "ALTER SEQUENCE " + target.quoted() + "." + o[0] + " OWNED BY " + target.quoted() + "." + o[1]
                    + "." + o[2]);
        }
        if (rows == Rows.ALL) {
            for (String[] s : sequences) {
                syncSequence(connection, source.quoted() + "." + s[0], target.quoted() + "." + s[0]);
            }
            for (String[] identity : rowsOf(connection, IDENTITY_COLUMNS, source.value(), 2)) {
                syncIdentity(connection, source, target, identity[0], identity[1]);
            }
        }
        for (String[] fk : foreignKeys) {
            execute(connection, log, "ALTER TABLE " + target.quoted() + "." + fk[0] + " ADD CONSTRAINT " + fk[1] + " " + fk[2]);
        }
        for (String table : tables) {
            copyGrants(connection, log, TABLE_GRANTS, source, target, table);
        }
        for (String[] sequence : sequences) {
            copyGrants(connection, log, TABLE_GRANTS, source, target, sequence[0]);
        }
        return new CloneResult(source, target, tables.size(), copied);
    }

    /**
     * {@code LIKE ... INCLUDING INDEXES} names the new indexes (and so primary key and unique constraints)
     * itself; give them the source's names, pairing indexes by their definitions.
     */
    private static void renameIndexesLike(Connection connection, List<String> log, SchemaName source, SchemaName target,
                                          List<String[]> sourceIndexes, List<String[]> targetIndexes) throws SQLException {
        List<String[]> renames = new ArrayList<>();
        List<String[]> unmatched = new ArrayList<>(targetIndexes);
        for (String[] wanted : sourceIndexes) {
            String key = withoutName(wanted, source);
            for (String[] candidate : unmatched) {
                if (withoutName(candidate, target).equals(key)) {
                    unmatched.remove(candidate);
                    if (!candidate[0].equals(wanted[0])) {
                        renames.add(new String[] {candidate[0], wanted[0]});
                    }
                    break;
                }
            }
        }
        // Two steps, so that a wanted name still held by another new index is free when it is taken.
        for (int i = 0; i < renames.size(); i++) {
            execute(connection, log, "ALTER INDEX " + target.quoted() + "." + renames.get(i)[0] + " RENAME TO tenantry_copy_" + i);
        }
        for (int i = 0; i < renames.size(); i++) {
            execute(connection, log, "ALTER INDEX " + target.quoted() + ".tenantry_copy_" + i + " RENAME TO " + renames.get(i)[1]);
        }
    }

    /** The definition without the index's name and its table's schema, which always qualifies it. */
    private static String withoutName(String[] index, SchemaName schema) {
        return index[1].replace(" INDEX " + index[0] + " ON ", " INDEX ON ")
                .replace(" ON " + schema.quoted() + ".", " ON ")
                .replace(" ON " + schema.value() + ".", " ON ");
    }

    private static long copyRows(Connection connection, List<String> log, SchemaName source, SchemaName target, String table)
            throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(INSERTABLE_COLUMNS)) {
            statement.setString(1, source.value());
            statement.setString(2, unquote(table));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    columns.add(rows.getString(1));
                }
            }
        }
        String list = String.join(", ", columns);
        String insert = "INSERT INTO " + target.quoted() + "." + table + " (" + list + ") OVERRIDING SYSTEM VALUE SELECT "
                + list + " FROM " + source.quoted() + "." + table;
        try (Statement statement = connection.createStatement()) {
            long rows = statement.executeLargeUpdate(insert);
            log.add(insert);
            return rows;
        }
    }

    private static void syncSequence(Connection connection, String sourceSequence, String targetSequence) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT setval(?::regclass, v, true) FROM (SELECT pg_sequence_last_value(?::regclass) AS v) s WHERE v IS NOT NULL")) {
            statement.setString(1, targetSequence);
            statement.setString(2, sourceSequence);
            statement.execute();
        }
    }

    private static void syncIdentity(Connection connection, SchemaName source, SchemaName target, String table,
                                     String column) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_get_serial_sequence(?, ?), pg_get_serial_sequence(?, ?)")) {
            statement.setString(1, source.quoted() + "." + table);
            statement.setString(2, unquote(column));
            statement.setString(3, target.quoted() + "." + table);
            statement.setString(4, unquote(column));
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next() && rows.getString(1) != null && rows.getString(2) != null) {
                    syncSequence(connection, rows.getString(1), rows.getString(2));
                }
            }
        }
    }

    private static void copyGrants(Connection connection, List<String> log, String query, SchemaName source, SchemaName target, String object)
            throws SQLException {
        List<String[]> grants = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(query)) {
            statement.setString(1, source.value());
            if (query == TABLE_GRANTS) {
                statement.setString(2, unquote(object));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    grants.add(new String[] {rows.getString(1), rows.getString(2), rows.getString(3)});
                }
            }
        }
        for (String[] grant : grants) {
            String on = query == TABLE_GRANTS ? grant[2] + " " + target.quoted() + "." + object : object;
            execute(connection, log, "GRANT " + grant[0] + " ON " + on + " TO " + grant[1]);
        }
    }

    private static void setSearchPath(Connection connection, List<String> log, SchemaName schema) throws SQLException {
        execute(connection, log, "SET LOCAL search_path = " + schema.quoted() + ", pg_catalog");
    }

    private static String unquote(String identifier) {
        return identifier.startsWith("\"") ? identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"") : identifier;
    }

    private static List<String> strings(Connection connection, String sql, String schema) throws SQLException {
        List<String> values = new ArrayList<>();
        for (String[] row : rowsOf(connection, sql, schema, 1)) {
            values.add(row[0]);
        }
        return values;
    }

    /**
     * The storage parameters of each table of {@code schema} that has any (its TOAST table's prefixed with
     * {@code toast.}), as {@code ALTER TABLE ... SET}'s list, by table name, in name order.
     */
    public static Map<String, String> storageParameters(Connection connection, SchemaName schema) throws SQLException {
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String[] row : rowsOf(connection, STORAGE_PARAMETERS, schema.value(), 2)) {
            parameters.put(row[0], row[1]);
        }
        return parameters;
    }

    private static List<String[]> rowsOf(Connection connection, String sql, String schema, int columns) throws SQLException {
        List<String[]> result = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, schema);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String[] row = new String[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = rows.getString(i + 1);
                    }
                    result.add(row);
                }
            }
        }
        return result;
    }

    /** Runs one statement of the copy and writes it to {@code log}, from which a plan is made. */
    private static void execute(Connection connection, List<String> log, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        log.add(sql);
    }

    private static final String NAMESPACE = "(SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ?)";

    private static final String UNSUPPORTED_OBJECTS =
            "WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ?)"
            + " SELECT kind || ' ' || name FROM ("
            + " SELECT CASE relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table'"
            + "   ELSE 'partitioned table' END AS kind, relname::text AS name, 1 AS o FROM pg_catalog.pg_class, ns"
            + "   WHERE relnamespace = ns.oid AND relkind IN ('v', 'm', 'f', 'p')"
            + " UNION ALL SELECT 'function', proname::text, 2 FROM pg_catalog.pg_proc, ns WHERE pronamespace = ns.oid"
            + " UNION ALL SELECT 'type', typname::text, 3 FROM pg_catalog.pg_type t, ns WHERE typnamespace = ns.oid"
            + "   AND typtype IN ('c', 'e', 'd', 'r', 'm') AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.reltype = t.oid)"
            + " UNION ALL SELECT 'trigger', tgname::text, 4 FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid, ns"
            + "   WHERE c.relnamespace = ns.oid AND NOT tg.tgisinternal"
            + ") objects ORDER BY o, name";

    private static final String TABLES =
            "SELECT quote_ident(relname) FROM pg_catalog.pg_class WHERE relnamespace = " + NAMESPACE
            + " AND relkind = 'r' ORDER BY relname";

    /** Each table's storage parameters, its TOAST table's prefixed with {@code toast.}, as ALTER TABLE's SET list. */
    private static final String STORAGE_PARAMETERS =
            "SELECT c.relname, string_agg(o.parameter, ', ' ORDER BY o.toast, o.position) FROM pg_catalog.pg_class c"
            + " CROSS JOIN LATERAL (SELECT false, r.position, quote_ident(split_part(r.option, '=', 1)) || ' = '"
            + "     || quote_literal(substr(r.option, strpos(r.option, '=') + 1))"
            + "   FROM unnest(c.reloptions) WITH ORDINALITY r(option, position)"
            + "   UNION ALL SELECT true, r.position, 'toast.' || quote_ident(split_part(r.option, '=', 1)) || ' = '"
            + "     || quote_literal(substr(r.option, strpos(r.option, '=') + 1))"
            + "   FROM pg_catalog.pg_class t CROSS JOIN unnest(t.reloptions) WITH ORDINALITY r(option, position)"
            + "   WHERE t.oid = c.reltoastrelid) o(toast, position, parameter)"
            + " WHERE c.relnamespace = " + NAMESPACE + " AND c.relkind = 'r' GROUP BY c.relname ORDER BY c.relname";

    private static final String STANDALONE_SEQUENCES =
            "SELECT quote_ident(c.relname), format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmax, s.seqmin,"
            + " s.seqcache, s.seqcycle FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid"
            + " WHERE c.relnamespace = " + NAMESPACE + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
            + "   WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i')"
            + " ORDER BY c.relname";

    private static final String SEQUENCE_DEFAULTS =
            "SELECT quote_ident(c.relname), quote_ident(a.attname), pg_catalog.pg_get_expr(d.adbin, d.adrelid)"
            + " FROM pg_catalog.pg_attrdef d JOIN pg_catalog.pg_class c ON c.oid = d.adrelid"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum"
            + " WHERE c.relnamespace = " + NAMESPACE + " AND EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep"
            + "   JOIN pg_catalog.pg_class seq ON seq.oid = dep.refobjid AND seq.relkind = 'S'"
            + "   WHERE dep.classid = 'pg_catalog.pg_attrdef'::regclass AND dep.objid = d.oid)"
            + " ORDER BY c.relname, a.attnum";

    private static final String OWNED_SEQUENCES =
            "SELECT quote_ident(seq.relname), quote_ident(tbl.relname), quote_ident(a.attname)"
            + " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_class seq ON seq.oid = d.objid AND seq.relkind = 'S'"
            + " JOIN pg_catalog.pg_class tbl ON tbl.oid = d.refobjid"
            + " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
            + " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'a' AND seq.relnamespace = " + NAMESPACE
            + " ORDER BY seq.relname";

    private static final String FOREIGN_KEYS =
            "SELECT quote_ident(c.relname), quote_ident(con.conname), pg_catalog.pg_get_constraintdef(con.oid)"
            + " FROM pg_catalog.pg_constraint con JOIN pg_catalog.pg_class c ON c.oid = con.conrelid"
            + " WHERE con.contype = 'f' AND c.relnamespace = " + NAMESPACE + " ORDER BY c.relname, con.conname";

    private static final String INDEXES =
            "SELECT quote_ident(i.relname), pg_catalog.pg_get_indexdef(i.oid) FROM pg_catalog.pg_index x"
            + " JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE i.relnamespace = " + NAMESPACE + " ORDER BY i.relname";

    private static final String IDENTITY_COLUMNS =
            "SELECT quote_ident(c.relname), quote_ident(a.attname) FROM pg_catalog.pg_attribute a"
            + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = " + NAMESPACE
            + " AND c.relkind = 'r' AND a.attidentity <> '' AND NOT a.attisdropped";

    private static final String INSERTABLE_COLUMNS =
            "SELECT quote_ident(a.attname) FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
            + " WHERE c.relnamespace = " + NAMESPACE + " AND c.relname = ? AND a.attnum > 0 AND NOT a.attisdropped"
            + " AND a.attgenerated = '' ORDER BY a.attnum";

    private static final String SCHEMA_GRANTS =
            "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END, ''"
            + " FROM pg_catalog.pg_namespace n, aclexplode(n.nspacl) a LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee"
            + " WHERE n.nspname = ? AND a.grantee <> n.nspowner";

    private static final String TABLE_GRANTS =
            "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END,"
            + " CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END"
            + " FROM pg_catalog.pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee"
            + " WHERE c.relnamespace = " + NAMESPACE + " AND quote_ident(c.relname) = quote_ident(?) AND a.grantee <> c.relowner";
}
