package dev.tenantry.tenancy;

import dev.tenantry.core.HistoryRepair;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Repairs tenants' migration histories (Flyway's repair), one tenant after the other, in any state: a tenant whose
 * migration failed because an applied migration was edited is the usual one. One tenant's failure is recorded and
 * the run goes on.
 */
final class RepairRun {

    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final TenantSchemaMapping mapping;

    RepairRun(SchemaMigrator migrator, TenantRegistry registry, TenantSchemaMapping mapping) {
        this.migrator = migrator;
        this.registry = registry;
        this.mapping = mapping;
    }

    /** See {@link TenantProvisioning#repair(String)}. */
    HistoryRepair one(String tenant) {
        SchemaName mapped = mapping.resolve(tenant);
        TenantInfo info = registry.find(tenant).orElseThrow(() -> new UnknownTenantException(tenant, mapped.value()));
        return migrator.repair(tenant, SchemaName.ofTenant(info.schema()));
    }

    /** See {@link TenantProvisioning#repair(List)}. */
    List<TenantRepair> named(List<String> tenants) {
        List<TenantRepair> outcomes = new ArrayList<>();
        for (String tenant : new LinkedHashSet<>(tenants)) {
            try {
                HistoryRepair repair = one(tenant);
                outcomes.add(new TenantRepair(tenant, repair.schema().value(), repair, null));
            } catch (TenantryException e) {
                outcomes.add(new TenantRepair(tenant, e.schema(), null, e.getMessage()));
            }
        }
        return outcomes;
    }

    /** See {@link TenantProvisioning#repairAll()}. */
    List<TenantRepair> all() {
        return named(registry.list().stream().map(TenantInfo::tenant).toList());
    }
}
