package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.TenantUnavailableException;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.DropNotConfirmedException;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantDrop;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantStatus;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Operating many tenants: parallel migration runs, status, template and clone provisioning, drop. */
@WithPostgres
class TenantOperationsTest {

    private static Map<String, TenantMigration.Status> statuses(MigrationReport report) {
        return report.tenants().stream().collect(Collectors.toMap(TenantMigration::tenant, TenantMigration::status));
    }

    @Test
    void aParallelRunMigratesEveryTenantIsolatesAFailureAndARerunContinues(TestDatabase db) {
        List<String> tenants = List.of("run_a", "run_b", "run_c", "run_d", "run_e", "run_bad");
        try (TenantryPersistence base = Tenantry.start(db.config().perRequest().build())) {
            tenants.forEach(base.provisioning()::provision);
        }
        db.execute("ALTER TABLE run_bad.users ADD COLUMN nickname text"); // the next migration will collide

        try (TenantryPersistence next = Tenantry.builder(db.config().perRequest().build())
                .migrations("classpath:db/it/extra").start()) {
            TenantProvisioning provisioning = next.provisioning();
            assertThat(provisioning.status()).filteredOn(s -> tenants.contains(s.tenant()))
                    .allSatisfy(s -> assertThat(s.pending()).isEqualTo(1));

            MigrationReport first = provisioning.migrateAll(3, outcome -> { });
            assertThat(statuses(first)).containsEntry("run_a", TenantMigration.Status.MIGRATED)
                    .containsEntry("run_e", TenantMigration.Status.MIGRATED)
                    .containsEntry("run_bad", TenantMigration.Status.FAILED);
            assertThat(first.failures()).singleElement().satisfies(f -> assertThat(f.error()).contains("run_bad"));
            assertThat(db.column("SELECT count(*) FROM information_schema.columns WHERE column_name = 'nickname'"
                    + " AND table_schema LIKE 'run_%'")).containsExactly("6");
            assertThat(db.column("SELECT count(*) FROM run_bad.flyway_schema_history_app WHERE version = '100'")).containsExactly("0");

            MigrationReport again = provisioning.migrateAll(3, outcome -> { });
            assertThat(statuses(again)).containsEntry("run_a", TenantMigration.Status.CURRENT)
                    .containsEntry("run_bad", TenantMigration.Status.FAILED);
            TenantStatus bad = provisioning.status().stream().filter(s -> s.tenant().equals("run_bad")).findFirst().orElseThrow();
            assertThat(bad.pending()).isEqualTo(1);
            assertThat(bad.lastError()).contains("nickname");
            assertThat(bad.healthy()).isFalse();
            // Still ready in the registry (rolled back, not broken), but this process, whose code expects
            // version 100, refuses it rather than serve it the old schema; the others are served.
            assertThat(bad.state()).isEqualTo(TenantInfo.READY);
            assertThat(provisioning.unavailable()).containsOnlyKeys("run_bad");
            assertThatThrownBy(() -> Tenants.in("run_bad", () -> next.entityManagerFactory()
                    .callInTransaction(em -> new Users(em).count())))
                    .satisfies(e -> assertThat(causeOfType(e, TenantUnavailableException.class)).isNotNull()
                            .satisfies(u -> assertThat(u.getMessage()).contains("run_bad", "nickname")));
            long servedUsers = Tenants.in("run_a", () -> next.entityManagerFactory().callInTransaction(em -> new Users(em).count()));
            assertThat(servedUsers).isZero();

            db.execute("ALTER TABLE run_bad.users DROP COLUMN nickname");
            MigrationReport fixed = provisioning.migrateAll(3, outcome -> { });
            assertThat(statuses(fixed)).containsEntry("run_bad", TenantMigration.Status.MIGRATED)
                    .containsEntry("run_c", TenantMigration.Status.CURRENT);
            assertThat(provisioning.status()).filteredOn(s -> tenants.contains(s.tenant())).allMatch(TenantStatus::healthy);
            assertThat(provisioning.unavailable()).isEmpty();
            long servedAgain = Tenants.in("run_bad", () -> next.entityManagerFactory().callInTransaction(em -> new Users(em).count()));
            assertThat(servedAgain).isZero();
        }
    }

    @Test
    void twoConcurrentRunsNeverApplyAMigrationTwice(TestDatabase db) {
        List<String> tenants = List.of("pair_a", "pair_b", "pair_c", "pair_d");
        try (TenantryPersistence base = Tenantry.start(db.config().perRequest().build())) {
            tenants.forEach(base.provisioning()::provision);
        }
        try (TenantryPersistence one = Tenantry.builder(db.config().perRequest().build()).migrations("classpath:db/it/extra").start();
             TenantryPersistence two = Tenantry.builder(db.config().perRequest().build()).migrations("classpath:db/it/extra").start()) {
            CompletableFuture<MigrationReport> first = CompletableFuture.supplyAsync(() -> one.provisioning().migrateAll(2, o -> { }));
            CompletableFuture<MigrationReport> second = CompletableFuture.supplyAsync(() -> two.provisioning().migrateAll(2, o -> { }));
            assertThat(first.join().hasFailures()).isFalse();
            assertThat(second.join().hasFailures()).isFalse();
        }
        for (String tenant : tenants) {
            assertThat(db.column("SELECT count(*) FROM " + tenant + ".flyway_schema_history_app WHERE version = '100'"))
                    .as(tenant).containsExactly("1");
        }
    }

    @Test
    void aTenantCopiedFromTheTemplateIsMigratedUsableAndLooksLikeAMigratedOne(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            tenantry.provisioning().provision("replayed");
            MigrationResult copied = tenantry.provisioning().provisionFromTemplate("copied");

            assertThat(copied.schemaCreated()).isTrue();
            assertThat(copied.targetVersion()).isEqualTo("3");
            assertThat(tenantry.provisioning().versions()).containsEntry("copied", "3");
            Tenants.in("copied", () -> tenantry.entityManagerFactory()
                    .runInTransaction(em -> new Users(em).create("first@copied.example", "C")));
            assertThat(db.column("SELECT count(*) FROM copied.users")).containsExactly("1");
            String columns = "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns"
                    + " WHERE table_schema = ? ORDER BY 1";
            assertThat(db.column(columns, "copied")).isEqualTo(db.column(columns, "replayed"));
            String indexes = "SELECT indexname FROM pg_indexes WHERE schemaname = ? ORDER BY 1";
            assertThat(db.column(indexes, "copied")).isEqualTo(db.column(indexes, "replayed"));
            assertThat(db.storageParameters("copied")).isEqualTo(db.storageParameters("replayed"))
                    .containsExactly("anon_sessions autovacuum_vacuum_threshold=1000,autovacuum_analyze_threshold=1000");
            assertThatThrownBy(() -> tenantry.provisioning().provisionFromTemplate(TenantProvisioning.TEMPLATE_SCHEMA))
                    .isInstanceOf(InvalidSchemaNameException.class);
        }
    }

    @Test
    void aTenantIsClonedWithOrWithoutItsRows(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            tenantry.provisioning().provision("clone_src");
            Tenants.in("clone_src", () -> tenantry.entityManagerFactory()
                    .runInTransaction(em -> new Users(em).create("src@example.com", "S")));

            tenantry.provisioning().cloneTenant("clone_src", "clone_empty", false);
            tenantry.provisioning().cloneTenant("clone_src", "clone_full", true);

            assertThat(db.column("SELECT count(*) FROM clone_empty.users")).containsExactly("0");
            assertThat(db.column("SELECT email FROM clone_full.users")).containsExactly("src@example.com");
            assertThat(tenantry.provisioning().versions()).containsEntry("clone_full", "3").containsEntry("clone_empty", "3");
            assertThatThrownBy(() -> tenantry.provisioning().cloneTenant("clone_src", "clone_full", true))
                    .isInstanceOf(TenantryException.class).hasMessageContaining("nothing was changed");
            assertThat(tenantry.provisioning().find("clone_full").orElseThrow().lastError()).isNull();
            assertThatThrownBy(() -> tenantry.provisioning().cloneTenant("nobody_here", "clone_x", false))
                    .isInstanceOf(UnknownTenantException.class);
        }
    }

    @Test
    void droppingNeedsTheConfirmationAndRemovesSchemaAndRegistryRow(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            TenantProvisioning provisioning = tenantry.provisioning();
            provisioning.provision("doomed");
            Tenants.in("doomed", () -> tenantry.entityManagerFactory().runInTransaction(em -> new Users(em).count()));

            assertThatThrownBy(() -> provisioning.drop("doomed", "doomd")).isInstanceOf(DropNotConfirmedException.class)
                    .hasMessageContaining("confirmation");
            assertThatThrownBy(() -> provisioning.drop("public", "public")).isInstanceOf(InvalidSchemaNameException.class);
            assertThatThrownBy(() -> provisioning.drop("tenantry", "tenantry")).isInstanceOf(InvalidSchemaNameException.class);
            assertThatThrownBy(() -> provisioning.drop("never_was", "never_was")).isInstanceOf(UnknownTenantException.class);
            assertThat(db.schemas()).contains("doomed");

            TenantDrop dropped = provisioning.drop("doomed", "doomed");

            assertThat(dropped.schema().value()).isEqualTo("doomed");
            assertThat(dropped.role()).as("tenant roles were never on").isNull();
            assertThat(db.schemas()).doesNotContain("doomed");
            assertThat(provisioning.find("doomed")).isEmpty();
            assertThatThrownBy(() -> Tenants.in("doomed", () -> tenantry.entityManagerFactory()
                    .callInTransaction(em -> new Users(em).count())))
                    .hasStackTraceContaining("Unknown tenant 'doomed'");
        }
    }

    @Test
    void aTenantsSchemaCanBeOwnedByOrGrantedToARole(TestDatabase db) {
        String role = "app_" + Long.toHexString(System.nanoTime());
        db.execute("CREATE ROLE " + role + " NOLOGIN");
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            tenantry.provisioning().provision("owned");
            tenantry.provisioning().provision("granted");

            tenantry.provisioning().grantSchema("owned", role, true);
            tenantry.provisioning().grantSchema("granted", role, false);

            assertThat(db.column("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'owned'")).containsExactly(role);
            assertThat(db.column("SELECT has_schema_privilege(?, 'granted', 'USAGE') AND has_schema_privilege(?, 'granted', 'CREATE')",
                    role, role)).containsExactly("t");
            assertThatThrownBy(() -> tenantry.provisioning().grantSchema("owned", "no_such_role_x", false))
                    .isInstanceOf(TenantryException.class).hasMessageContaining("does not exist");
        } finally {
            db.execute("REASSIGN OWNED BY " + role + " TO \"" + db.server().user() + "\""); // named: Citus crashes on CURRENT_USER here
            db.execute("DROP OWNED BY " + role);
            db.execute("DROP ROLE " + role);
        }
    }

    private static <T extends Throwable> T causeOfType(Throwable failure, Class<T> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }
}
