package dev.tenantry.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Tenantry does differently on a Citus coordinator, found out once per {@link Database}: each tenant
 * schema is a distributed schema (Citus's schema-based sharding), which lives whole on one node and to which
 * Citus routes every statement that stays inside it, while Tenantry's own schemas (the registry, the template)
 * stay on the coordinator. This holds whatever the server's {@code citus.enable_schema_based_sharding} says:
 * each schema is created with the setting Tenantry needs for it. On plain PostgreSQL, or with
 * {@code TENANTRY_CITUS=off}, {@link #NONE} stands in and schemas are created as PostgreSQL alone would.
 *
 * <p>Schema changes must go through the coordinator: a Citus worker is refused (see {@link #detect}).
 */
public final class Citus {

    /** Plain PostgreSQL: nothing is distributed, nothing is asked of Citus. */
    public static final Citus NONE = new Citus(null);

    private static final Logger LOG = LoggerFactory.getLogger(Citus.class);

    /** The Citus setting that makes {@code CREATE SCHEMA} create a distributed schema. */
    private static final String SCHEMA_SHARDING = "citus.enable_schema_based_sharding";

    /** A node of the cluster, as Citus registers it ({@code pg_dist_node}). */
    public record Node(String host, int port) {

        public Node {
            Objects.requireNonNull(host, "host");
        }

        /**
         * Reads {@code HOST:PORT} ({@code [IPV6]:PORT} too).
         *
         * @throws IllegalArgumentException saying what is wrong with the text
         */
        public static Node parse(String text) {
            int colon = text == null ? -1 : text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
            }
            try {
                int port = Integer.parseInt(text.substring(colon + 1));
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
                String host = text.substring(0, colon);
                // [::1]:5432 names the IPv6 host ::1, as pg_dist_node writes it
                return new Node(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host, port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not HOST:PORT: the port must be a number from 1 to 65535");
            }
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /**
     * Where one schema's tables live: on the coordinator ({@link #local()}), or distributed on one node (or on
     * none yet, while the distributed schema has no tables).
     */
    public record Placement(boolean distributed, Node node) {

        /** A schema Citus does not distribute: its tables are the coordinator's own. */
        public static final Placement LOCAL = new Placement(false, null);

        public boolean local() {
            return !distributed;
        }

        @Override
        public String toString() {
            return !distributed ? "coordinator (not distributed)" : node == null ? "distributed, no tables yet" : node.toString();
        }
    }

    /**
     * How Citus copies a schema to another node ({@code shard_transfer_mode}). Logical replication lets writes go
     * on while the rows are copied and blocks them only for the switch-over; it needs {@code wal_level = logical}
     * on the source node. Blocking writes works everywhere: reads go on, writes wait until the copy is done.
     */
    public enum TransferMode {
        /** Logical replication where the source node has {@code wal_level = logical}, otherwise blocking writes. */
        AUTO(null),
        /** Logical replication ({@code force_logical}): writes wait only for the switch-over. */
        LOGICAL("force_logical"),
        /** Copy with writes blocked for the whole copy ({@code block_writes}); reads go on. */
        BLOCK_WRITES("block_writes");

        private final String citusName;

        TransferMode(String citusName) {
            this.citusName = citusName;
        }

        /** Citus's name of the mode; {@code null} for {@link #AUTO}, which is resolved per move. */
        public String citusName() {
            return citusName;
        }

        /** Reads {@code auto}, {@code logical} or {@code block-writes} (also Citus's own spellings). */
        public static TransferMode parse(String text) {
            String value = text == null ? "" : text.strip().toLowerCase(Locale.ROOT).replace('-', '_');
            switch (value) {
                case "auto": return AUTO;
                case "logical": case "force_logical": return LOGICAL;
                case "block_writes": return BLOCK_WRITES;
                default: throw new IllegalArgumentException("'" + text + "' is not a transfer mode; use auto, logical or block-writes");
            }
        }
    }

    private final String version;

    private Citus(String version) {
        this.version = version;
    }

    /**
     * Finds out whether the connection's database is a Citus coordinator that Tenantry should use, as
     * {@code mode} says: {@code off} never asks; {@code auto} uses Citus when the {@code citus} extension is
     * installed; {@code on} requires it.
     *
     * @throws InvalidConfigurationException for {@code TENANTRY_CITUS=on} on a database without the extension
     * @throws TenantryException when the database is a Citus worker: schema changes go through the coordinator
     */
    public static Citus detect(Connection connection, CitusMode mode) throws SQLException {
        if (mode == CitusMode.OFF) {
            return NONE;
        }
        String version = null;
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'citus'")) {
            if (rows.next()) {
                version = rows.getString(1);
            }
        }
        String database = connection.getCatalog();
        if (version == null) {
            if (mode == CitusMode.ON) {
                throw new InvalidConfigurationException(TenantryConfig.CITUS, "is on, but database \"" + database
                        + "\" has no citus extension; run CREATE EXTENSION citus there (on the coordinator), or set "
                        + TenantryConfig.CITUS + "=auto");
            }
            return NONE;
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT groupid FROM pg_catalog.pg_dist_local_group")) {
            // Group 0 is the coordinator; a database that was never added to a cluster is one too (single node).
            if (rows.next() && rows.getInt(1) != 0) {
                throw new TenantryException("Database \"" + database + "\" is a Citus worker (group " + rows.getInt(1)
                        + "): Tenantry changes schemas only through the coordinator; point DATABASE_URL (or "
                        + TenantryConfig.ADMIN_DATABASE_URL + ") at the coordinator, or set " + TenantryConfig.CITUS + "=off");
            }
        }
        LOG.info("Citus {} on the coordinator: tenant schemas are distributed, Tenantry's own schemas stay on the coordinator",
                version);
        return new Citus(version);
    }

    /** Whether Tenantry is working with Citus on this database. */
    public boolean active() {
        return version != null;
    }

    /** The version of the {@code citus} extension, or {@code null} when {@link #active()} is false. */
    public String version() {
        return version;
    }

    /**
     * The statement that makes the next {@code CREATE SCHEMA} of the caller's transaction a distributed schema (a
     * tenant's) or one on the coordinator (Tenantry's own), whatever the server's setting; empty without Citus.
     * It is {@code SET LOCAL}, so it ends with the transaction and nothing else the session does is affected.
     */
    public Optional<String> schemaPlacement(boolean distributed) {
        return active() ? Optional.of("SET LOCAL " + SCHEMA_SHARDING + " = " + (distributed ? "on" : "off")) : Optional.empty();
    }

    /**
     * Creates {@code schema} if it does not exist, placed as {@link #schemaPlacement} says. On a connection in
     * auto-commit mode the statements run in a transaction of their own.
     */
    public void createSchema(Connection connection, SchemaName schema, boolean distributed) throws SQLException {
        Optional<String> placement = schemaPlacement(distributed);
        boolean ownTransaction = connection.getAutoCommit() && placement.isPresent();
        if (ownTransaction) {
            connection.setAutoCommit(false);
        }
        try (Statement statement = connection.createStatement()) {
            if (placement.isPresent()) {
                statement.execute(placement.get());
            }
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + schema.quoted());
            if (ownTransaction) {
                connection.commit();
            }
        } catch (SQLException | RuntimeException e) {
            if (ownTransaction) {
                connection.rollback();
            }
            throw e;
        } finally {
            if (ownTransaction) {
                connection.setAutoCommit(true);
            }
        }
    }

    /** Whether Citus distributes {@code schema}; always false when not {@link #active()}. */
    public boolean isDistributed(Connection connection, SchemaName schema) throws SQLException {
        if (!active()) {
            return false;
        }
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_dist_schema s"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = s.schemaid WHERE n.nspname = ?")) {
            statement.setString(1, schema.value());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /**
     * Makes an existing schema a distributed schema ({@code citus_schema_distribute}), which moves its tables and
     * rows to one node, then frees the coordinator's local copy of the rows. For schemas created before Citus was
     * added, and for tables adopted into a schema on the coordinator. Runs in the connection's transaction, if any.
     *
     * @return whether the schema was distributed now; false if it already was, or Citus is not {@link #active()}
     */
    public boolean distribute(Connection connection, SchemaName schema) throws SQLException {
        if (!active() || isDistributed(connection, schema)) {
            return false;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(distributeStatement(schema));
        }
        freeLocalCopies(connection, schema);
        LOG.info("Distributed schema {}", schema.quoted());
        return true;
    }

    /** The call that makes {@code schema} a distributed schema, moving its tables and rows to one node. */
    public String distributeStatement(SchemaName schema) {
        return "SELECT pg_catalog.citus_schema_distribute('" + schema.quoted() + "'::regnamespace)";
    }

    /** The call that brings a distributed {@code schema} back to the coordinator, tables and rows. */
    public String undistributeStatement(SchemaName schema) {
        return "SELECT pg_catalog.citus_schema_undistribute('" + schema.quoted() + "'::regnamespace)";
    }

    /**
     * After {@link #distributeStatement}: frees the rows Citus copied to the worker but left, invisible, on the
     * coordinator's disk ({@code truncate_local_data_after_distributing_table}, table by table).
     */
    public void freeLocalCopies(Connection connection, SchemaName schema) throws SQLException {
        try (PreparedStatement tables = connection.prepareStatement("SELECT c.oid::regclass::text FROM pg_catalog.pg_class c"
                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relkind = 'r'"
                + " ORDER BY c.relname")) {
            tables.setString(1, schema.value());
            List<String> names = new ArrayList<>();
            try (ResultSet rows = tables.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            try (PreparedStatement truncate = connection.prepareStatement(
                    "SELECT pg_catalog.truncate_local_data_after_distributing_table(?::regclass)")) {
                for (String table : names) {
                    truncate.setString(1, table);
                    truncate.execute();
                }
            }
        }
    }

    /**
     * Brings a distributed schema back to the coordinator ({@code citus_schema_undistribute}): for Tenantry's own
     * schemas, which must stay there, and before tables leave a tenant's schema.
     *
     * @return whether the schema was undistributed now; false if it was not distributed
     */
    public boolean undistribute(Connection connection, SchemaName schema) throws SQLException {
        if (!isDistributed(connection, schema)) {
            return false;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute(undistributeStatement(schema));
        }
        LOG.info("Brought schema {} back to the coordinator (it was distributed)", schema.quoted());
        return true;
    }

    /**
     * Where each of {@code schemas} lives, in one query; a schema missing from the database is missing from the
     * result. Without Citus every schema is {@link Placement#LOCAL}.
     */
    public Map<String, Placement> placements(Connection connection, Collection<String> schemas) throws SQLException {
        Map<String, Placement> placements = new LinkedHashMap<>();
        String sql = active()
                ? "SELECT n.nspname, s.schemaid IS NOT NULL, node.nodename, node.nodeport FROM pg_catalog.pg_namespace n"
                        + " LEFT JOIN pg_catalog.pg_dist_schema s ON s.schemaid = n.oid"
                        + " LEFT JOIN LATERAL (SELECT d.nodename, d.nodeport FROM pg_catalog.pg_dist_partition p"
                        + "   JOIN pg_catalog.pg_dist_shard sh ON sh.logicalrelid = p.logicalrelid"
                        + "   JOIN pg_catalog.pg_dist_placement pl ON pl.shardid = sh.shardid"
                        + "   JOIN pg_catalog.pg_dist_node d ON d.groupid = pl.groupid AND d.noderole = 'primary'"
                        + "   WHERE p.colocationid = s.colocationid ORDER BY sh.shardid LIMIT 1) node ON true"
                        + " WHERE n.nspname = ANY (?)"
                : "SELECT nspname, false, NULL, NULL FROM pg_catalog.pg_namespace WHERE nspname = ANY (?)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setArray(1, connection.createArrayOf("text", schemas.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String host = rows.getString(3);
                    placements.put(rows.getString(1), !rows.getBoolean(2) ? Placement.LOCAL
                            : new Placement(true, host == null ? null : new Node(host, rows.getInt(4))));
                }
            }
        }
        return placements;
    }

    /** The nodes that may hold distributed schemas: active primaries Citus places shards on, in host and port order. */
    public List<Node> workers(Connection connection) throws SQLException {
        List<Node> nodes = new ArrayList<>();
        if (!active()) {
            return nodes;
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT nodename, nodeport FROM pg_catalog.pg_dist_node"
                     + " WHERE isactive AND noderole = 'primary' AND shouldhaveshards ORDER BY nodename, nodeport")) {
            while (rows.next()) {
                nodes.add(new Node(rows.getString(1), rows.getInt(2)));
            }
        }
        return nodes;
    }

    /**
     * The transfer mode Citus is to use for copies out of {@code sources} (every node when empty): {@code mode}
     * itself unless it is {@link TransferMode#AUTO}, which becomes logical replication where every source node has
     * {@code wal_level = logical}, and blocking writes otherwise (Citus's own {@code auto} would fail there).
     */
    public TransferMode resolve(Connection connection, TransferMode mode, Collection<Node> sources) throws SQLException {
        if (mode != TransferMode.AUTO) {
            return mode;
        }
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT d.nodename, d.nodeport, r.success, r.result"
                     + " FROM pg_catalog.run_command_on_all_nodes('SHOW wal_level') r"
                     + " JOIN pg_catalog.pg_dist_node d ON d.nodeid = r.nodeid")) {
            while (rows.next()) {
                Node node = new Node(rows.getString(1), rows.getInt(2));
                if ((sources.isEmpty() || sources.contains(node)) && !(rows.getBoolean(3) && "logical".equals(rows.getString(4)))) {
                    return TransferMode.BLOCK_WRITES;
                }
            }
        }
        return TransferMode.LOGICAL;
    }

    /**
     * Moves a distributed schema, all its tables together, to {@code target} ({@code citus_schema_move}), in the
     * given resolved mode. Returns when the move is done.
     */
    public void move(Connection connection, SchemaName schema, Node target, TransferMode mode) throws SQLException {
        if (mode == TransferMode.AUTO) {
            throw new IllegalArgumentException("resolve the transfer mode first");
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pg_catalog.citus_schema_move(?::regnamespace, ?, ?, ?::citus.shard_transfer_mode)")) {
            statement.setString(1, schema.quoted());
            statement.setString(2, target.host());
            statement.setInt(3, target.port());
            statement.setString(4, mode.citusName());
            statement.execute();
        }
    }
}
