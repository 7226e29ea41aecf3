package dev.tenantry.it.citus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.Citus;
import dev.tenantry.core.Database;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.WithCitus;
import dev.tenantry.tenancy.Rebalance;
import dev.tenantry.tenancy.RebalanceStep;
import dev.tenantry.tenancy.TenantPlacement;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantSchemaMapping;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code rebalance}: tenant schemas still on the coordinator are distributed, then Citus's rebalancer evens out the
 * workers, and every step is told as it happens.
 */
@WithCitus
class CitusRebalanceTest {

    /** At most this many tenants are made to unbalance a cluster that earlier runs left full of schemas. */
    private static final int MOST_TENANTS = 60;

    @Test
    void rebalanceDistributesLocalTenantsAndEvensOutTheWorkersTellingEachStep(CitusSandbox sandbox) {
        try (Database database = Database.open(sandbox.config().build())) {
            TenantProvisioning provisioning = TenantProvisioning.open(database, List.of(Tenantry.MIGRATIONS),
                    TenantSchemaMapping.identity());
            TenantPlacement placement = provisioning.placement();
            Citus.Node crowded = sandbox.cluster().workers().get(0);
            // Enough tenants, all on one worker, to unbalance the cluster whatever other schemas it holds.
            int existing = Integer.parseInt(sandbox.column("SELECT count(*) FROM pg_dist_schema").get(0));
            int count = Math.min(MOST_TENANTS, Math.max(6, existing / 3 + 6));
            List<String> tenants = sandbox.tenants("crowd", count);
            for (String tenant : tenants) {
                provisioning.provisionFromTemplate(tenant);
                placement.move(tenant, crowded, Citus.TransferMode.BLOCK_WRITES);
            }
            String local = tenants.get(0);
            sandbox.execute("SELECT citus_schema_undistribute('" + local + "')");
            assertThat(sandbox.column("SELECT count(*) FROM get_rebalance_table_shards_plan()").get(0))
                    .as("the cluster is unbalanced before the rebalance").isNotEqualTo("0");

            List<RebalanceStep> steps = new ArrayList<>();
            Rebalance rebalance = placement.rebalance(Citus.TransferMode.AUTO, steps::add);

            assertThat(rebalance.distributed()).containsExactly(local);
            assertThat(sandbox.distributed(local)).isTrue();
            assertThat(rebalance.moves()).isNotEmpty();
            assertThat(rebalance.jobId()).isPositive();
            assertThat(steps.get(0).kind()).isEqualTo(RebalanceStep.Kind.DISTRIBUTED);
            assertThat(steps.get(0).tenant()).isEqualTo(local);
            assertThat(steps).filteredOn(step -> step.kind() == RebalanceStep.Kind.MOVED).hasSize(rebalance.moves().size())
                    .allSatisfy(step -> assertThat(step.to()).isIn(sandbox.cluster().workers()));
            assertThat(steps.get(steps.size() - 1).kind()).isEqualTo(RebalanceStep.Kind.FINISHED);
            for (Rebalance.Move move : rebalance.moves()) {
                if (move.tenant() != null) {
                    assertThat(move.from()).isEqualTo(crowded);
                }
            }
            // every tenant of ours that moved left the crowded worker
            for (Rebalance.Move move : rebalance.moves()) {
                if (move.tenant() != null && tenants.contains(move.tenant())) {
                    assertThat(sandbox.nodeOf(move.schema())).isEqualTo(move.to()).isNotEqualTo(crowded);
                }
            }
            // The rebalancer may have moved other schemas of the cluster rather than ours; either way it is balanced now.
            assertThat(sandbox.column("SELECT count(*) FROM get_rebalance_table_shards_plan()")).containsExactly("0");

            Rebalance again = placement.rebalance(Citus.TransferMode.AUTO, step -> { });
            assertThat(again.nothingToDo()).isTrue();
        }
    }
}
