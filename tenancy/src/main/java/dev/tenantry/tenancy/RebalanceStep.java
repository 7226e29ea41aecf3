package dev.tenantry.tenancy;

import dev.tenantry.core.Citus;

/**
 * One step of a rebalance, told as it happens: a tenant schema distributed (it was on the coordinator), the plan,
 * a schema's move starting or done, or the end. Schemas that belong to no tenant of this registry are moved too (the
 * rebalancer works on the whole cluster); for those {@link #tenant()} is {@code null}.
 *
 * @param schema the schema concerned, or {@code null} for {@link Kind#PLANNED} and {@link Kind#FINISHED}
 * @param from   where the schema was ({@code null} on the coordinator, or when not about one schema)
 * @param to     where it goes or went
 * @param done   steps of this kind finished so far
 * @param total  steps of this kind in all
 */
public record RebalanceStep(Kind kind, String tenant, String schema, Citus.Node from, Citus.Node to, int done, int total) {

    /** What happened. */
    public enum Kind {
        /** A tenant schema on the coordinator was distributed: it lives on {@code to} now. */
        DISTRIBUTED,
        /** The rebalancer's plan is known: {@code total} schemas to move. */
        PLANNED,
        /** Citus began moving a schema. */
        MOVE_STARTED,
        /** A schema's move is done. */
        MOVED,
        /** The rebalance is over. */
        FINISHED
    }
}
