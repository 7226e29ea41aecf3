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

    /** Refuses a tenant id, naming the tenant and the schema it would map to. */
    public InvalidSchemaNameException(String tenant, String schema, String reason) {
        super("Invalid schema " + SchemaName.describe(schema) + " for tenant " + SchemaName.describe(tenant)
                + ": " + reason, tenant, schema, null);
    }
}
