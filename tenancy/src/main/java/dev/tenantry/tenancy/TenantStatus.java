package dev.tenantry.tenancy;

/**
 * Where one tenant stands, for {@code tenantry status}: its schema, registry state, the version its own
 * history records, how many migrations are still to apply, and why its last migration failed, if it did.
 *
 * @param schemaExists   false when the registry names a schema that is gone
 * @param version        the latest successfully applied version, or {@code null}
 * @param pending        migrations available but not applied
 * @param failedInHistory failed rows in the schema's history table
 * @param lastError      the last provisioning or migration failure recorded in the registry, or {@code null}
 */
public record TenantStatus(String tenant, String schema, String state, boolean schemaExists, String version,
                           int pending, int failedInHistory, String lastError) {

    /** True when the tenant is ready, its schema is there and nothing is pending or failed. */
    public boolean healthy() {
        return TenantInfo.READY.equals(state) && schemaExists && pending == 0 && failedInHistory == 0 && lastError == null;
    }
}
