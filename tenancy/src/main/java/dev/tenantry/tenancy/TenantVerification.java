package dev.tenantry.tenancy;

import java.util.List;
import java.util.Map;

/**
 * What {@code verify} found for one tenant: where each of the model's tables lives, and every problem
 * (a missing schema or table, a column missing, extra or of another type than the migrations make,
 * pending or failed migrations). No findings means the tenant matches the model.
 *
 * @param tableLocations for each model table, the schema that holds it for this tenant, or {@code null}
 *                       when the tenant's schema has no such table ({@code pg_tables})
 */
public record TenantVerification(String tenant, String schema, Map<String, String> tableLocations, List<String> findings) {

    public TenantVerification {
        tableLocations = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(tableLocations));
        findings = List.copyOf(findings);
    }

    public boolean ok() {
        return findings.isEmpty();
    }
}
