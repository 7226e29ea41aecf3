package dev.tenantry.tenancy;

import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.SchemaName;
import java.util.Map;

/**
 * Turns a tenant id into the schema that holds its tables. The default, {@link #identity()}, uses the id
 * itself ({@code prod} -> {@code "prod"}); applications whose ids are not valid schema names (UUIDs,
 * mixed case, hyphens) supply their own. Whatever it returns is validated again, and {@code public} is
 * never accepted as a tenant's schema.
 */
@FunctionalInterface
public interface TenantSchemaMapping {

    /**
     * The schema name for {@code tenant}; may throw {@link InvalidSchemaNameException} for ids it refuses.
     */
    String schemaFor(String tenant);

    /** The tenant id is the schema name. */
    static TenantSchemaMapping identity() {
        return tenant -> tenant;
    }

    /** A fixed table of tenant ids and schema names; any other id is refused. */
    static TenantSchemaMapping of(Map<String, String> schemasByTenant) {
        Map<String, String> copy = Map.copyOf(schemasByTenant);
        return tenant -> {
            String schema = copy.get(tenant);
            if (schema == null) {
                throw new InvalidSchemaNameException(tenant, null, "the tenant is not in the application's schema mapping");
            }
            return schema;
        };
    }

    /**
     * Applies the mapping and validates the result: the one way a tenant id becomes a {@link SchemaName}.
     *
     * @throws InvalidSchemaNameException naming the tenant and the offending schema, before any SQL runs
     */
    default SchemaName resolve(String tenant) {
        if (tenant == null || tenant.isEmpty()) {
            throw new InvalidSchemaNameException(tenant, tenant, "the tenant id is empty");
        }
        String schema = schemaFor(tenant);
        String problem = SchemaName.problemWith(schema);
        if (problem == null && "public".equals(schema)) {
            problem = "public is only the per-deployment default; it cannot be chosen as a tenant";
        }
        if (problem != null) {
            throw new InvalidSchemaNameException(tenant, schema, problem);
        }
        return SchemaName.of(schema);
    }
}
