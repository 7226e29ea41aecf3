package dev.tenantry.tenancy;

import dev.tenantry.core.TenantryException;

/**
 * The outcome of one tenant in an operation over many (creating, snapshotting): what it produced, or the failure
 * that stopped it, which stopped no other tenant.
 *
 * @param value what the operation produced for the tenant, or {@code null} when it failed
 * @param error why it failed, or {@code null}
 */
public record TenantResult<T>(String tenant, T value, TenantryException error) {

    public boolean failed() {
        return error != null;
    }
}
