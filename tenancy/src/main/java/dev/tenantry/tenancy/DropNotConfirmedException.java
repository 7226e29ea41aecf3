package dev.tenantry.tenancy;

import dev.tenantry.core.TenantryException;

/** A tenant drop was refused because the confirmation did not repeat the tenant id exactly. */
public class DropNotConfirmedException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public DropNotConfirmedException(String tenant, String schema) {
        super("Refusing to drop tenant '" + tenant + "' (schema \"" + schema + "\"): the confirmation must repeat the"
                + " tenant id exactly", tenant, schema, null);
    }
}
