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
            tablesInPublicWithoutAHistory(tenantry, db, "handmade", null, "users");

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
            tablesInPublicWithoutAHistory(tenantry, db, "before_v3",
                    "ALTER TABLE before_v3.anon_sessions RESET (autovacuum_vacuum_threshold, autovacuum_analyze_threshold)",
                    "users", "anon_sessions");
            assertThat(db.storageParameters("public")).isEmpty();

            Adoption plan = tenantry.provisioning().adopt("parameters", false, List.of(), true);
            tenantry.provisioning().adopt("parameters", false, List.of(), false);

            assertThat(plan.statements()).contains("ALTER TABLE \"parameters\".\"anon_sessions\" SET ("
                    + "autovacuum_vacuum_threshold = '1000', autovacuum_analyze_threshold = '1000')");
            assertThat(db.storageParameters("parameters"))
                    .containsExactly("anon_sessions autovacuum_vacuum_threshold=1000,autovacuum_analyze_threshold=1000");
            assertThat(db.column("SELECT max(version) FROM parameters.flyway_schema_history")).containsExactly("3");
        }
    }

    /**
     * Tables as a single-schema application made them, in {@code public} with no Flyway history: migrated in a
     * scratch schema, optionally changed there by {@code change}, then moved to {@code public}; the rest is dropped.
     */
    private static void tablesInPublicWithoutAHistory(TenantryPersistence tenantry, TestDatabase db, String scratch,
                                                      String change, String... tables) {
        db.execute("CREATE SCHEMA " + scratch);
        new SchemaMigrator(tenantry.database().admin(), List.of(Tenantry.MIGRATIONS)).provision(null, SchemaName.of(scratch));
        if (change != null) {
            db.execute(change);
        }
        for (String table : tables) {
            db.execute("ALTER TABLE " + scratch + "." + table + " SET SCHEMA public");
        }
        db.execute("DROP SCHEMA " + scratch + " CASCADE");
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
