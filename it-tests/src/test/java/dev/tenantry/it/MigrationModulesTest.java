package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantStatus;
import dev.tenantry.tenancy.TenantVerifier;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The application's migrations beside the model's, each module with a history table of its own: versions that
 * never collide, the declared order, the one-time conversion of schemas whose one history holds both (as every
 * release before modules made them), the fast paths (one query finds current tenants; template copies) with
 * several histories, and {@code TENANTRY_MIGRATIONS} read by the library as by the command line.
 */
@WithPostgres
class MigrationModulesTest {

    private static final String APP = "classpath:db/it/todos";

    private static TenantryPersistence withApp(TestDatabase db) {
        return Tenantry.builder(db.config().perRequest().build()).migrations(APP).start();
    }

    @Test
    void theAppsMigrationsKeepAHistoryOfTheirOwnBesideTheModels(TestDatabase db) {
        try (TenantryPersistence tenantry = withApp(db)) {
            MigrationResult created = tenantry.provisioning().provision("mod_two");

            assertThat(created.targetVersion()).isEqualTo("tenantry 3, app 101");
            assertThat(db.column("SELECT version FROM mod_two.flyway_schema_history ORDER BY installed_rank"))
                    .containsExactly("1", "2", "3");
            assertThat(db.column("SELECT version FROM mod_two.flyway_schema_history_app ORDER BY installed_rank"))
                    .containsExactly("100", "101");
            assertThat(db.column("SELECT column_name FROM information_schema.columns WHERE table_schema = 'mod_two'"
                    + " AND table_name = 'todos' ORDER BY ordinal_position")).containsExactly("id", "user_id", "title", "done", "priority");
            TenantStatus status = tenantry.provisioning().status().stream().filter(s -> s.tenant().equals("mod_two"))
                    .findFirst().orElseThrow();
            assertThat(status.version()).isEqualTo("tenantry 3, app 101");
            assertThat(status.pending()).isZero();
            assertThat(status.healthy()).isTrue();
        }
    }

    @Test
    void modulesMigrateInTheDeclaredOrderSoTheAppsTablesMayReferToTheModels(TestDatabase db) {
        // todos references users: run the other way round, V100 would fail on a schema without users.
        try (TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().build()).migrations(APP).start()) {
            tenantry.provisioning().provision("mod_order");
        }
        List<String> installed = db.column("SELECT 'tenantry ' || version || ' ' || installed_on::text FROM"
                + " mod_order.flyway_schema_history UNION ALL SELECT 'app ' || version || ' ' || installed_on::text FROM"
                + " mod_order.flyway_schema_history_app ORDER BY 1");
        assertThat(installed).hasSize(5);
        String lastModel = db.column("SELECT max(installed_on)::text FROM mod_order.flyway_schema_history").get(0);
        String firstApp = db.column("SELECT min(installed_on)::text FROM mod_order.flyway_schema_history_app").get(0);
        assertThat(firstApp.compareTo(lastModel)).as("the app's first migration ran after the model's last").isGreaterThanOrEqualTo(0);
    }

    @Test
    void aSchemaMadeByTheReleaseBeforeModulesIsConvertedOnceInOneTransaction(TestDatabase db) {
        try (TenantryPersistence base = Tenantry.start(db.config().perRequest().build())) {
            base.provisioning().provision("conv_a");
            base.provisioning().provision("conv_b");
        }
        // What Tenantry.builder(config).migrations(APP) did before modules: one Flyway history for everything.
        for (String schema : List.of("conv_a", "conv_b")) {
            try (var database = dev.tenantry.core.Database.open(db.config().perRequest().build())) {
                new SchemaMigrator(database.admin(), List.of(Tenantry.MIGRATIONS, APP)).migrate(null, SchemaName.of(schema));
            }
        }
        db.execute("INSERT INTO conv_a.users (id, email) VALUES ('018f0000-0000-7000-8000-000000000001', 'ada@a.example')");
        db.execute("INSERT INTO conv_a.todos (user_id, title, priority) VALUES ('018f0000-0000-7000-8000-000000000001', 'keep me', 2)");
        assertThat(db.column("SELECT version FROM conv_a.flyway_schema_history ORDER BY installed_rank"))
                .containsExactly("1", "2", "3", "100", "101");
        List<String> appRows = db.column("SELECT version || ' ' || script || ' ' || checksum FROM conv_a.flyway_schema_history"
                + " WHERE version IN ('100', '101') ORDER BY installed_rank");

        try (TenantryPersistence tenantry = withApp(db)) {
            assertThat(tenantry.provisioning().status()).allSatisfy(s -> assertThat(s.pending()).as(s.tenant()).isPositive());
            MigrationReport report = tenantry.provisioning().migrateAll(2, outcome -> { });

            assertThat(report.hasFailures()).isFalse();
            assertThat(report.tenants()).allSatisfy(t -> assertThat(t.toVersion()).isEqualTo("tenantry 3, app 101"));
            assertThat(report.tenants()).allSatisfy(t -> assertThat(t.migrationsExecuted()).isZero());
            assertThat(db.column("SELECT version FROM conv_a.flyway_schema_history ORDER BY installed_rank"))
                    .containsExactly("1", "2", "3");
            assertThat(db.column("SELECT installed_rank || ' ' || version || ' ' || script || ' ' || checksum"
                    + " FROM conv_a.flyway_schema_history_app ORDER BY installed_rank"))
                    .containsExactly("1 " + appRows.get(0), "2 " + appRows.get(1));
            assertThat(db.column("SELECT title || ' ' || priority FROM conv_a.todos")).containsExactly("keep me 2");
            assertThat(tenantry.provisioning().status()).allSatisfy(s -> assertThat(s.healthy()).as(s.tenant()).isTrue());

            MigrationReport again = tenantry.provisioning().migrateAll(2, outcome -> { });
            assertThat(again.tenants()).extracting(TenantMigration::status).containsOnly(TenantMigration.Status.CURRENT);
            Tenants.in("conv_a", () -> tenantry.entityManagerFactory().runInTransaction(em ->
                    assertThat(new Users(em).findByEmail("ada@a.example")).isPresent()));
        }
    }

    @Test
    void aConversionThatCannotFinishIsRolledBackAndChangesNothing(TestDatabase db) {
        try (TenantryPersistence base = Tenantry.start(db.config().perRequest().build())) {
            base.provisioning().provision("conv_bad");
        }
        try (var database = dev.tenantry.core.Database.open(db.config().perRequest().build())) {
            new SchemaMigrator(database.admin(), List.of(Tenantry.MIGRATIONS, APP)).migrate(null, SchemaName.of("conv_bad"));
        }
        // A history for the app module exists already, and holds the version 100 the old history holds too.
        db.execute("CREATE TABLE conv_bad.flyway_schema_history_app (LIKE conv_bad.flyway_schema_history INCLUDING ALL)");
        db.execute("INSERT INTO conv_bad.flyway_schema_history_app SELECT * FROM conv_bad.flyway_schema_history WHERE version = '100'");
        List<String> before = db.column("SELECT installed_rank || version FROM conv_bad.flyway_schema_history ORDER BY 1");

        try (TenantryPersistence tenantry = withApp(db)) {
            assertThatThrownBy(() -> tenantry.provisioning().migrate("conv_bad"))
                    .isInstanceOf(MigrationFailedException.class)
                    .hasMessageContaining("conv_bad")
                    .hasMessageContaining("flyway_schema_history_app holds version 100 already");
        }
        assertThat(db.column("SELECT installed_rank || version FROM conv_bad.flyway_schema_history ORDER BY 1"))
                .containsExactlyElementsOf(before);
        assertThat(db.column("SELECT version FROM conv_bad.flyway_schema_history_app")).containsExactly("100");
    }

    @Test
    void theFastPathsWorkWithSeveralHistories(TestDatabase db) {
        try (TenantryPersistence tenantry = withApp(db)) {
            MigrationResult copied = tenantry.provisioning().provisionFromTemplate("fast_copy");
            tenantry.provisioning().provision("fast_replayed");

            assertThat(copied.schemaCreated()).isTrue();
            assertThat(copied.targetVersion()).isEqualTo("tenantry 3, app 101");
            assertThat(db.column("SELECT version FROM fast_copy.flyway_schema_history_app ORDER BY installed_rank"))
                    .containsExactly("100", "101");
            assertThat(db.column("SELECT count(*) FROM fast_copy.flyway_schema_history")).containsExactly("3");
            MigrationReport report = tenantry.provisioning().migrateAll(2, outcome -> { });
            // other tests' tenants of this database may lack the app module; these two are current
            assertThat(report.tenants()).filteredOn(t -> t.tenant().startsWith("fast_")).hasSize(2)
                    .extracting(TenantMigration::status).containsOnly(TenantMigration.Status.CURRENT);
            assertThat(tenantry.provisioning().versions()).containsEntry("fast_copy", "tenantry 3, app 101")
                    .containsEntry("fast_replayed", "tenantry 3, app 101");
        }
    }

    @Test
    void eachSetOfModulesCopiesFromATemplateOfItsOwn(TestDatabase db) {
        // The app (model and app modules) and a command line run without --migrations (the model alone) on one
        // database: a copy made by the second must not carry the app's tables, nor the first lack them.
        try (TenantryPersistence app = withApp(db)) {
            app.provisioning().provisionFromTemplate("tpl_app");
            assertThat(app.provisioning().templateSchema().value()).startsWith("tenantry_template_");
        }
        try (TenantryPersistence model = Tenantry.start(db.config().perRequest().build())) {
            MigrationResult copied = model.provisioning().provisionFromTemplate("tpl_model");

            assertThat(model.provisioning().templateSchema().value()).isEqualTo("tenantry_template");
            assertThat(copied.targetVersion()).isEqualTo("3");
            assertThat(db.column("SELECT table_name FROM information_schema.tables WHERE table_schema = 'tpl_model'"
                    + " ORDER BY 1")).containsExactly("anon_sessions", "flyway_schema_history", "users");
            assertThatThrownBy(() -> model.provisioning().provision("tenantry_template_0badcafe"))
                    .isInstanceOf(dev.tenantry.core.InvalidSchemaNameException.class)
                    .hasMessageContaining("template");
        }
        // A template left by a release with one template for every set of modules, holding the app's tables: it is
        // built again before its first copy, rather than copied.
        db.execute("CREATE TABLE tenantry_template.flyway_schema_history_app (installed_rank int)");
        db.execute("CREATE TABLE tenantry_template.todos (id bigint GENERATED ALWAYS AS IDENTITY)");
        try (TenantryPersistence model = Tenantry.start(db.config().perRequest().build())) {
            model.provisioning().provisionFromTemplate("tpl_model_again");
            assertThat(db.column("SELECT table_name FROM information_schema.tables WHERE table_schema = 'tpl_model_again'"
                    + " ORDER BY 1")).containsExactly("anon_sessions", "flyway_schema_history", "users");
            assertThat(db.column("SELECT table_name FROM information_schema.tables WHERE table_schema = 'tenantry_template'"
                    + " ORDER BY 1")).containsExactly("anon_sessions", "flyway_schema_history", "users");
        }
        try (TenantryPersistence app = withApp(db)) {
            app.provisioning().provisionFromTemplate("tpl_app_again");
            assertThat(db.column("SELECT table_name FROM information_schema.tables WHERE table_schema = 'tpl_app_again'"
                    + " ORDER BY 1")).containsExactly("anon_sessions", "flyway_schema_history", "flyway_schema_history_app",
                    "todos", "users");
            TenantVerifier verifier = new TenantVerifier(app.database(), app.provisioning(),
                    TenantVerifier.modelOf(app.entityManagerFactory()));
            assertThat(verifier.verify(List.of("tpl_app", "tpl_app_again")))
                    .allSatisfy(v -> assertThat(v.findings()).as(v.tenant()).isEmpty());
        }
    }

    @Test
    void theLibraryReadsTheAppsMigrationsFromTheEnvironment(TestDatabase db) {
        Map<String, String> env = db.environment();
        env.put(TenantryConfig.MIGRATIONS, APP);
        env.put(TenantryConfig.MODE, "per-request");
        try (TenantryPersistence tenantry = Tenantry.start(TenantryConfig.builder().environment(env).build())) {
            assertThat(tenantry.provisioning().migrator().modules()).extracting(m -> m.name()).containsExactly("tenantry", "app");
            assertThat(tenantry.provisioning().provision("env_app").targetVersion()).isEqualTo("tenantry 3, app 101");
        }
    }
}
