package dev.tenantry.tenancy;

import dev.tenantry.core.MigrationLockTimeoutException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Migrates tenants: one tenant, the named ones, or every ready one, to the latest version of every module or one
 * module to a version. Tenants already there are found from their histories in one query per batch and skipped;
 * the others migrate {@code parallelism} at a time, each in its own transaction, one tenant's failure recorded and
 * the run going on. A tenant rolled back on the lock timeout is tried again after the others, up to the retries.
 */
final class MigrationRun {

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);
    /** The longest pause between two passes over tenants whose lock timed out. */
    private static final Duration MAX_PAUSE = Duration.ofSeconds(30);

    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final TenantHistories histories;
    private final TenantChanges changes;
    private final MigrationRollback rollback;
    private final TenantSnapshots snapshots;
    private final int defaultRetries;

    MigrationRun(SchemaMigrator migrator, TenantRegistry registry, TenantHistories histories, TenantChanges changes,
                 MigrationRollback rollback, TenantSnapshots snapshots, int defaultRetries) {
        this.migrator = migrator;
        this.registry = registry;
        this.histories = histories;
        this.changes = changes;
        this.rollback = rollback;
        this.snapshots = snapshots;
        this.defaultRetries = defaultRetries;
    }

    /** See {@link TenantProvisioning#migrate(String)}. */
    MigrationResult one(String tenant) {
        SchemaName schema = registry.schemaOf(tenant);
        return changes.runRetrying(tenant, defaultRetries, migrator.lockTimeout(), () -> migrator.migrate(tenant, schema));
    }

    /** See {@link TenantProvisioning#migrateAll(MigrationOptions, Consumer)}. */
    MigrationReport all(MigrationOptions options, Consumer<TenantMigration> progress) {
        return run(registry.list().stream().filter(TenantInfo::ready).toList(), List.of(), options, progress);
    }

    /** See {@link TenantProvisioning#migrate(List, MigrationOptions, Consumer)}. */
    MigrationReport named(List<String> tenants, MigrationOptions options, Consumer<TenantMigration> progress) {
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
        return run(known, refused, options, progress);
    }

    private MigrationReport run(List<TenantInfo> ready, List<TenantMigration> refused, MigrationOptions options,
                                Consumer<TenantMigration> progress) {
        Map<String, TenantHistories.Histories> found = histories.of(ready.stream().map(TenantInfo::schema).toList());
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
            TenantHistories.Histories history = found.get(info.schema());
            String version = histories.version(history);
            if (options.module() == null ? histories.current(history) : atTarget(history, options)) {
                record.accept(new TenantMigration(info.tenant(), info.schema(), TenantMigration.Status.CURRENT,
                        version, version, 0, null));
            } else {
                toMigrate.add(info);
            }
        }
        if (options.module() != null) {
            // Every down script every tenant needs is checked before any tenant is touched.
            rollback.check(toMigrate, options.module(), options.targetVersion());
        }
        int retries = options.retries() < 0 ? defaultRetries : options.retries();
        Map<String, Integer> timeouts = new ConcurrentHashMap<>();
        Map<String, String> taken = new ConcurrentHashMap<>();
        for (int pass = 0; !toMigrate.isEmpty(); pass++) {
            boolean last = pass >= retries;
            List<TenantInfo> timedOut = new ArrayList<>();
            TenantWorkers.forEach(toMigrate, options.parallelism(), "migrate", info -> {
                TenantMigration outcome = migrate(info.tenant(), info.schema(), options, taken);
                int count = timeouts.getOrDefault(info.tenant(), 0);
                if (outcome.failed() && outcome.lockTimeouts() > 0) {
                    count++;
                    synchronized (timeouts) {
                        timeouts.put(info.tenant(), count);
                        if (!last) {
                            timedOut.add(info);
                            return;
                        }
                    }
                }
                record.accept(outcome.afterLockTimeouts(count));
            });
            toMigrate = timedOut;
            if (!toMigrate.isEmpty()) {
                pause(pass + 1, toMigrate.size());
            }
        }
        List<TenantMigration> sorted = new ArrayList<>(outcomes);
        sorted.sort(Comparator.comparing(TenantMigration::tenant));
        MigrationReport report = new MigrationReport(sorted);
        LOG.info("Migration run finished: {}", report);
        return report;
    }

    /** Whether the target module of a schema stands at the target version already, with nothing failed. */
    private boolean atTarget(TenantHistories.Histories history, MigrationOptions options) {
        if (history == null || history.failed() > 0) {
            return false;
        }
        TenantHistories.History module = history.byModule().get(migrator.module(options.module()).name());
        return module != null && module.version() != null
                && MigrationVersion.fromVersion(module.version()).equals(MigrationVersion.fromVersion(options.targetVersion()));
    }

    /** Gives the locks that timed out time to be released: the lock timeout times the pass, at most 30 s. */
    private void pause(int pass, int tenants) {
        Duration lockTimeout = migrator.lockTimeout();
        Duration pause = lockTimeout.multipliedBy(pass);
        if (pause.compareTo(MAX_PAUSE) > 0) {
            pause = MAX_PAUSE;
        }
        LOG.info("{} tenant(s) hit the lock timeout; trying again in {} ms (retry {})", tenants, pause.toMillis(), pass);
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TenantryException("Interrupted while waiting to retry tenants whose lock timed out", e);
        }
    }

    /** Migrates one tenant; with snapshots, takes one first, once per run ({@code taken}: tenant to snapshot). */
    private TenantMigration migrate(String tenant, String schemaName, MigrationOptions options, Map<String, String> taken) {
        MDC.put(Tenants.MDC_TENANT, tenant);
        MDC.put(Tenants.MDC_SCHEMA, schemaName);
        String snapshot = taken.get(tenant);
        try {
            SchemaName schema = SchemaName.ofTenant(schemaName);
            if (options.snapshotFirst() && snapshot == null) {
                snapshot = snapshots.take(tenant, schema).name();
                taken.put(tenant, snapshot);
            }
            boolean[] undone = new boolean[1];
            MigrationResult result = changes.run(tenant, () -> {
                if (options.module() != null && rollback.isDown(schema, options.module(), options.targetVersion())) {
                    undone[0] = true;
                    return rollback.down(tenant, schema, options.module(), options.targetVersion());
                }
                return options.module() == null ? migrator.migrate(tenant, schema)
                        : migrator.migrate(tenant, schema, options.module(), options.targetVersion());
            });
            boolean changed = result.migrationsExecuted() > 0 || undone[0];
            return new TenantMigration(tenant, schemaName, changed ? TenantMigration.Status.MIGRATED : TenantMigration.Status.CURRENT,
                    result.initialVersion(), result.targetVersion(), result.migrationsExecuted(), null, 0, snapshot, undone[0]);
        } catch (TenantryException e) {
            boolean lockTimeout = e instanceof MigrationLockTimeoutException;
            LOG.warn("Tenant '{}' (schema \"{}\") failed to migrate{}: {}", tenant, schemaName,
                    lockTimeout ? " (lock timeout)" : "", e.getMessage());
            String version = versionQuietly(schemaName);
            return new TenantMigration(tenant, schemaName, TenantMigration.Status.FAILED, version, version, 0,
                    e.getMessage(), lockTimeout ? 1 : 0, snapshot, false);
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
