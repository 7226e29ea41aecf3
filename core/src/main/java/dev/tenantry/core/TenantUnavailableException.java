package dev.tenantry.core;

/**
 * Work was asked for a tenant whose latest migration failed in this process: its schema was rolled back to the
 * version before, which the running code does not expect, so this process refuses the tenant instead of serving
 * it an old schema. Fix the migration and migrate the tenant again ({@code tenantry migrate <tenant>}, or a
 * restart that migrates at start-up); the tenant is served again once its migration succeeds.
 */
public class TenantUnavailableException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public TenantUnavailableException(String tenant, String schema, String reason) {
        super("Tenant '" + tenant + "' (schema \"" + schema + "\") is unavailable: its migration failed, so this process"
                + " does not serve it until a migration succeeds (" + reason + ")", tenant, schema, null);
    }
}
