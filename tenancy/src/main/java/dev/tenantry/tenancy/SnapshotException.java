package dev.tenantry.tenancy;

import dev.tenantry.core.TenantryException;

/**
 * A snapshot could not be taken, found or restored; the message names the tenant, its schema and the snapshot, and
 * says what was left unchanged (taking and restoring are single transactions, rolled back on failure).
 */
public class SnapshotException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public SnapshotException(String message, String tenant, String schema, Throwable cause) {
        super(message, tenant, schema, cause);
    }
}
