package dev.tenantry.tenancy;

import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;

/**
 * The template schema ({@value TenantProvisioning#TEMPLATE_SCHEMA}) that new tenants are copied from and that
 * adoption and verification compare with: created or migrated to the latest version once per process, on first
 * need. It is never a tenant.
 */
final class TemplateSchema {

    static final SchemaName SCHEMA = SchemaName.of(TenantProvisioning.TEMPLATE_SCHEMA);

    private final SchemaMigrator migrator;
    private volatile String version;

    TemplateSchema(SchemaMigrator migrator) {
        this.migrator = migrator;
    }

    /** Creates or migrates the template, the first time only; returns its version. */
    String prepare() {
        String prepared = version;
        if (prepared == null) {
            synchronized (this) {
                if (version == null) {
                    version = migrator.provision(null, SCHEMA).targetVersion();
                }
                prepared = version;
            }
        }
        return prepared;
    }
}
