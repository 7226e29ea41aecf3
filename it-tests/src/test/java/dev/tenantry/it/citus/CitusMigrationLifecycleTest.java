package dev.tenantry.it.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.Citus;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.WithCitus;
import dev.tenantry.tenancy.MigrationOptions;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantSnapshot;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The application's migration module through the coordinator, on tenants living on both workers: {@code migrate
 * --all} adds its tables beside the model's in each tenant's distributed schema, {@code migrate --to} takes it down
 * with its down scripts and up again, and a snapshot taken on the cluster restores every row.
 */
@WithCitus
class CitusMigrationLifecycleTest {

    private static final String APP = "classpath:db/it/todos";

    private static List<String> appVersions(CitusSandbox sandbox, String tenant) {
        return sandbox.column("SELECT version FROM " + tenant + ".flyway_schema_history_app ORDER BY installed_rank");
    }

    private static List<String> columns(CitusSandbox sandbox, String tenant, String table) {
        return sandbox.column("SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
                + " ORDER BY ordinal_position", tenant, table);
    }

    /** The nodes holding the shards of the tenant's tables: one, with every table of the schema on it. */
    private static List<String> shardNodes(CitusSandbox sandbox, String tenant) {
        return sandbox.column("SELECT DISTINCT nodename || ':' || nodeport FROM citus_shards WHERE table_name::text LIKE ?",
                tenant + ".%");
    }

    private static void addTodos(CitusSandbox sandbox, String tenant) {
        sandbox.execute("INSERT INTO " + tenant + ".todos (user_id, title, priority) SELECT id, 'todo of ' || email, 5 FROM "
                + tenant + ".users");
    }

    @Test
    void theAppModuleGoesUpDownAndUpAgainOnBothWorkersAndASnapshotRestoresEveryRow(CitusSandbox sandbox) {
        List<String> tenants = sandbox.tenants("life", 4);
        try (TenantryPersistence model = Tenantry.start(sandbox.config().build())) {
            tenants.forEach(model.provisioning()::provision);
            // Citus chooses the worker of each new schema; make sure both workers hold some of them.
            List<Citus.Node> workers = sandbox.cluster().workers();
            for (int i = 0; i < tenants.size(); i++) {
                Citus.Node wanted = workers.get(i % workers.size());
                if (!wanted.equals(sandbox.nodeOf(tenants.get(i)))) {
                    model.provisioning().placement().move(tenants.get(i), wanted, Citus.TransferMode.BLOCK_WRITES);
                }
            }
            for (String tenant : tenants) {
                Tenants.in(tenant, () -> model.entityManagerFactory().runInTransaction(em -> {
                    for (int i = 0; i < 3; i++) {
                        new Users(em).create("u" + i + "@" + tenant + ".example", "User " + i);
                    }
                }));
            }
        }
        Map<String, Citus.Node> before = tenants.stream().collect(Collectors.toMap(t -> t, sandbox::nodeOf));
        assertThat(before.values()).as("the workers holding the tenants").containsOnlyElementsOf(sandbox.cluster().workers())
                .containsAll(sandbox.cluster().workers());

        try (TenantryPersistence tenantry = Tenantry.builder(sandbox.config().build()).migrations(APP).start()) {
            // migrate --all: the app's tables join each tenant's distributed schema, on the tenant's worker
            MigrationReport up = tenantry.provisioning().migrateAll(MigrationOptions.defaults().parallelism(2), o -> { });
            assertThat(up.failures()).isEmpty();
            assertThat(up.tenants()).hasSize(4).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TenantMigration.Status.MIGRATED);
                assertThat(t.toVersion()).isEqualTo("tenantry 3, app 101");
            });
            for (String tenant : tenants) {
                assertThat(appVersions(sandbox, tenant)).containsExactly("100", "101");
                assertThat(shardNodes(sandbox, tenant)).as("every table of %s, the app's too", tenant)
                        .containsExactly(before.get(tenant).toString());
                assertThat(sandbox.column("SELECT count(*) FROM citus_shards WHERE table_name::text IN (?, ?)",
                        tenant + ".todos", tenant + ".flyway_schema_history_app")).containsExactly("2");
                addTodos(sandbox, tenant);
            }

            // migrate --all --to 100: U101 drops the column, the rows stay
            MigrationReport down = tenantry.provisioning().migrateAll(
                    MigrationOptions.defaults().parallelism(2).to("app", "100"), o -> { });
            assertThat(down.failures()).isEmpty();
            assertThat(down.tenants()).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TenantMigration.Status.MIGRATED);
                assertThat(t.undone()).isTrue();
                assertThat(t.fromVersion()).isEqualTo("tenantry 3, app 101");
                assertThat(t.toVersion()).isEqualTo("tenantry 3, app 100");
            });
            for (String tenant : tenants) {
                assertThat(appVersions(sandbox, tenant)).containsExactly("100");
                assertThat(columns(sandbox, tenant, "todos")).doesNotContain("priority");
                assertThat(sandbox.column("SELECT count(*) FROM " + tenant + ".todos")).as("U101 keeps the rows").containsExactly("3");
            }

            // --to 0: U100 drops the app's table; the model is not touched
            MigrationReport none = tenantry.provisioning().migrateAll(MigrationOptions.defaults().to("app", "0"), o -> { });
            assertThat(none.failures()).isEmpty();
            assertThat(none.tenants()).allSatisfy(t -> assertThat(t.toVersion()).isEqualTo("tenantry 3, app none"));
            for (String tenant : tenants) {
                assertThat(columns(sandbox, tenant, "todos")).isEmpty();
                assertThat(sandbox.column("SELECT count(*) FROM citus_shards WHERE table_name::text = ?", tenant + ".todos"))
                        .containsExactly("0");
                assertThat(sandbox.column("SELECT count(*) FROM " + tenant + ".users")).containsExactly("3");
                assertThat(sandbox.column("SELECT count(*) FROM " + tenant + ".flyway_schema_history")).containsExactly("3");
            }

            // up again, step by step, then to the latest
            MigrationReport toHundred = tenantry.provisioning().migrateAll(MigrationOptions.defaults().to("app", "100"), o -> { });
            assertThat(toHundred.tenants()).allSatisfy(t -> {
                assertThat(t.undone()).isFalse();
                assertThat(t.toVersion()).isEqualTo("tenantry 3, app 100");
            });
            MigrationReport latest = tenantry.provisioning().migrateAll(MigrationOptions.defaults().parallelism(2), o -> { });
            assertThat(latest.failures()).isEmpty();
            assertThat(latest.tenants()).allSatisfy(t -> assertThat(t.toVersion()).isEqualTo("tenantry 3, app 101"));
            for (String tenant : tenants) {
                assertThat(appVersions(sandbox, tenant)).containsExactly("100", "101");
                assertThat(shardNodes(sandbox, tenant)).containsExactly(before.get(tenant).toString());
                assertThat(sandbox.distributed(tenant)).isTrue();
                addTodos(sandbox, tenant);
            }
            MigrationReport current = tenantry.provisioning().migrateAll(MigrationOptions.defaults(), o -> { });
            assertThat(current.tenants()).extracting(TenantMigration::status).containsOnly(TenantMigration.Status.CURRENT);

            // a snapshot on the cluster, damage, and a restore that brings back every row
            String tenant = tenants.get(1);
            String rows = "SELECT 'users ' || u::text FROM " + tenant + ".users u UNION ALL SELECT 'todos ' || t::text FROM "
                    + tenant + ".todos t UNION ALL SELECT 'history ' || h.version || h.checksum FROM " + tenant
                    + ".flyway_schema_history_app h ORDER BY 1";
            List<String> kept = sandbox.column(rows);
            assertThat(kept).hasSize(3 + 3 + 2);
            TenantSnapshot snapshot = tenantry.provisioning().snapshot(tenant);
            assertThat(snapshot.version()).isEqualTo("tenantry 3, app 101");
            assertThat(sandbox.column("SELECT count(*) FROM " + snapshot.name() + ".todos")).containsExactly("3");

            sandbox.execute("DELETE FROM " + tenant + ".todos WHERE id % 2 = 0");
            sandbox.execute("UPDATE " + tenant + ".users SET display_name = 'damaged'");
            assertThat(sandbox.column(rows)).isNotEqualTo(kept);

            tenantry.provisioning().restore(tenant, snapshot.name(), tenant);

            assertThat(sandbox.column(rows)).containsExactlyElementsOf(kept);
            assertThat(sandbox.distributed(tenant)).as("the restored schema is distributed").isTrue();
            assertThat(shardNodes(sandbox, tenant)).hasSize(1).allSatisfy(node -> assertThat(node)
                    .isIn(sandbox.cluster().workers().stream().map(Citus.Node::toString).toList()));
            sandbox.execute("INSERT INTO " + tenant + ".todos (user_id, title) SELECT id, 'after' FROM " + tenant
                    + ".users LIMIT 1");
            assertThat(sandbox.column("SELECT count(*) FROM " + tenant + ".todos")).containsExactly("4");
            long users = Tenants.in(tenant, () -> tenantry.entityManagerFactory().callInTransaction(em -> new Users(em).count()));
            assertThat(users).isEqualTo(3);
            assertThat(tenantry.provisioning().status()).filteredOn(s -> s.tenant().equals(tenant))
                    .singleElement().satisfies(s -> assertThat(s.healthy()).isTrue());

            // What Citus refuses: a schema with an identity column (todos.id) cannot be undistributed, so the app's
            // table cannot be adopted back into public; the refusal says so, and nothing changes.
            String other = tenants.get(2);
            assertThatThrownBy(() -> tenantry.provisioning().adopt(other, true, List.of("todos"), false))
                    .isInstanceOf(TenantryException.class)
                    .hasMessageContaining("tenant '" + other + "'")
                    .hasMessageContaining("identity column")
                    .hasMessageContaining("cannot bring a distributed schema with identity columns back to the coordinator");
            assertThat(sandbox.distributed(other)).isTrue();
            assertThat(sandbox.column("SELECT count(*) FROM " + other + ".todos")).containsExactly("3");
        }
    }
}
