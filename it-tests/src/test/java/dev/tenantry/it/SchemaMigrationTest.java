package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.Database;
import dev.tenantry.core.HistoryRepair;
import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Flyway per schema: isolated history, checksums enforced, failures leave nothing half-written. */
@WithPostgres
class SchemaMigrationTest {

    private static Database database;

    @BeforeAll
    static void open(TestDatabase db) {
        database = Database.open(db.config().build());
    }

    @AfterAll
    static void close() {
        database.close();
    }

    private static SchemaMigrator migrator(String location) {
        return new SchemaMigrator(database.admin(), List.of("classpath:db/it/" + location));
    }

    @Test
    void aMigrationEditedAfterItWasAppliedIsRefused(TestDatabase db) {
        SchemaName schema = SchemaName.ofTenant("edited_later");
        migrator("original").provision("edited_later", schema);

        assertThatThrownBy(() -> migrator("edited").migrate("edited_later", schema))
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("edited_later")
                .hasStackTraceContaining("checksum");
        assertThat(db.column("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = 'edited_later' AND table_name = 'things' ORDER BY column_name"))
                .containsExactly("id", "name");
    }

    @Test
    void anEditedMigrationIsNamedForRepairAndRepairRealignsTheHistoryWithTheFile(TestDatabase db) {
        SchemaName schema = SchemaName.ofTenant("repaired_later");
        migrator("original").provision("repaired_later", schema);
        String applied = db.column("SELECT checksum::text FROM repaired_later.flyway_schema_history WHERE version = '1'").get(0);

        assertThatThrownBy(() -> migrator("edited").migrate("repaired_later", schema))
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("checksum mismatch")
                .hasMessageContaining("run repair ('tenantry migrate --repair repaired_later' or"
                        + " provisioning().repair(\"repaired_later\"))");

        HistoryRepair repair = migrator("edited").repair("repaired_later", schema);

        assertThat(repair.aligned()).containsExactly("1 (things)");
        assertThat(repair.removed()).isEmpty();
        assertThat(repair.describe()).isEqualTo("realigned 1 (things)");
        assertThat(db.column("SELECT checksum::text FROM repaired_later.flyway_schema_history WHERE version = '1'"))
                .doesNotContain(applied);
        assertThat(migrator("edited").migrate("repaired_later", schema).alreadyCurrent()).isTrue();
        assertThat(migrator("edited").repair("repaired_later", schema).changed()).isFalse();
        // Only the history changed: the table is as the original migration made it.
        assertThat(db.column("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = 'repaired_later' AND table_name = 'things' ORDER BY column_name"))
                .containsExactly("id", "name");
    }

    @Test
    void anEditedMigrationDoesNotDisturbAnotherSchemaWithTheOriginal(TestDatabase db) {
        SchemaName first = SchemaName.ofTenant("history_one");
        SchemaName second = SchemaName.ofTenant("history_two");
        migrator("original").provision(null, first);
        MigrationResult result = migrator("edited").provision(null, second);

        assertThat(result.migrationsExecuted()).isEqualTo(1);
        assertThat(db.column("SELECT checksum::text FROM history_one.flyway_schema_history"))
                .doesNotContainAnyElementsOf(db.column("SELECT checksum::text FROM history_two.flyway_schema_history"));
    }

    @Test
    void aFailedFirstMigrationRemovesTheNewSchemaAgain(TestDatabase db) {
        SchemaName schema = SchemaName.ofTenant("born_broken");

        assertThatThrownBy(() -> migrator("broken").provision("born_broken", schema))
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("born_broken")
                .satisfies(e -> assertThat(((MigrationFailedException) e).schema()).isEqualTo("born_broken"));
        assertThat(db.schemas()).doesNotContain("born_broken");
    }

    @Test
    void aFailedMigrationOfAnExistingSchemaRollsBackAllItsPendingMigrations(TestDatabase db) {
        SchemaName schema = SchemaName.ofTenant("half_way");
        migrator("original").provision(null, schema);
        db.execute("DELETE FROM half_way.flyway_schema_history");
        db.execute("DROP TABLE half_way.things");

        assertThatThrownBy(() -> migrator("broken").migrate("half_way", schema)).isInstanceOf(MigrationFailedException.class);

        assertThat(db.tables()).doesNotContain("half_way.things", "half_way.leftovers");
        assertThat(db.column("SELECT count(*) FROM half_way.flyway_schema_history WHERE success")).containsExactly("0");
    }

    @Test
    void migratingAMissingSchemaFailsWithoutCreatingIt(TestDatabase db) {
        assertThatThrownBy(() -> migrator("original").migrate("nowhere", SchemaName.ofTenant("nowhere")))
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("does not exist");
        assertThat(db.schemas()).doesNotContain("nowhere");
    }

    @Test
    void aCurrentModuleIsCheckedAgainstItsFilesWithoutStartingFlyway() {
        SchemaName schema = SchemaName.ofTenant("current_module");
        migrator("original").provision("current_module", schema);
        AtomicInteger opened = new AtomicInteger();
        SchemaMigrator migrator = new SchemaMigrator(counting(database.admin(), opened), List.of(
                new MigrationModule("things", List.of("classpath:db/it/original"), "flyway_schema_history"),
                new MigrationModule("colours", List.of("classpath:db/it/extra_things"), "colours_history")),
                SchemaMigrationTest.class.getClassLoader(), Duration.ZERO);
        migrator.availableVersions("things");
        migrator.availableVersions("colours");

        // Control: the second module has a migration to apply, so Flyway runs for it on connections of its own.
        opened.set(0);
        MigrationResult first = migrator.migrate("current_module", schema);
        assertThat(first.migrationsExecuted()).isEqualTo(1);
        assertThat(opened.get()).isGreaterThan(1);

        // Both modules current: one connection, the one holding the schema's lock, and the same report as Flyway's.
        opened.set(0);
        MigrationResult second = migrator.migrate("current_module", schema);
        assertThat(second.alreadyCurrent()).isTrue();
        assertThat(second.initialVersion()).isEqualTo("things 1, colours 2");
        assertThat(second.targetVersion()).isEqualTo("things 1, colours 2");
        assertThat(opened.get()).isEqualTo(1);
    }

    @Test
    void aFailedEntryInACurrentLookingHistoryIsLeftToFlyway(TestDatabase db) {
        SchemaName schema = SchemaName.ofTenant("failed_entry");
        migrator("original").provision("failed_entry", schema);
        db.execute("UPDATE failed_entry.flyway_schema_history SET success = false WHERE version = '1'");

        assertThatThrownBy(() -> migrator("original").migrate("failed_entry", schema))
                .isInstanceOf(MigrationFailedException.class)
                .hasMessageContaining("failed_entry")
                .hasStackTraceContaining("failed");
    }

    /** {@code target}, counting in {@code opened} the connections opened through it. */
    private static DataSource counting(DataSource target, AtomicInteger opened) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        opened.incrementAndGet();
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void currentVersionReadsTheSchemasOwnHistory() {
        SchemaName schema = SchemaName.ofTenant("versioned");
        assertThat(migrator("original").currentVersion(schema)).isEmpty();
        migrator("original").provision(null, schema);
        assertThat(migrator("original").currentVersion(schema)).contains("1");
    }
}
