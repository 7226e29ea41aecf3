package dev.tenantry.tenancy;

import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;

/** Creates a tenant as a copy of another: its structure and history, and its rows if asked. */
final class TenantCloning {

    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final TenantSchemaMapping mapping;
    private final SchemaCloner cloner;
    private final TenantChanges changes;

    TenantCloning(SchemaMigrator migrator, TenantRegistry registry, TenantSchemaMapping mapping, SchemaCloner cloner,
                  TenantChanges changes) {
        this.migrator = migrator;
        this.registry = registry;
        this.mapping = mapping;
        this.cloner = cloner;
        this.changes = changes;
    }

    /** See {@link TenantProvisioning#cloneTenant(String, String, boolean)}. */
    MigrationResult cloneTenant(String source, String target, boolean withData) {
        SchemaName from = registry.schemaOf(source);
        SchemaName to = mapping.resolve(target);
        if (registry.find(target).isPresent() || registry.schemaExists(to)) {
            throw new TenantryException("Cannot clone tenant '" + source + "' into '" + target + "': schema " + to.quoted()
                    + (registry.find(target).isPresent() ? " belongs to an existing tenant" : " exists already")
                    + "; nothing was changed", null);
        }
        registry.install();
        registry.markProvisioning(target, to);
        return changes.run(target, () -> {
            cloner.copy(from, to, withData ? SchemaCloner.Rows.ALL : SchemaCloner.Rows.HISTORY_ONLY);
            return new MigrationResult(to, null, migrator.currentVersion(to).orElse(null), 0, true);
        });
    }
}
