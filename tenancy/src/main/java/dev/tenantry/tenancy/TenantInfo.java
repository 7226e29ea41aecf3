package dev.tenantry.tenancy;

import java.time.Instant;

/**
 * One row of the tenant registry: a tenant, its schema, and where its provisioning stands.
 *
 * @param state     {@code provisioning}, {@code ready} or {@code failed}; only ready tenants take work
 * @param version   the migration version last recorded for the schema, or {@code null}
 * @param lastError why the last provisioning or migration failed, or {@code null}
 */
public record TenantInfo(String tenant, String schema, String state, String version, String lastError,
                         Instant createdAt, Instant updatedAt) {

    public static final String PROVISIONING = "provisioning";
    public static final String READY = "ready";
    public static final String FAILED = "failed";

    public boolean ready() {
        return READY.equals(state);
    }
}
