package dev.tenantry.it.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tenantry.core.Citus;
import dev.tenantry.core.CitusMode;
import dev.tenantry.core.Database;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.WithCitus;
import dev.tenantry.tenancy.Rebalance;
import dev.tenantry.tenancy.RebalanceStep;
import dev.tenantry.tenancy.TenantPlacement;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantSchemaMapping;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code rebalance}: tenant schemas still on the coordinator are distributed, then Citus's rebalancer evens out the
 * workers, and every step is told as it happens.
 *
 * <p>Citus's rebalancer works on the whole cluster, so the test does not count on the cluster being empty: it counts
 * the schemas each worker holds, crowds the fuller worker with just enough tenants of its own to pass the default
 * strategy's threshold by a margin, and checks what the rebalance did against those counts. Its local tenant is made
 * as before Citus was used (Tenantry without Citus, schema-based sharding off), never by undistributing a schema.
 * Schemas of other runs on the crowded worker may be moved as well; that is the rebalancer's right.
 */
@WithCitus
class CitusRebalanceTest {

    /**
     * At most this many tenants are made to unbalance the cluster; a cluster too full of other schemas, or where other
     * runs create schemas faster than this test crowds a worker, skips the test, saying so.
     */
    private static final int MOST_TENANTS = 80;

    /** Schemas by which the crowded worker must pass Citus's threshold, so that other runs' churn cannot balance it. */
    private static final int MARGIN = 6;

    @Test
    void rebalanceDistributesLocalTenantsAndEvensOutTheWorkersTellingEachStep(CitusSandbox sandbox) {
        awaitOtherRebalances(sandbox);
        List<Citus.Node> workers = sandbox.cluster().workers();
        Map<Citus.Node, Integer> start = schemasPerWorker(sandbox);
        Citus.Node crowded = workers.stream().max((a, b) -> Integer.compare(start.get(a), start.get(b))).orElseThrow();
        Citus.Node other = workers.stream().filter(node -> !node.equals(crowded)).findFirst().orElseThrow();
        double threshold = threshold(sandbox);
        int count = tenantsToUnbalance(start.get(crowded), start.get(other), threshold);
        assumeThat(count).as("tenants needed to unbalance a cluster holding %s single-shard schemas per worker", start)
                .isLessThanOrEqualTo(MOST_TENANTS);

        try (Database database = Database.open(sandbox.config().build())) {
            TenantProvisioning provisioning = TenantProvisioning.open(database, List.of(Tenantry.MIGRATIONS),
                    TenantSchemaMapping.identity());
            TenantPlacement placement = provisioning.placement();
            List<String> tenants = new ArrayList<>();
            crowd(sandbox, provisioning, crowded, tenants, count);
            // Other runs may be creating schemas meanwhile, which Citus places on the emptier worker: crowd on until the
            // rebalancer has a few schemas to move.
            while (plannedSchemas(sandbox) < 3 && tenants.size() < MOST_TENANTS) {
                crowd(sandbox, provisioning, crowded, tenants, Math.min(5, MOST_TENANTS - tenants.size()));
            }
            assumeThat(plannedSchemas(sandbox)).as("schemas the rebalancer would move after adding %s tenants to %s, while"
                    + " other runs create schemas (now %s per worker)", tenants.size(), crowded, schemasPerWorker(sandbox))
                    .isGreaterThanOrEqualTo(3);
            // A tenant made while Tenantry did not use Citus and the server did not shard schemas: on the coordinator.
            String local = sandbox.tenant("local");
            String unsharded = sandbox.cluster().jdbcUrl() + "?options=-c%20citus.enable_schema_based_sharding%3Doff";
            try (Database plain = Database.open(sandbox.config().databaseUrl(unsharded).citus(CitusMode.OFF).build())) {
                TenantProvisioning.open(plain, List.of(Tenantry.MIGRATIONS), TenantSchemaMapping.identity()).provision(local);
            }
            assertThat(sandbox.distributed(local)).as("whether the tenant made without Citus is distributed").isFalse();
            Map<Citus.Node, Integer> before = schemasPerWorker(sandbox);
            int imbalanceBefore = before.get(crowded) - before.get(other);
            assertThat(plannedSchemas(sandbox)).as("schemas the rebalancer would move, for %s per worker", before).isPositive();

            List<RebalanceStep> steps = new ArrayList<>();
            Rebalance rebalance = rebalance(sandbox, placement, steps);
            boolean retried = steps.stream().filter(step -> step.kind() == RebalanceStep.Kind.PLANNED).count() > 1;

            // (A rebalance that another run started at the same moment makes ours start again, local already distributed.)
            assertThat(steps).filteredOn(step -> step.kind() == RebalanceStep.Kind.DISTRIBUTED)
                    .extracting(RebalanceStep::tenant).containsExactly(local);
            assertThat(rebalance.distributed()).isEqualTo(retried ? List.of() : List.of(local));
            assertThat(sandbox.distributed(local)).isTrue();
            assertThat(sandbox.nodeOf(local)).isIn(workers);
            assertThat(rebalance.moves()).isNotEmpty();
            assertThat(rebalance.jobId()).isPositive();
            assertThat(steps.get(0).kind()).isEqualTo(RebalanceStep.Kind.DISTRIBUTED);
            assertThat(steps.get(0).tenant()).isEqualTo(local);
            assertThat(steps).filteredOn(step -> step.kind() == RebalanceStep.Kind.MOVED).hasSize(rebalance.moves().size())
                    .allSatisfy(step -> assertThat(step.to()).isIn(workers));
            assertThat(steps.get(steps.size() - 1).kind()).isEqualTo(RebalanceStep.Kind.FINISHED);
            // With two workers, every move goes from the crowded one to the other, whosever schema it is.
            assertThat(rebalance.moves()).allSatisfy(move -> {
                assertThat(move.from()).isEqualTo(crowded);
                assertThat(move.to()).isEqualTo(other);
            });
            for (Rebalance.Move move : rebalance.moves()) {
                if (tenants.contains(move.tenant())) {
                    assertThat(sandbox.nodeOf(move.schema())).isEqualTo(other);
                }
            }
            // Balanced within the strategy's threshold now, give or take what other runs create or drop meanwhile.
            Map<Citus.Node, Integer> after = schemasPerWorker(sandbox);
            int total = after.values().stream().mapToInt(Integer::intValue).sum();
            int imbalanceAfter = Math.abs(after.get(crowded) - after.get(other));
            assertThat(imbalanceAfter).as("schemas per worker before %s and after %s", before, after)
                    .isLessThan(imbalanceBefore)
                    .isLessThanOrEqualTo((int) Math.ceil(threshold * total) + MARGIN / 2);
        }
    }

    /** Provisions {@code count} more tenants of this test and moves each to {@code crowded}. */
    private static void crowd(CitusSandbox sandbox, TenantProvisioning provisioning, Citus.Node crowded, List<String> tenants,
                              int count) {
        for (int i = 0; i < count; i++) {
            String tenant = sandbox.tenant("crowd_" + tenants.size());
            provisioning.provisionFromTemplate(tenant);
            provisioning.placement().move(tenant, crowded, Citus.TransferMode.BLOCK_WRITES);
            tenants.add(tenant);
        }
    }

    /** How many schemas Citus's rebalancer would move now. */
    private static int plannedSchemas(CitusSandbox sandbox) {
        return Integer.parseInt(sandbox.column("SELECT count(DISTINCT c.relnamespace) FROM get_rebalance_table_shards_plan() p"
                + " JOIN pg_class c ON c.oid = p.table_name").get(0));
    }

    /** Single-shard schemas (colocation groups) on each worker, as Citus's rebalancer counts them. */
    private static Map<Citus.Node, Integer> schemasPerWorker(CitusSandbox sandbox) {
        Map<Citus.Node, Integer> counts = new HashMap<>();
        sandbox.cluster().workers().forEach(worker -> counts.put(worker, 0));
        for (String row : sandbox.column("SELECT n.nodename || ':' || n.nodeport || ' ' || count(DISTINCT p.colocationid)"
                + " FROM pg_dist_partition p JOIN pg_dist_shard s USING (logicalrelid) JOIN pg_dist_placement pl USING (shardid)"
                + " JOIN pg_dist_node n USING (groupid) WHERE p.partmethod = 'n' AND p.repmodel = 's' GROUP BY n.nodename,"
                + " n.nodeport")) {
            String[] parts = row.split(" ");
            counts.computeIfPresent(Citus.Node.parse(parts[0]), (node, none) -> Integer.parseInt(parts[1]));
        }
        return counts;
    }

    /** The default rebalance strategy's threshold: how far above the average a worker may be (0.1 by disk size). */
    private static double threshold(CitusSandbox sandbox) {
        List<String> value = sandbox.column("SELECT default_threshold FROM pg_dist_rebalance_strategy WHERE default_strategy");
        return value.isEmpty() ? 0.1 : Math.max(0.1, Double.parseDouble(value.get(0)));
    }

    /**
     * How many schemas to add to a worker holding {@code crowded} for it to hold more than the other's {@code other} by
     * {@code threshold} of all and {@link #MARGIN} more: {@code crowded + k - other >= threshold (crowded + other + k) + MARGIN}.
     */
    static int tenantsToUnbalance(int crowded, int other, double threshold) {
        double needed = (threshold * (crowded + other) + MARGIN - crowded + other) / (1 - threshold);
        return Math.max(2, (int) Math.ceil(needed));
    }

    /** Waits for a rebalance that another run started on the shared cluster. */
    private static void awaitOtherRebalances(CitusSandbox sandbox) {
        sandbox.execute("SELECT citus_rebalance_wait()");
    }

    /** Rebalances, waiting out a rebalance that another run started at the same moment. */
    private static Rebalance rebalance(CitusSandbox sandbox, TenantPlacement placement, List<RebalanceStep> steps) {
        for (int attempt = 0; ; attempt++) {
            try {
                return placement.rebalance(Citus.TransferMode.AUTO, steps::add);
            } catch (TenantryException e) {
                if (attempt >= 2 || !String.valueOf(e.getMessage()).contains("already running")) {
                    throw e;
                }
                awaitOtherRebalances(sandbox);
            }
        }
    }
}
