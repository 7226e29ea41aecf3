package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantryPersistence;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * DDL that never stalls a busy tenant: a migration whose table lock is held by a open transaction waits no longer
 * than the lock timeout, is rolled back, and is tried again later in the same run; once the lock is released the
 * retry succeeds. Without retries left, the tenant is reported failed with the lock timeout, unchanged.
 */
@WithPostgres
class LockTimeoutTest {

    private static final String EXTRA = "classpath:db/it/extra"; // V100: ALTER TABLE users ADD COLUMN nickname

    /** Provisions tenants in a registry of their own, so that a run over all tenants sees only the test's. */
    private static void provision(TestDatabase db, String registry, List<String> tenants) {
        try (TenantryPersistence base = Tenantry.start(db.config().perRequest().sharedSchema(registry).build())) {
            tenants.forEach(base.provisioning()::provision);
        }
    }

    /** A transaction that has read the tenant's users, so it holds a lock the migration's ALTER TABLE waits for. */
    private static Connection holdLock(TestDatabase db, String schema) throws Exception {
        Connection holder = db.connect();
        holder.setAutoCommit(false);
        try (Statement statement = holder.createStatement()) {
            statement.execute("SELECT count(*) FROM " + schema + ".users");
        }
        return holder;
    }

    private static void awaitLockTimeoutRecorded(TestDatabase db, String registry, String tenant) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (db.column("SELECT count(*) FROM " + registry + ".tenants WHERE tenant_id = ? AND last_error LIKE '%lock timeout%'",
                tenant).equals(List.of("0"))) {
            assertThat(System.nanoTime()).as("a lock timeout of %s recorded within 60 s", tenant).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Test
    void aHeldLockTimesOutTheMigrationWhichIsRetriedAndSucceedsAfterRelease(TestDatabase db) throws Exception {
        provision(db, "reg_busy", List.of("lt_busy", "lt_idle"));
        try (Connection holder = holdLock(db, "lt_busy");
             TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().sharedSchema("reg_busy")
                     .migrationLockTimeout(Duration.ofMillis(300)).migrationRetries(10).build()).migrations(EXTRA).start()) {
            long start = System.nanoTime();
            CompletableFuture<MigrationReport> run = CompletableFuture.supplyAsync(
                    () -> tenantry.provisioning().migrateAll(2, outcome -> { }));

            awaitLockTimeoutRecorded(db, "reg_busy", "lt_busy");
            holder.commit();
            MigrationReport report = run.get(120, TimeUnit.SECONDS);

            TenantMigration busy = report.tenants().stream().filter(t -> t.tenant().equals("lt_busy")).findFirst().orElseThrow();
            assertThat(busy.status()).isEqualTo(TenantMigration.Status.MIGRATED);
            assertThat(busy.lockTimeouts()).isPositive();
            assertThat(report.tenants().stream().filter(t -> t.tenant().equals("lt_idle")).findFirst().orElseThrow().lockTimeouts())
                    .isZero();
            assertThat(db.column("SELECT version FROM lt_busy.flyway_schema_history_app")).containsExactly("100");
            assertThat(db.column("SELECT last_error IS NULL FROM reg_busy.tenants WHERE tenant_id = 'lt_busy'")).containsExactly("t");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(120));
        }
    }

    @Test
    void withoutRetriesLeftTheTenantIsReportedWithTheLockTimeoutAndIsUnchanged(TestDatabase db) throws Exception {
        provision(db, "reg_stuck", List.of("lt_stuck"));
        try (Connection holder = holdLock(db, "lt_stuck");
             TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().sharedSchema("reg_stuck")
                     .migrationLockTimeout(Duration.ofMillis(200)).migrationRetries(0).build()).migrations(EXTRA).start()) {
            MigrationReport report = tenantry.provisioning().migrateAll(1, outcome -> { });

            TenantMigration stuck = report.tenants().get(0);
            assertThat(stuck.status()).isEqualTo(TenantMigration.Status.FAILED);
            assertThat(stuck.lockTimeouts()).isEqualTo(1);
            assertThat(stuck.error()).contains("lt_stuck", "lock timeout 200ms", "55P03");
            assertThat(db.column("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'lt_stuck'"
                    + " AND column_name = 'nickname'")).containsExactly("0");
            assertThat(db.column("SELECT count(*) FROM lt_stuck.flyway_schema_history_app WHERE success")).containsExactly("0");
            holder.rollback();
        }
    }
}
