package dev.tenantry.tenancy;

import java.util.List;

/**
 * What a run over many tenants did, one {@link TenantMigration} per tenant in tenant order. A failed
 * tenant was rolled back on its own; the others went on.
 */
public record MigrationReport(List<TenantMigration> tenants) {

    public MigrationReport {
        tenants = List.copyOf(tenants);
    }

    public List<TenantMigration> failures() {
        return tenants.stream().filter(TenantMigration::failed).toList();
    }

    public boolean hasFailures() {
        return tenants.stream().anyMatch(TenantMigration::failed);
    }

    public long count(TenantMigration.Status status) {
        return tenants.stream().filter(t -> t.status() == status).count();
    }

    @Override
    public String toString() {
        return tenants.size() + (tenants.size() == 1 ? " tenant: " : " tenants: ") + count(TenantMigration.Status.MIGRATED) + " migrated, "
                + count(TenantMigration.Status.CURRENT) + " already current, "
                + count(TenantMigration.Status.FAILED) + " failed";
    }
}
