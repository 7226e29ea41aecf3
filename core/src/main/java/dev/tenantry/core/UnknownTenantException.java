package dev.tenantry.core;

/**
 * Work was asked for a tenant that has not been provisioned. Tenantry never falls back to another
 * schema: provision the tenant first, or check the id.
 */
public class UnknownTenantException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public UnknownTenantException(String tenant, String schema) {
        super("Unknown tenant '" + tenant + "' (schema \"" + schema + "\"): no such tenant has been provisioned and is"
                + " ready. Provision it first (provisioning().provision(\"" + tenant + "\") or 'tenantry tenants create "
                + tenant + "', both idempotent), or check the id; 'tenantry status' lists the tenants and their state",
                tenant, schema, null);
    }
}
