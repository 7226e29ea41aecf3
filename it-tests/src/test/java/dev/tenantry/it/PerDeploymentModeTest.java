package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.TenancyMode;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DATABASE_SCHEMA pins a whole process to one schema; unset means public. */
@WithPostgres
class PerDeploymentModeTest {

    private static TenantryPersistence startWith(TestDatabase db, String databaseSchema) {
        Map<String, String> env = new HashMap<>(db.environment());
        if (databaseSchema != null) {
            env.put(TenantryConfig.DATABASE_SCHEMA, databaseSchema);
        }
        return Tenantry.start(TenantryConfig.builder().environment(env).poolMaxSize(4).poolMinIdle(0).build());
    }

    @Test
    void databaseSchemaCreatesTheSchemaAndItsTablesOnFirstStart(TestDatabase db) {
        try (TenantryPersistence prod = startWith(db, "prod")) {
            assertThat(prod.mode()).isEqualTo(TenancyMode.PER_DEPLOYMENT);
            prod.entityManagerFactory().runInTransaction(em -> new Users(em).create("ops@prod.example", "Ops"));
        }
        assertThat(db.tables()).contains("prod.users", "prod.anon_sessions", "prod.flyway_schema_history");
        assertThat(db.column("SELECT email FROM prod.users")).containsExactly("ops@prod.example");
    }

    @Test
    void prodAndStageDeploymentsSharingOneDatabaseDoNotSeeEachOther(TestDatabase db) {
        try (TenantryPersistence prod = startWith(db, "prod_pair"); TenantryPersistence stage = startWith(db, "stage_pair")) {
            prod.entityManagerFactory().runInTransaction(em -> new Users(em).create("only@prod.example", "P"));

            long seenFromStage = stage.entityManagerFactory().callInTransaction(em -> new Users(em).count());
            boolean foundFromStage = stage.entityManagerFactory().callInTransaction(em ->
                    new Users(em).findByEmail("only@prod.example").isPresent());

            assertThat(seenFromStage).isZero();
            assertThat(foundFromStage).isFalse();
            long seenFromProd = prod.entityManagerFactory().callInTransaction(em -> new Users(em).count());
            assertThat(seenFromProd).isEqualTo(1L);
        }
    }

    @Test
    void unsetDatabaseSchemaMeansPublic(TestDatabase db) {
        try (TenantryPersistence deployment = startWith(db, null)) {
            assertThat(deployment.config().deploymentSchema().value()).isEqualTo("public");
            deployment.entityManagerFactory().runInTransaction(em -> new Users(em).create("someone@public.example", "Pub"));
        }
        assertThat(db.column("SELECT email FROM public.users")).containsExactly("someone@public.example");
        assertThat(db.tables()).contains("public.flyway_schema_history");
    }

    @Test
    void emptyDatabaseSchemaAlsoMeansPublic(TestDatabase db) {
        try (TenantryPersistence deployment = startWith(db, "")) {
            assertThat(deployment.config().deploymentSchema().isPublic()).isTrue();
        }
    }

    @Test
    void restartingADeploymentFindsItsDataAndMigratesNothing(TestDatabase db) {
        try (TenantryPersistence first = startWith(db, "restarts")) {
            first.entityManagerFactory().runInTransaction(em -> new Users(em).create("kept@example.com", "Kept"));
        }
        try (TenantryPersistence second = startWith(db, "restarts")) {
            boolean found = second.entityManagerFactory().callInTransaction(em ->
                    new Users(em).findByEmail("KEPT@example.com").isPresent());
            assertThat(found).isTrue();
        }
        assertThat(db.column("SELECT count(*) FROM restarts.flyway_schema_history")).containsExactly("3");
    }

    @Test
    void withoutAutoProvisionAMissingSchemaFailsAtStartUp(TestDatabase db) {
        Map<String, String> env = new HashMap<>(db.environment());
        env.put(TenantryConfig.DATABASE_SCHEMA, "never_created");
        env.put(TenantryConfig.AUTO_PROVISION, "false");
        TenantryConfig config = TenantryConfig.builder().environment(env).poolMinIdle(0).build();

        assertThatThrownBy(() -> Tenantry.start(config))
                .isInstanceOf(TenantryException.class)
                .hasMessageContaining("never_created")
                .hasMessageContaining("TENANTRY_AUTO_PROVISION");
        assertThat(db.schemas()).doesNotContain("never_created");
    }
}
