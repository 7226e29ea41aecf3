package dev.tenantry.tenancy;

import dev.tenantry.core.Citus;
import java.time.Duration;
import java.util.List;

/**
 * What a rebalance did: the tenant schemas it distributed first (they were on the coordinator), then the schemas
 * Citus's rebalancer moved between nodes.
 *
 * @param distributed the tenants whose schemas were distributed, in tenant order
 * @param moves       the schema moves, in the order Citus ran them; empty when the cluster was balanced
 * @param mode        how Citus copied the schemas; {@code null} when nothing moved
 * @param jobId       Citus's background job ({@code pg_dist_background_job}), or {@code 0} when none was started
 */
public record Rebalance(List<String> distributed, List<Move> moves, Citus.TransferMode mode, long jobId, Duration took) {

    public Rebalance {
        distributed = List.copyOf(distributed);
        moves = List.copyOf(moves);
    }

    /** One schema moved, with all its tables. {@code tenant} is {@code null} for a schema that is no tenant's. */
    public record Move(String tenant, String schema, Citus.Node from, Citus.Node to) {
    }

    /** Whether the cluster was balanced already: nothing distributed, nothing moved. */
    public boolean nothingToDo() {
        return distributed.isEmpty() && moves.isEmpty();
    }
}
