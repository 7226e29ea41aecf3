package dev.tenantry.tenancy;

import java.time.Instant;

/**
 * A snapshot of one tenant: a copy of its schema with every row and its migration history, in a schema of its own
 * ({@code name}) that is never served, migrated or verified as a tenant, until {@code restore} puts it back.
 *
 * @param name         the snapshot's schema, which {@code restore --from} takes
 * @param version      the tenant's version when the snapshot was taken
 * @param schemaExists false when the snapshot's schema was dropped behind Tenantry's back
 */
public record TenantSnapshot(String name, String tenant, String schema, String version, Instant takenAt,
                             boolean schemaExists) {
}
