package dev.tenantry.tenancy;

import dev.tenantry.core.HistoryRepair;

/**
 * The outcome of repairing one tenant's migration history, from {@link TenantProvisioning#repair(java.util.List)}.
 *
 * @param repair what changed, or {@code null} when the repair failed
 * @param error  why it failed, or {@code null}
 */
public record TenantRepair(String tenant, String schema, HistoryRepair repair, String error) {

    public boolean failed() {
        return repair == null;
    }

    /** Whether the history changed. */
    public boolean changed() {
        return repair != null && repair.changed();
    }
}
