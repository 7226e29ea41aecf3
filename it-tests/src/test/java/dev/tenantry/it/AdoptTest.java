package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.Adoption;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Moving a single-schema application's tables from public into a tenant schema, and back. */
@WithPostgres
class AdoptTest {

    /** Each test starts like a single-schema application before its first adoption: nothing of the model in public. */
    @BeforeEach
    void emptyPublic(TestDatabase db) {
        db.execute("DROP TABLE IF EXISTS public.users, public.anon_sessions, public.flyway_schema_history CASCADE");
    }

    @Test
    void tablesMoveFromPublicIntoATenantWithTheirHistoryAndBackAgain(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            new SchemaMigrator(tenantry.database().admin(), List.of(Tenantry.MIGRATIONS)).provision(null, SchemaName.PUBLIC);
            db.execute("INSERT INTO public.users (id, email) VALUES (gen_random_uuid(), 'legacy@example.com')");

            Adoption plan = tenantry.provisioning().adopt("legacy", false, List.of(), true);
            assertThat(plan.tables()).containsExactlyInAnyOrder("users", "anon_sessions");
            assertThat(plan.statements()).contains("ALTER TABLE \"public\".\"users\" SET SCHEMA \"legacy\"",
                    "ALTER TABLE \"public\".flyway_schema_history SET SCHEMA \"legacy\"");
            assertThat(db.tables()).contains("public.users").doesNotContain("legacy.users");

            tenantry.provisioning().adopt("legacy", false, List.of(), false);
            assertThat(db.tables()).contains("legacy.users", "legacy.anon_sessions", "legacy.flyway_schema_history")
                    .doesNotContain("public.users", "public.flyway_schema_history");
            boolean found = Tenants.in("legacy", () -> tenantry.entityManagerFactory().callInTransaction(em ->
                    new Users(em).findByEmail("legacy@example.com").isPresent()));
            assertThat(found).isTrue();
            assertThat(tenantry.provisioning().versions()).containsEntry("legacy", "3");

            tenantry.provisioning().adopt("legacy", true, List.of(), false);
            assertThat(db.tables()).contains("public.users", "public.flyway_schema_history");
            assertThat(db.schemas()).doesNotContain("legacy");
            assertThat(tenantry.provisioning().find("legacy")).isEmpty();
            assertThat(db.column("SELECT email FROM public.users")).containsExactly("legacy@example.com");
        }
    }

    @Test
    void tablesWithoutAHistoryAreRecordedAsMigratedAndConflictsMoveNothing(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            db.execute("CREATE SCHEMA handmade");
            new SchemaMigrator(tenantry.database().admin(), List.of(Tenantry.MIGRATIONS))
                    .provision(null, SchemaName.of("handmade"));
            db.execute("ALTER TABLE handmade.users SET SCHEMA public");
            db.execute("DROP SCHEMA handmade CASCADE");

            Adoption adoption = tenantry.provisioning().adopt("adopted", false, List.of("users", "no_such_table"), false);
            assertThat(adoption.tables()).containsExactly("users");
            assertThat(db.column("SELECT max(version) FROM adopted.flyway_schema_history")).containsExactly("3");

            tenantry.provisioning().provision("occupied");
            db.execute("CREATE TABLE public.anon_sessions (id uuid)");
            assertThatThrownBy(() -> tenantry.provisioning().adopt("occupied", false, List.of(), false))
                    .isInstanceOf(TenantryException.class).hasMessageContaining("exists already");
            assertThat(db.tables()).contains("public.anon_sessions");
        }
    }

    @Test
    void tablesWithoutAHistoryGetTheStorageParametersTheRecordedMigrationsSet(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            // An application's tables from before migration 3: the model's columns, none of its storage parameters.
            db.execute("CREATE SCHEMA before_v3");
            new SchemaMigrator(tenantry.database().admin(), List.of(Tenantry.MIGRATIONS))
                    .provision(null, SchemaName.of("before_v3"));
            db.execute("ALTER TABLE before_v3.anon_sessions RESET (autovacuum_vacuum_threshold, autovacuum_analyze_threshold)");
            db.execute("ALTER TABLE before_v3.users SET SCHEMA public");
            db.execute("ALTER TABLE before_v3.anon_sessions SET SCHEMA public");
            db.execute("DROP SCHEMA before_v3 CASCADE");
            String storage = "SELECT c.relname || ' ' || array_to_string(c.reloptions, ',') FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.reloptions IS NOT NULL";
            assertThat(db.column(storage, "public")).isEmpty();

            Adoption plan = tenantry.provisioning().adopt("parameters", false, List.of(), true);
            tenantry.provisioning().adopt("parameters", false, List.of(), false);

            assertThat(plan.statements()).contains("ALTER TABLE \"parameters\".\"anon_sessions\" SET ("
                    + "autovacuum_vacuum_threshold = '1000', autovacuum_analyze_threshold = '1000')");
            assertThat(db.column(storage, "parameters"))
                    .containsExactly("anon_sessions autovacuum_vacuum_threshold=1000,autovacuum_analyze_threshold=1000");
            assertThat(db.column("SELECT max(version) FROM parameters.flyway_schema_history")).containsExactly("3");
        }
    }

    @Test
    void withNothingToMoveAdoptionRefusesAndChangesNothing(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            List<String> before = db.schemas();

            assertThatThrownBy(() -> tenantry.provisioning().adopt("empty_handed", false, List.of(), false))
                    .isInstanceOf(TenantryException.class).hasMessageContaining("Nothing to adopt");
            assertThatThrownBy(() -> tenantry.provisioning().adopt("empty_handed", true, List.of(), false))
                    .isInstanceOf(TenantryException.class).hasMessageContaining("Nothing to adopt");

            assertThat(db.schemas()).isEqualTo(before).doesNotContain("empty_handed");
            assertThat(tenantry.provisioning().find("empty_handed")).isEmpty();
        }
    }
}
