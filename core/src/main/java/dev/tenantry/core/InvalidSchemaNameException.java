package dev.tenantry.core;

/**
 * A tenant id or schema name was refused before any SQL ran: it is not 1 to 63 lowercase ASCII
 * letters, digits and underscores, or it names a schema that PostgreSQL or Tenantry reserves.
 */
public class InvalidSchemaNameException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public InvalidSchemaNameException(String value, String reason) {
        super("Invalid schema name " + SchemaName.describe(value) + ": " + reason, null, value, null);
    }

    /** Refuses a tenant id, naming the tenant and the schema it would map to, and saying where that schema came from. */
    public InvalidSchemaNameException(String tenant, String schema, String reason) {
        super("Invalid schema " + SchemaName.describe(schema) + " for tenant " + SchemaName.describe(tenant)
                + ": " + reason + nextStep(tenant, schema), tenant, schema, null);
    }

    private static String nextStep(String tenant, String schema) {
        if (tenant == null || tenant.isEmpty() || schema == null) {
            return "";
        }
        return tenant.equals(schema)
                ? " (the tenant id is used as the schema name; for ids that are not valid schema names, such as UUIDs or"
                        + " ids with upper case or hyphens, give Tenantry a mapping: Tenantry.builder(config).mapping(id -> ...))"
                : " (the schema name comes from the application's mapping, Tenantry.builder(config).mapping(...))";
    }
}
