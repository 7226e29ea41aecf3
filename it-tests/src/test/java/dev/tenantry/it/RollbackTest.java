package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.MigrationOptions;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantryPersistence;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code migrate --to}: one module of many tenants down with its down scripts and up again, each tenant in one
 * transaction with its history; every down script checked for every tenant before any tenant is touched.
 */
@WithPostgres
class RollbackTest {

    private static final String USER = "018f0000-0000-7000-8000-0000000000aa";

    /** Tenantry with the app's migrations and a registry of its own, so that a run over all tenants sees only this test's. */
    private static TenantryPersistence start(TestDatabase db, String app, String registry) {
        return Tenantry.builder(db.config().perRequest().sharedSchema(registry).build()).migrations(app).start();
    }

    private static void addTodo(TestDatabase db, String schema, String title) {
        db.execute("INSERT INTO " + schema + ".users (id, email) VALUES ('" + USER + "', 'u@" + schema + ".example')"
                + " ON CONFLICT DO NOTHING");
        db.execute("INSERT INTO " + schema + ".todos (user_id, title, priority) VALUES ('" + USER + "', '" + title + "', 5)");
    }

    private static List<String> appVersions(TestDatabase db, String schema) {
        return db.column("SELECT version FROM " + schema + ".flyway_schema_history_app ORDER BY installed_rank");
    }

    @Test
    void theAppGoesDownAndUpAgainKeepingTheRowsItsDownScriptsKeep(TestDatabase db) {
        List<String> tenants = List.of("rb_a", "rb_b", "rb_c");
        try (TenantryPersistence tenantry = start(db, "classpath:db/it/todos", "reg_updown")) {
            tenants.forEach(tenantry.provisioning()::provision);
            tenants.forEach(t -> addTodo(db, t, "todo of " + t));

            MigrationReport toHundred = tenantry.provisioning().migrateAll(
                    MigrationOptions.defaults().parallelism(2).to("app", "100"), outcome -> { });
            assertThat(toHundred.hasFailures()).isFalse();
            assertThat(toHundred.tenants()).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TenantMigration.Status.MIGRATED);
                assertThat(t.undone()).isTrue();
                assertThat(t.migrationsExecuted()).isEqualTo(1);
                assertThat(t.fromVersion()).isEqualTo("tenantry 3, app 101");
                assertThat(t.toVersion()).isEqualTo("tenantry 3, app 100");
            });
            for (String tenant : tenants) {
                assertThat(appVersions(db, tenant)).containsExactly("100");
                assertThat(db.column("SELECT title FROM " + tenant + ".todos")).as("U101 keeps the rows").containsExactly("todo of " + tenant);
                assertThat(db.column("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + tenant
                        + "' AND column_name = 'priority'")).containsExactly("0");
            }

            MigrationReport toNothing = tenantry.provisioning().migrateAll(MigrationOptions.defaults().to("app", "0"), o -> { });
            assertThat(toNothing.tenants()).allSatisfy(t -> assertThat(t.toVersion()).isEqualTo("tenantry 3, app none"));
            assertThat(db.tables()).noneMatch(table -> table.endsWith(".todos"));
            assertThat(db.column("SELECT count(*) FROM rb_a.flyway_schema_history")).as("the model is not touched").containsExactly("3");

            MigrationReport upToHundred = tenantry.provisioning().migrateAll(MigrationOptions.defaults().to("app", "100"), o -> { });
            assertThat(upToHundred.tenants()).allSatisfy(t -> {
                assertThat(t.undone()).isFalse();
                assertThat(t.toVersion()).isEqualTo("tenantry 3, app 100");
            });
            assertThat(appVersions(db, "rb_b")).containsExactly("100");

            MigrationReport again = tenantry.provisioning().migrateAll(MigrationOptions.defaults().to("app", "100"), o -> { });
            assertThat(again.tenants()).extracting(TenantMigration::status).containsOnly(TenantMigration.Status.CURRENT);

            MigrationReport latest = tenantry.provisioning().migrateAll(1, o -> { });
            assertThat(latest.tenants()).allSatisfy(t -> assertThat(t.toVersion()).isEqualTo("tenantry 3, app 101"));
            assertThat(appVersions(db, "rb_c")).containsExactly("100", "101");
        }
    }

    @Test
    void aMissingDownScriptIsRefusedBeforeAnyTenantChanges(TestDatabase db) {
        List<String> tenants = List.of("nu_a", "nu_b");
        try (TenantryPersistence tenantry = start(db, "classpath:db/it/todos_noundo", "reg_noundo")) {
            tenants.forEach(tenantry.provisioning()::provision);
            addTodo(db, "nu_a", "still here");

            assertThatThrownBy(() -> tenantry.provisioning().migrateAll(MigrationOptions.defaults().to("app", "0"), o -> { }))
                    .isInstanceOf(TenantryException.class)
                    .hasMessageContaining("no down script U101__<description>.sql (needed by nu_a, nu_b)")
                    .hasMessageContaining("nothing was changed");
            for (String tenant : tenants) {
                assertThat(appVersions(db, tenant)).containsExactly("100", "101");
            }
            assertThat(db.column("SELECT title || ' ' || priority FROM nu_a.todos")).containsExactly("still here 5");

            assertThatThrownBy(() -> tenantry.provisioning().migrateAll(MigrationOptions.defaults().to("app", "42"), o -> { }))
                    .hasMessageContaining("Migration module 'app' has no version 42; its versions are 100, 101");
        }
    }

    @Test
    void aDownScriptThatFailsRollsBackThatTenantAloneWithItsHistory(TestDatabase db) {
        try (TenantryPersistence tenantry = start(db, "classpath:db/it/todos", "reg_downfail")) {
            tenantry.provisioning().provision("df_ok");
            tenantry.provisioning().provision("df_bad");
            // A view on the column U101 drops: PostgreSQL refuses the drop in df_bad only.
            db.execute("CREATE VIEW df_bad.urgent AS SELECT id FROM df_bad.todos WHERE priority > 3");

            MigrationReport report = tenantry.provisioning().migrateAll(MigrationOptions.defaults().to("app", "100"), o -> { });

            TenantMigration bad = report.tenants().stream().filter(t -> t.tenant().equals("df_bad")).findFirst().orElseThrow();
            assertThat(bad.status()).isEqualTo(TenantMigration.Status.FAILED);
            assertThat(bad.error()).contains("df_bad", "U101__todo_priority.sql", "depend");
            assertThat(bad.toVersion()).isEqualTo("tenantry 3, app 101");
            assertThat(appVersions(db, "df_bad")).containsExactly("100", "101");
            assertThat(db.column("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'df_bad'"
                    + " AND table_name = 'todos' AND column_name = 'priority'")).containsExactly("1");
            assertThat(appVersions(db, "df_ok")).containsExactly("100");
        }
    }
}
