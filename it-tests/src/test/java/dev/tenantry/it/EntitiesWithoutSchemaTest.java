package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.app.AppModel;
import dev.tenantry.it.app.SharedSetting;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantMapping;
import dev.tenantry.tenancy.TenantMapping.Kind;
import dev.tenantry.tenancy.TenantMapping.Placement;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An application written the usual JPA way (entities with no schema, generated {@code Long} ids, an element
 * collection, a many-to-many) adopts Tenantry without editing its entities: its rows, ids, collection and join
 * tables are the tenant's, in both modes. {@code public} holds what a single-schema run of the same application left
 * there, same tables and sequences, so a leak would be seen there and not just fail.
 */
@WithPostgres
class EntitiesWithoutSchemaTest {

    private static List<String> publicBefore;

    @BeforeAll
    static void aSingleSchemaRunLeftItsTablesInPublic(TestDatabase db) {
        AppModel.createSharedSchema(db);
        AppModel.leaveSingleSchemaRunInPublic(db);
        publicBefore = publicState(db);
    }

    private static List<String> publicState(TestDatabase db) {
        List<String> state = new ArrayList<>(AppModel.state(db, "public"));
        state.addAll(AppModel.rowsIn(db, "public"));
        return state;
    }

    private static TenantryPersistence start(TenantryConfig config) {
        return Tenantry.builder(config).managedClasses(AppModel.ENTITIES).migrations(AppModel.MIGRATIONS).start();
    }

    @Test
    void perRequestTheirRowsIdsCollectionAndJoinTablesAreTheTenantsAndNeverPublics(TestDatabase db) {
        try (TenantryPersistence tenantry = start(db.config().perRequest().build())) {
            tenantry.provisioning().provision("app_a");
            tenantry.provisioning().provision("app_b");
            for (String tenant : List.of("app_a", "app_b")) {
                Tenants.in(tenant, () -> tenantry.entityManagerFactory().runInTransaction(em -> AppModel.writeEverything(em, tenant)));
            }

            for (String tenant : List.of("app_a", "app_b")) {
                List<String> seen = Tenants.in(tenant, () -> tenantry.entityManagerFactory().callInTransaction(AppModel::readEverything));
                assertThat(seen).as("what %s sees through JPA", tenant).isEqualTo(AppModel.everythingOnce(tenant));
            }
        }
        assertThat(AppModel.rowsIn(db, "app_a")).isEqualTo(AppModel.rowsOnce("app_a"));
        assertThat(AppModel.rowsIn(db, "app_b")).isEqualTo(AppModel.rowsOnce("app_b"));
        assertThat(publicState(db)).as("public, left by the single-schema run").isEqualTo(publicBefore);
    }

    @Test
    void perDeploymentProdAndStageRunningAtOnceEachWriteAndReadTheirOwnSchema(TestDatabase db) {
        try (TenantryPersistence prod = start(db.config().perDeployment("app_prod").build());
             TenantryPersistence stage = start(db.config().perDeployment("app_stage").build())) {
            prod.entityManagerFactory().runInTransaction(em -> AppModel.writeEverything(em, "prod"));
            stage.entityManagerFactory().runInTransaction(em -> AppModel.writeEverything(em, "stage"));

            assertThat(prod.entityManagerFactory().callInTransaction(AppModel::readEverything))
                    .isEqualTo(AppModel.everythingOnce("prod"));
            assertThat(stage.entityManagerFactory().callInTransaction(AppModel::readEverything))
                    .isEqualTo(AppModel.everythingOnce("stage"));
        }
        assertThat(AppModel.rowsIn(db, "app_prod")).isEqualTo(AppModel.rowsOnce("prod"));
        assertThat(AppModel.rowsIn(db, "app_stage")).isEqualTo(AppModel.rowsOnce("stage"));
        assertThat(publicState(db)).as("public, left by the single-schema run").isEqualTo(publicBefore);
    }

    @Test
    void anEntityNamingItsSchemaIsSharedByEveryTenant(TestDatabase db) {
        try (TenantryPersistence tenantry = start(db.config().perRequest().build())) {
            tenantry.provisioning().provision("share_a");
            tenantry.provisioning().provision("share_b");
            Tenants.in("share_a", () -> tenantry.entityManagerFactory().runInTransaction(em ->
                    em.persist(new SharedSetting("theme", "dark"))));

            String seenFromB = Tenants.in("share_b", () -> tenantry.entityManagerFactory().callInTransaction(em ->
                    em.find(SharedSetting.class, "theme").value()));

            assertThat(seenFromB).isEqualTo("dark");
        }
        assertThat(db.column("SELECT value FROM app_shared.settings WHERE name = 'theme'")).containsExactly("dark");
    }

    @Test
    void theMappingSaysWhereEachTableAndSequenceLives(TestDatabase db) {
        try (TenantryPersistence tenantry = start(db.config().perRequest().build())) {
            TenantMapping mapping = tenantry.mapping();

            assertThat(mapping.tenantScoped()).contains(
                    new Placement("User", Kind.TABLE, "users", null, true),
                    new Placement("Task", Kind.TABLE, "tasks", null, true),
                    new Placement("Note", Kind.TABLE, "notes", null, false),
                    new Placement("Note", Kind.SEQUENCE, "notes_SEQ", null, false),
                    new Placement("Tag", Kind.SEQUENCE, "tag_ids", null, false),
                    new Placement("Task", Kind.SEQUENCE, "tasks_SEQ", null, false),
                    new Placement("Task", Kind.COLLECTION_TABLE, "task_labels", null, false),
                    new Placement("Task", Kind.COLLECTION_TABLE, "task_tags", null, false),
                    new Placement("Counter", Kind.GENERATOR_TABLE, "id_blocks", null, false));
            assertThat(mapping.shared()).containsExactly(new Placement("SharedSetting", Kind.TABLE, "settings", "app_shared", true));
            assertThat(mapping.entitiesWithoutSchema()).containsExactly("Counter", "Note", "Tag");
        }
    }
}
