package dev.tenantry.tenancy;

import dev.tenantry.core.Citus;
import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each tenant lives on a Citus cluster, and moving tenants between its nodes: one tenant with
 * {@link #move}, or every schema of the cluster with Citus's rebalancer ({@link #rebalance}). On plain PostgreSQL
 * every tenant lives on the one server; {@link #nodes()} says so and the moves are refused. Obtained from
 * {@link TenantProvisioning#placement()}.
 */
public final class TenantPlacement {

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);
    /** How often a running rebalance is looked at. */
    private static final Duration POLL = Duration.ofMillis(250);
    /** The move of one shard with its colocated shards, as the rebalancer's background tasks call it. */
    private static final Pattern SHARD_MOVE = Pattern.compile("citus_move_shard_placement\\((\\d+),\\s*(\\d+),\\s*(\\d+)");

    private final Database database;
    private final TenantRegistry registry;

    TenantPlacement(Database database, TenantRegistry registry) {
        this.database = database;
        this.registry = registry;
    }

    /** Whether the database is a Citus coordinator Tenantry works with ({@code TENANTRY_CITUS}). */
    public boolean clustered() {
        return database.citus().active();
    }

    /** The nodes tenant schemas may live on; empty without Citus. */
    public List<Citus.Node> workers() {
        Citus citus = database.citus();
        try (Connection connection = database.admin().getConnection()) {
            return citus.workers(connection);
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the nodes of the Citus cluster: " + e.getMessage(), e);
        }
    }

    /**
     * Where each tenant's schema lives, by tenant, in tenant order, in one catalog query; tenants whose schema is
     * missing are left out. Without Citus every tenant is {@link Citus.Placement#LOCAL}.
     */
    public Map<String, Citus.Placement> nodes() {
        List<TenantInfo> tenants = registry.list();
        Citus citus = database.citus();
        Map<String, Citus.Placement> bySchema;
        try (Connection connection = database.pool().getConnection()) {
            bySchema = citus.placements(connection, tenants.stream().map(TenantInfo::schema).toList());
        } catch (SQLException e) {
            throw new TenantryException("Cannot read where the tenants' schemas live: " + e.getMessage(), e);
        }
        Map<String, Citus.Placement> byTenant = new LinkedHashMap<>();
        for (TenantInfo tenant : tenants) {
            Citus.Placement placement = bySchema.get(tenant.schema());
            if (placement != null) {
                byTenant.put(tenant.tenant(), placement);
            }
        }
        return byTenant;
    }

    /**
     * Moves a ready tenant's schema, all its tables together, to another node ({@code citus_schema_move}), and
     * returns when it is there. The tenant's work goes on meanwhile: with {@link Citus.TransferMode#LOGICAL} writes
     * wait only for the switch-over at the end; with {@link Citus.TransferMode#BLOCK_WRITES} for the whole copy;
     * reads never wait. {@link Citus.TransferMode#AUTO} picks logical replication where the tenant's node has
     * {@code wal_level = logical}. A schema still on the coordinator is distributed first; one already on
     * {@code target} is left alone ({@link TenantMove#moved()} is false).
     *
     * @throws dev.tenantry.core.UnknownTenantException when the tenant is not ready
     * @throws TenantryException naming the tenant, schema and target: without Citus, for a target that is no node of
     *                           the cluster (the message lists them), or when Citus refuses or fails the move
     */
    public TenantMove move(String tenant, Citus.Node target, Citus.TransferMode mode) {
        SchemaName schema = registry.schemaOf(tenant);
        String what = "Moving tenant '" + tenant + "' (schema " + schema.quoted() + ") to " + target;
        Citus citus = requireCitus(what);
        long start = System.nanoTime();
        try (Connection connection = database.admin().getConnection()) {
            List<Citus.Node> workers = citus.workers(connection);
            if (!workers.contains(target)) {
                throw new TenantryException(what + ": " + target + " is not a node that holds tenants; the nodes are "
                        + workers + "; nothing was moved");
            }
            Citus.Placement placement = placementOf(citus, connection, schema, what);
            boolean distributed = false;
            if (placement.local()) {
                distributed = citus.distribute(connection, schema);
                placement = placementOf(citus, connection, schema, what);
            }
            Citus.Node from = placement.node();
            if (from == null) {
                throw new TenantryException(what + ": the schema has no tables yet, so it lives on no node; nothing was moved");
            }
            if (from.equals(target)) {
                return new TenantMove(tenant, schema, from, target, null, distributed, Duration.ofNanos(System.nanoTime() - start));
            }
            Citus.TransferMode resolved = citus.resolve(connection, mode, List.of(from));
            LOG.info("Moving tenant '{}' (schema {}) from {} to {} ({})", tenant, schema.quoted(), from, target, resolved);
            citus.move(connection, schema, target, resolved);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            LOG.info("Moved tenant '{}' (schema {}) from {} to {} in {} ms", tenant, schema.quoted(), from, target, took.toMillis());
            return new TenantMove(tenant, schema, from, target, resolved, distributed, took);
        } catch (SQLException e) {
            throw new TenantryException(what + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Balances the cluster: first distributes every ready tenant's schema still on the coordinator (created before
     * Citus was added), then starts Citus's rebalancer ({@code citus_rebalance_start}), which moves schemas, each
     * with all its tables, until the nodes hold about as many each, and waits for it, telling {@code progress} of
     * each step. The rebalancer works on the whole cluster, so schemas that are no tenant's may move too. Work on
     * the tenants goes on meanwhile, as for {@link #move}; {@code mode} is resolved as there, over every node.
     *
     * @throws TenantryException without Citus, when a rebalance is already running, or when Citus's job fails (the
     *                           message carries the failed moves' reasons; the moves done stay done)
     */
    public Rebalance rebalance(Citus.TransferMode mode, Consumer<RebalanceStep> progress) {
        Citus citus = requireCitus("Rebalancing the tenants");
        long start = System.nanoTime();
        try (Connection connection = database.admin().getConnection()) {
            Map<String, String> tenantBySchema = new HashMap<>();
            List<TenantInfo> ready = registry.list().stream().filter(TenantInfo::ready).toList();
            ready.forEach(info -> tenantBySchema.put(info.schema(), info.tenant()));
            List<String> distributed = distributeLocal(citus, connection, ready, progress);

            List<Rebalance.Move> plan = plan(connection, tenantBySchema);
            progress.accept(new RebalanceStep(RebalanceStep.Kind.PLANNED, null, null, null, null, 0, plan.size()));
            if (plan.isEmpty()) {
                progress.accept(new RebalanceStep(RebalanceStep.Kind.FINISHED, null, null, null, null, 0, 0));
                return new Rebalance(distributed, List.of(), null, 0, Duration.ofNanos(System.nanoTime() - start));
            }
            Citus.TransferMode resolved = citus.resolve(connection, mode, List.of());
            long jobId = startRebalance(connection, resolved);
            List<Rebalance.Move> moves = jobId == 0 ? List.of() : watch(connection, jobId, plan.size(), tenantBySchema, progress);
            progress.accept(new RebalanceStep(RebalanceStep.Kind.FINISHED, null, null, null, null, moves.size(), moves.size()));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            LOG.info("Rebalanced: {} schemas distributed, {} moved ({}) in {} ms", distributed.size(), moves.size(), resolved,
                    took.toMillis());
            return new Rebalance(distributed, moves, resolved, jobId, took);
        } catch (SQLException e) {
            throw new TenantryException("Rebalancing the tenants failed: " + e.getMessage(), e);
        }
    }

    private Citus requireCitus(String what) {
        Citus citus = database.citus();
        if (!citus.active()) {
            throw new TenantryException(what + " needs a Citus coordinator, and database " + database.config().adminDatabaseUrl()
                    + (database.config().citus() == dev.tenantry.core.CitusMode.OFF ? " is used without Citus (TENANTRY_CITUS=off)"
                    : " has no citus extension") + "; nothing was moved");
        }
        return citus;
    }

    private static Citus.Placement placementOf(Citus citus, Connection connection, SchemaName schema, String what)
            throws SQLException {
        Citus.Placement placement = citus.placements(connection, List.of(schema.value())).get(schema.value());
        if (placement == null) {
            throw new TenantryException(what + ": the schema does not exist; nothing was moved");
        }
        return placement;
    }

    /** Distributes the ready tenants' schemas that are still on the coordinator, one at a time. */
    private static List<String> distributeLocal(Citus citus, Connection connection, List<TenantInfo> ready,
                                                Consumer<RebalanceStep> progress) throws SQLException {
        Map<String, Citus.Placement> placements = citus.placements(connection, ready.stream().map(TenantInfo::schema).toList());
        List<TenantInfo> local = ready.stream().filter(info -> {
            Citus.Placement placement = placements.get(info.schema());
            return placement != null && placement.local();
        }).toList();
        List<String> distributed = new ArrayList<>();
        for (TenantInfo info : local) {
            SchemaName schema = SchemaName.of(info.schema());
            connection.setAutoCommit(false);
            try {
                dev.tenantry.core.SchemaMigrator.lockUntilCommit(connection, schema);
                citus.distribute(connection, schema);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw new TenantryException("Distributing tenant '" + info.tenant() + "' (schema " + schema.quoted()
                        + ") failed and was rolled back: " + e.getMessage(), e);
            } finally {
                connection.setAutoCommit(true);
            }
            distributed.add(info.tenant());
            Citus.Node node = citus.placements(connection, List.of(info.schema())).get(info.schema()).node();
            progress.accept(new RebalanceStep(RebalanceStep.Kind.DISTRIBUTED, info.tenant(), info.schema(), null, node,
                    distributed.size(), local.size()));
        }
        return distributed;
    }

    /** The rebalancer's plan, one move per schema and pair of nodes, in the order Citus lists them. */
    private static List<Rebalance.Move> plan(Connection connection, Map<String, String> tenantBySchema) throws SQLException {
        Map<String, Rebalance.Move> moves = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT n.nspname, p.sourcename, p.sourceport, p.targetname, p.targetport"
                     + " FROM pg_catalog.get_rebalance_table_shards_plan() WITH ORDINALITY p"
                     + " JOIN pg_catalog.pg_class c ON c.oid = p.table_name JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                     + " ORDER BY p.ordinality")) {
            while (rows.next()) {
                Citus.Node from = new Citus.Node(rows.getString(2), rows.getInt(3));
                Citus.Node to = new Citus.Node(rows.getString(4), rows.getInt(5));
                String schema = rows.getString(1);
                moves.putIfAbsent(schema + " " + from + " " + to, new Rebalance.Move(tenantBySchema.get(schema), schema, from, to));
            }
        }
        return new ArrayList<>(moves.values());
    }

    /** Starts Citus's rebalancer as a background job; {@code 0} when Citus found nothing to move after all. */
    private static long startRebalance(Connection connection, Citus.TransferMode mode) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT pg_catalog.citus_rebalance_start(shard_transfer_mode := ?::citus.shard_transfer_mode)")) {
            statement.setString(1, mode.citusName());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                long job = rows.getLong(1);
                return rows.wasNull() ? 0 : job;
            }
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().contains("already running")) {
                throw new TenantryException("Cannot rebalance: " + e.getMessage().replaceFirst("^ERROR: ", "")
                        + "; wait for it (SELECT citus_rebalance_wait()) or stop it (SELECT citus_rebalance_stop())", e);
            }
            throw e;
        }
    }

    /** Follows the rebalancer's job until it ends, telling {@code progress} of each move; returns the moves done. */
    private static List<Rebalance.Move> watch(Connection connection, long jobId, int planned, Map<String, String> tenantBySchema,
                                              Consumer<RebalanceStep> progress) throws SQLException {
        Map<Integer, Citus.Node> nodes = nodesById(connection);
        Map<Long, String> schemaByShard = new HashMap<>();
        Map<Long, String> seen = new HashMap<>();
        List<Rebalance.Move> done = new ArrayList<>();
        while (true) {
            String state = jobState(connection, jobId);
            List<String> errors = new ArrayList<>();
            int total = 0;
            try (PreparedStatement statement = connection.prepareStatement("SELECT task_id, status::text, command, message"
                    + " FROM pg_catalog.pg_dist_background_task WHERE job_id = ? ORDER BY task_id")) {
                statement.setLong(1, jobId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        total++;
                        long task = rows.getLong(1);
                        String status = rows.getString(2);
                        Matcher move = SHARD_MOVE.matcher(rows.getString(3));
                        if (!move.find()) {
                            continue;
                        }
                        long shard = Long.parseLong(move.group(1));
                        String schema = schemaByShard.computeIfAbsent(shard, id -> schemaOfShard(connection, id));
                        Rebalance.Move step = new Rebalance.Move(tenantBySchema.get(schema), schema,
                                nodes.get(Integer.parseInt(move.group(2))), nodes.get(Integer.parseInt(move.group(3))));
                        String before = seen.put(task, status);
                        if (status.equals(before)) {
                            continue;
                        }
                        if (status.equals("running")) {
                            progress.accept(new RebalanceStep(RebalanceStep.Kind.MOVE_STARTED, step.tenant(), schema, step.from(),
                                    step.to(), done.size(), Math.max(planned, total)));
                        } else if (status.equals("done")) {
                            done.add(step);
                            progress.accept(new RebalanceStep(RebalanceStep.Kind.MOVED, step.tenant(), schema, step.from(),
                                    step.to(), done.size(), Math.max(planned, total)));
                        } else if (status.equals("error") || status.equals("cancelled")) {
                            errors.add(schema + " " + step.from() + " -> " + step.to() + ": " + status
                                    + (rows.getString(4).isBlank() ? "" : " (" + rows.getString(4).strip() + ")"));
                        }
                    }
                }
            }
            if (state.equals("finished")) {
                return done;
            }
            if (state.equals("failed") || state.equals("cancelled")) {
                throw new TenantryException("The rebalance (Citus job " + jobId + ") " + state + " after " + done.size() + " of "
                        + total + " moves" + (errors.isEmpty() ? "" : ": " + String.join("; ", errors))
                        + "; the moves done stay done. Details: SELECT * FROM citus_rebalance_status()");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TenantryException("Interrupted while waiting for the rebalance (Citus job " + jobId + "), which goes on"
                        + " in the background; stop it with SELECT citus_rebalance_stop()", e);
            }
        }
    }

    private static String jobState(Connection connection, long jobId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT state::text FROM pg_catalog.pg_dist_background_job WHERE job_id = ?")) {
            statement.setLong(1, jobId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new TenantryException("The rebalance's Citus job " + jobId + " has disappeared");
                }
                return rows.getString(1);
            }
        }
    }

    private static Map<Integer, Citus.Node> nodesById(Connection connection) throws SQLException {
        Map<Integer, Citus.Node> nodes = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT nodeid, nodename, nodeport FROM pg_catalog.pg_dist_node")) {
            while (rows.next()) {
                nodes.put(rows.getInt(1), new Citus.Node(rows.getString(2), rows.getInt(3)));
            }
        }
        return nodes;
    }

    private static String schemaOfShard(Connection connection, long shard) {
        try (PreparedStatement statement = connection.prepareStatement("SELECT n.nspname FROM pg_catalog.pg_dist_shard s"
                + " JOIN pg_catalog.pg_class c ON c.oid = s.logicalrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE s.shardid = ?")) {
            statement.setLong(1, shard);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : "shard " + shard;
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read which schema shard " + shard + " belongs to: " + e.getMessage(), e);
        }
    }
}
