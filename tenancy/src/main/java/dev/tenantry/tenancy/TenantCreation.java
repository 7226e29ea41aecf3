package dev.tenantry.tenancy;

import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates tenants: by running every migration in a new schema, or by copying the migrated template schema;
 * and prepares the schema a per-deployment process is pinned to. A tenant that exists already is migrated
 * instead, so creating is idempotent.
 */
final class TenantCreation {

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);

    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final TemplateSchema template;
    private final SchemaCloner cloner;
    private final TenantChanges changes;

    TenantCreation(SchemaMigrator migrator, TenantRegistry registry, TemplateSchema template, SchemaCloner cloner,
                   TenantChanges changes) {
        this.migrator = migrator;
        this.registry = registry;
        this.template = template;
        this.cloner = cloner;
        this.changes = changes;
    }

    /** See {@link TenantProvisioning#provision(String)}. */
    MigrationResult provision(String tenant, SchemaName schema) {
        registry.install();
        registry.markProvisioning(tenant, schema);
        MigrationResult result = changes.run(tenant, () -> migrator.provision(tenant, schema));
        if (result.schemaCreated()) {
            LOG.info("Provisioned tenant '{}' in schema {} at version {}", tenant, schema.quoted(), result.targetVersion());
        }
        return result;
    }

    /** See {@link TenantProvisioning#provisionFromTemplate(String)}. */
    MigrationResult fromTemplate(String tenant, SchemaName schema) {
        String version = template.prepare();
        registry.install();
        registry.markProvisioning(tenant, schema);
        return changes.run(tenant, () -> {
            if (registry.schemaExists(schema)) {
                return migrator.provision(tenant, schema);
            }
            try {
                cloner.copy(TemplateSchema.SCHEMA, schema, SchemaCloner.Rows.HISTORY_ONLY);
                return new MigrationResult(schema, null, version, 0, true);
            } catch (TenantryException e) {
                if (!registry.schemaExists(schema)) {
                    throw e;
                }
                return migrator.provision(tenant, schema); // created meanwhile by a concurrent call
            }
        });
    }

    /** Migrates {@code public} for a per-deployment process pinned to it; {@code public} is never created. */
    MigrationResult publicSchema() {
        return migrator.provision(null, SchemaName.PUBLIC);
    }
}
