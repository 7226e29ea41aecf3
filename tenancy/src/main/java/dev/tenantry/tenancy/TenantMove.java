package dev.tenantry.tenancy;

import dev.tenantry.core.Citus;
import dev.tenantry.core.SchemaName;
import java.time.Duration;

/**
 * What moving one tenant's schema to another Citus node did.
 *
 * @param from        the node the schema lived on before the move (where distributing put it, if it was on the coordinator)
 * @param to          the node it lives on now
 * @param mode        how Citus copied it: {@link Citus.TransferMode#LOGICAL} or {@link Citus.TransferMode#BLOCK_WRITES};
 *                    {@code null} when nothing moved
 * @param distributed whether the schema had to be distributed first (it was on the coordinator)
 * @param took        how long the move took, distributing included
 */
public record TenantMove(String tenant, SchemaName schema, Citus.Node from, Citus.Node to, Citus.TransferMode mode,
                         boolean distributed, Duration took) {

    /** Whether the schema changed node; false when it was on {@code to} already. */
    public boolean moved() {
        return !to.equals(from);
    }
}
