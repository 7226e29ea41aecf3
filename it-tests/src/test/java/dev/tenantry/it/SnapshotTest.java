package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.MigrationOptions;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.SnapshotException;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantSnapshot;
import dev.tenantry.tenancy.TenantryPersistence;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshots: taken in one transaction with every row and the history, never served, migrated or verified; a
 * restore after damage brings back every row as it was; restores of the wrong tenant or unconfirmed are refused;
 * pruning; and {@code migrate --snapshot}.
 */
@WithPostgres
class SnapshotTest {

    private static final String APP = "classpath:db/it/todos";

    /** Every row of the tenant's tables, as text, in a stable order: what "row by row" compares. */
    private static List<String> rows(TestDatabase db, String schema) {
        return db.column("SELECT 'users ' || u::text FROM " + schema + ".users u UNION ALL SELECT 'todos ' || t::text FROM "
                + schema + ".todos t UNION ALL SELECT 'history ' || h.version || h.checksum FROM " + schema
                + ".flyway_schema_history_app h ORDER BY 1");
    }

    private static void fill(TestDatabase db, String schema) {
        for (int i = 0; i < 20; i++) {
            String id = String.format("018f0000-0000-7000-8000-%012d", i);
            db.execute("INSERT INTO " + schema + ".users (id, email, display_name) VALUES ('" + id + "', 'u" + i + "@x.example', 'User "
                    + i + "')");
            db.execute("INSERT INTO " + schema + ".todos (user_id, title, priority) VALUES ('" + id + "', 'todo " + i + "', " + i + ")");
        }
    }

    @Test
    void aRestoreAfterDamageBringsBackEveryRowAsItWas(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().build()).migrations(APP).start()) {
            tenantry.provisioning().provision("snap_a");
            fill(db, "snap_a");
            List<String> before = rows(db, "snap_a");

            TenantSnapshot snapshot = tenantry.provisioning().snapshot("snap_a");
            assertThat(snapshot.name()).startsWith("tenantry_snap_").endsWith("_snap_a");
            assertThat(snapshot.version()).isEqualTo("tenantry 3, app 101");
            assertThat(rows(db, snapshot.name())).containsExactlyElementsOf(before);
            assertThat(tenantry.provisioning().list()).extracting(TenantInfo::schema).doesNotContain(snapshot.name());

            db.execute("DELETE FROM snap_a.todos WHERE priority % 2 = 0");
            db.execute("UPDATE snap_a.users SET display_name = 'damaged'");
            db.execute("ALTER TABLE snap_a.todos DROP COLUMN done");
            assertThat(rows(db, "snap_a")).isNotEqualTo(before);

            tenantry.provisioning().restore("snap_a", snapshot.name(), "snap_a");

            assertThat(rows(db, "snap_a")).containsExactlyElementsOf(before);
            db.execute("INSERT INTO snap_a.todos (user_id, title) VALUES ('018f0000-0000-7000-8000-000000000001', 'after')");
            assertThat(db.column("SELECT max(id) > 20 FROM snap_a.todos")).as("the identity continues after the copied rows")
                    .containsExactly("t");
            assertThat(tenantry.provisioning().snapshots("snap_a")).extracting(TenantSnapshot::name).containsExactly(snapshot.name());
            assertThat(tenantry.provisioning().status()).filteredOn(s -> s.tenant().equals("snap_a"))
                    .singleElement().satisfies(s -> assertThat(s.healthy()).isTrue());
        }
    }

    @Test
    void restoresOfAnotherTenantsSnapshotOrUnconfirmedAreRefusedAndChangeNothing(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().build()).migrations(APP).start()) {
            tenantry.provisioning().provision("mine");
            tenantry.provisioning().provision("theirs");
            fill(db, "mine");
            TenantSnapshot theirs = tenantry.provisioning().snapshot("theirs");
            List<String> before = rows(db, "mine");

            assertThatThrownBy(() -> tenantry.provisioning().restore("mine", theirs.name(), "mine"))
                    .isInstanceOf(SnapshotException.class)
                    .hasMessageContaining("was taken of tenant 'theirs'").hasMessageContaining("nothing was restored");
            assertThatThrownBy(() -> tenantry.provisioning().restore("mine", theirs.name(), "theirs"))
                    .isInstanceOf(SnapshotException.class).hasMessageContaining("confirmation must repeat the tenant id");
            assertThatThrownBy(() -> tenantry.provisioning().restore("mine", "tenantry_snap_nothing", "mine"))
                    .isInstanceOf(SnapshotException.class).hasMessageContaining("No snapshot 'tenantry_snap_nothing'");
            assertThatThrownBy(() -> tenantry.provisioning().provision(theirs.name()))
                    .isInstanceOf(InvalidSchemaNameException.class).hasMessageContaining("Tenantry's snapshots");
            assertThat(rows(db, "mine")).containsExactlyElementsOf(before);
        }
    }

    @Test
    void migrateWithSnapshotsTakesOnePerMigratedTenantAndPruneDropsThem(TestDatabase db) {
        // A registry of its own: the run over all tenants sees only this test's.
        try (TenantryPersistence base = Tenantry.start(db.config().perRequest().sharedSchema("reg_ms").build())) {
            base.provisioning().provision("ms_a");
            base.provisioning().provision("ms_b");
        }
        try (TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().sharedSchema("reg_ms").build())
                .migrations(APP).start()) {
            MigrationReport report = tenantry.provisioning().migrateAll(
                    MigrationOptions.defaults().snapshotFirst(true).parallelism(2), o -> { });

            assertThat(report.tenants()).allSatisfy(t -> {
                assertThat(t.status()).isEqualTo(TenantMigration.Status.MIGRATED);
                assertThat(t.snapshot()).startsWith("tenantry_snap_").endsWith("_" + t.tenant());
            });
            String snapshot = report.tenants().get(0).snapshot();
            assertThat(db.column("SELECT count(*) FROM pg_tables WHERE schemaname = ? AND tablename = 'todos'", snapshot))
                    .as("taken before the app's migrations ran").containsExactly("0");
            MigrationReport again = tenantry.provisioning().migrateAll(MigrationOptions.defaults().snapshotFirst(true), o -> { });
            assertThat(again.tenants()).allSatisfy(t -> assertThat(t.snapshot()).as("current tenants are not snapshotted").isNull());
            assertThat(tenantry.provisioning().snapshots()).hasSize(2);

            assertThat(tenantry.provisioning().pruneSnapshots(Duration.ofDays(1))).isEmpty();
            assertThat(tenantry.provisioning().pruneSnapshots(Duration.ZERO)).hasSize(2);
            assertThat(tenantry.provisioning().snapshots()).isEmpty();
            assertThat(db.schemas()).noneMatch(s -> s.startsWith("tenantry_snap_") && s.endsWith("_ms_a") || s.endsWith("_ms_b"));
        }
    }
}
