package dev.tenantry.tenancy;

import java.util.List;

/**
 * What {@code verify} found for one tenant: where each of the model's tables lives, and every problem
 * (a missing schema or table, a column missing, extra or of another type than the migrations make,
 * pending or failed migrations). No findings means the tenant matches the model.
 *
 * @param tableLocations for each model table, the schemas that hold a table of that name ({@code pg_tables})
 */
public record TenantVerification(String tenant, String schema, List<String> tableLocations, List<String> findings) {

    public TenantVerification {
        tableLocations = List.copyOf(tableLocations);
        findings = List.copyOf(findings);
    }

    public boolean ok() {
        return findings.isEmpty();
    }
}
