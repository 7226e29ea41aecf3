package dev.tenantry.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.IsolationSoak;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.ProvisionOptions;
import dev.tenantry.tenancy.TenantResult;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Migrating every tenant while the isolation soak runs: a migration that alters the very table the soak reads and
 * writes ({@code ALTER TABLE users ADD COLUMN}), in every tenant, with the default lock timeout. Reports the soak's
 * latency (p50, p99, max) in a window before the migration and during it, and checks that isolation holds and every
 * tenant was migrated. Sized by {@code -Dmigrate.soak.tenants} (default 60; the {@code reliability} profile
 * migrates 1,000), {@code -Dmigrate.soak.warmup} (seconds of soak counted in no window, default 5) and
 * {@code -Dmigrate.soak.before} (seconds of soak measured before the migration, default 15).
 */
@WithPostgres
class MigrationUnderLoadTest {

    static final int TENANTS = IsolationSoak.size("migrate.soak.tenants", 60);
    static final int SOAKED = IsolationSoak.size("migrate.soak.soaked", 16);
    static final int WARMUP_SECONDS = IsolationSoak.size("migrate.soak.warmup", 5);
    static final int BEFORE_SECONDS = IsolationSoak.size("migrate.soak.before", 15);
    static final int THREADS = IsolationSoak.size("soak.threads", 8);
    static final int PARALLEL = IsolationSoak.size("migrate.soak.parallel", 2);

    /** One soak transaction: when it started and how long it took. */
    private record Sample(long start, long nanos) {
    }

    @Test
    void migratingEveryTenantUnderTheSoakKeepsIsolationAndReportsTheSoaksLatency(TestDatabase db) throws Exception {
        List<String> tenants = IsolationSoak.tenants("mig_", TENANTS);
        try (TenantryPersistence base = Tenantry.start(db.config().perRequest().poolMaxSize(4).build())) {
            List<TenantResult<dev.tenantry.core.MigrationResult>> created = base.provisioning().provision(tenants,
                    ProvisionOptions.defaults().fromTemplate(true).parallelism(4), result -> { });
            assertThat(created).noneMatch(TenantResult::failed);
        }
        ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        try (TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().poolMaxSize(THREADS).build())
                .migrations("classpath:db/it/extra").start()) {
            IsolationSoak.Timing timing = new IsolationSoak.Timing() {
                @Override
                public boolean stop() {
                    return stop.get();
                }

                @Override
                public void transaction(long startNanos, long nanos) {
                    samples.add(new Sample(startNanos, nanos));
                }
            };
            CompletableFuture<IsolationSoak.Result> soak = CompletableFuture.supplyAsync(() -> {
                try {
                    return IsolationSoak.run(new IsolationSoak.Settings("tenantry while every tenant migrates",
                            Integer.MAX_VALUE, THREADS, tenants.subList(0, SOAKED), 11, TenantSchema.PLACEHOLDER + ".users",
                            false), tenantry.entityManagerFactory(), db::connect, timing);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Measurement windows, not waiting for an event: first the warm-up (pool, JIT, statement caches), counted
            // in neither window, then the soak alone, then the soak while every tenant migrates.
            TimeUnit.SECONDS.sleep(WARMUP_SECONDS);
            long warm = System.nanoTime();
            TimeUnit.SECONDS.sleep(BEFORE_SECONDS);
            long migrationStart = System.nanoTime();
            MigrationReport report = tenantry.provisioning().migrateAll(PARALLEL, outcome -> { });
            long migrationEnd = System.nanoTime();
            stop.set(true);
            IsolationSoak.Result result = soak.get(10, TimeUnit.MINUTES);

            long[] before = window(samples, warm, migrationStart);
            long[] during = window(samples, migrationStart, migrationEnd);
            System.out.println(result.summary());
            System.out.printf(Locale.ROOT, "[reliability] migrating %d tenants (ALTER TABLE users in each, %d at a time, lock"
                            + " timeout %s) under the soak (%d threads over %d of them) took %.1f s: %s; soak before: %s;"
                            + " soak during: %s%n", TENANTS, PARALLEL, tenantry.provisioning().migrator().lockTimeout(),
                    THREADS, SOAKED, (migrationEnd - migrationStart) / 1e9, report, describe(before, migrationStart - warm),
                    describe(during, migrationEnd - migrationStart));

            assertThat(report.hasFailures()).as("%s", report.failures()).isFalse();
            assertThat(db.column("SELECT count(*) FROM information_schema.columns WHERE column_name = 'nickname'"
                    + " AND table_schema LIKE 'mig\\_%'")).containsExactly(Integer.toString(TENANTS));
            assertThat(before.length).as("soak transactions before the migration").isPositive();
            assertThat(during.length).as("soak transactions during the migration").isPositive();
            assertThat(result.errors()).as("errors: %s", result.errorSamples()).isZero();
            assertThat(result.crossTenantReads()).as("cross-tenant reads").isZero();
            assertThat(result.foreignRowsAtEnd()).as("cross-tenant writes").isZero();
            assertThat(result.lostRows()).as("rows lost").isZero();
            assertThat(result.unexpectedRows()).as("rows nobody committed").isZero();
        }
    }

    /** The durations of the transactions that started in [from, to), sorted. */
    private static long[] window(ConcurrentLinkedQueue<Sample> samples, long from, long to) {
        List<Long> durations = new ArrayList<>();
        for (Sample sample : samples) {
            if (sample.start() >= from && sample.start() < to) {
                durations.add(sample.nanos());
            }
        }
        long[] sorted = durations.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    private static String describe(long[] sorted, long windowNanos) {
        if (sorted.length == 0) {
            return "no transactions";
        }
        return String.format(Locale.ROOT, "%d transactions in %.1f s (%.0f/s), p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                sorted.length, windowNanos / 1e9, sorted.length / (windowNanos / 1e9), percentile(sorted, 0.50) / 1e6,
                percentile(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

}
