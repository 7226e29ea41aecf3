package dev.tenantry.tenancy;

import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Migrates tenants to the latest version: one tenant, the named ones, or every ready one. Tenants already
 * current are found from their histories in one query per batch and skipped; the others migrate
 * {@code parallelism} at a time, each in its own transaction, one tenant's failure recorded and the run
 * going on.
 */
final class MigrationRun {

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);

    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final TenantHistories histories;
    private final TenantChanges changes;

    MigrationRun(SchemaMigrator migrator, TenantRegistry registry, TenantHistories histories, TenantChanges changes) {
        this.migrator = migrator;
        this.registry = registry;
        this.histories = histories;
        this.changes = changes;
    }

    /** See {@link TenantProvisioning#migrate(String)}. */
    MigrationResult one(String tenant) {
        SchemaName schema = registry.schemaOf(tenant);
        return changes.run(tenant, () -> migrator.migrate(tenant, schema));
    }

    /** See {@link TenantProvisioning#migrateAll(int, Consumer)}. */
    MigrationReport all(int parallelism, Consumer<TenantMigration> progress) {
        TenantWorkers.checkParallelism(parallelism);
        return run(registry.list().stream().filter(TenantInfo::ready).toList(), List.of(), parallelism, progress);
    }

    /** See {@link TenantProvisioning#migrate(List, int, Consumer)}. */
    MigrationReport named(List<String> tenants, int parallelism, Consumer<TenantMigration> progress) {
        TenantWorkers.checkParallelism(parallelism);
        List<TenantInfo> known = new ArrayList<>();
        List<TenantMigration> refused = new ArrayList<>();
        for (String tenant : new LinkedHashSet<>(tenants)) {
            try {
                SchemaName schema = registry.schemaOf(tenant);
                known.add(new TenantInfo(tenant, schema.value(), TenantInfo.READY, null, null, null, null));
            } catch (TenantryException e) {
                refused.add(new TenantMigration(tenant, e.schema(), TenantMigration.Status.FAILED, null, null, 0, e.getMessage()));
            }
        }
        return run(known, refused, parallelism, progress);
    }

    private MigrationReport run(List<TenantInfo> ready, List<TenantMigration> refused, int parallelism,
                                Consumer<TenantMigration> progress) {
        Map<String, TenantHistories.History> found = histories.of(ready.stream().map(TenantInfo::schema).toList());
        List<TenantMigration> outcomes = new ArrayList<>();
        Consumer<TenantMigration> record = outcome -> {
            synchronized (outcomes) {
                outcomes.add(outcome);
                progress.accept(outcome);
            }
        };
        refused.forEach(record);
        List<TenantInfo> toMigrate = new ArrayList<>();
        for (TenantInfo info : ready) {
            TenantHistories.History history = found.get(info.schema());
            if (histories.current(history)) {
                record.accept(new TenantMigration(info.tenant(), info.schema(), TenantMigration.Status.CURRENT,
                        history.version(), history.version(), 0, null));
            } else {
                toMigrate.add(info);
            }
        }
        TenantWorkers.forEach(toMigrate, parallelism, "migrate", info -> record.accept(migrate(info.tenant(), info.schema())));
        List<TenantMigration> sorted = new ArrayList<>(outcomes);
        sorted.sort(Comparator.comparing(TenantMigration::tenant));
        MigrationReport report = new MigrationReport(sorted);
        LOG.info("Migration run finished: {}", report);
        return report;
    }

    private TenantMigration migrate(String tenant, String schemaName) {
        MDC.put(Tenants.MDC_TENANT, tenant);
        MDC.put(Tenants.MDC_SCHEMA, schemaName);
        try {
            MigrationResult result = changes.run(tenant, () -> migrator.migrate(tenant, SchemaName.ofTenant(schemaName)));
            return new TenantMigration(tenant, schemaName,
                    result.migrationsExecuted() == 0 ? TenantMigration.Status.CURRENT : TenantMigration.Status.MIGRATED,
                    result.initialVersion(), result.targetVersion(), result.migrationsExecuted(), null);
        } catch (TenantryException e) {
            LOG.warn("Tenant '{}' (schema \"{}\") failed to migrate: {}", tenant, schemaName, e.getMessage());
            String version = versionQuietly(schemaName);
            return new TenantMigration(tenant, schemaName, TenantMigration.Status.FAILED, version, version, 0,
                    e.getMessage());
        } finally {
            MDC.remove(Tenants.MDC_TENANT);
            MDC.remove(Tenants.MDC_SCHEMA);
        }
    }

    private String versionQuietly(String schemaName) {
        try {
            return migrator.currentVersion(SchemaName.of(schemaName)).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
