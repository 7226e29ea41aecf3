package dev.tenantry.it;

import static dev.tenantry.it.support.CommandLineRun.ok;
import static dev.tenantry.it.support.CommandLineRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.TenantryConfig;
import dev.tenantry.it.support.CommandLineRun;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration lifecycle through the command line: the application's migrations from a directory
 * ({@code --migrations filesystem:}) and from a jar ({@code --classpath}), {@code migrate --to} down and up,
 * {@code tenants create --parallel}, snapshots and restore, the lock timeout, and {@code tenants export}. Each test
 * keeps a registry of its own ({@code TENANTRY_SHARED_SCHEMA}), so runs over all tenants see only its tenants.
 */
@WithPostgres
class MigrationLifecycleCommandLineTest {

    private static Map<String, String> env(TestDatabase db, String registry) {
        Map<String, String> env = db.environment();
        env.put(TenantryConfig.POOL_MAX_SIZE, "6");
        env.put(TenantryConfig.POOL_MIN_IDLE, "0");
        env.put(TenantryConfig.SHARED_SCHEMA, registry);
        return env;
    }

    /** The app's migrations as files: V1 notes, U1, V2 a column, and U2 only when asked. */
    private static Path migrations(Path dir, boolean downForTwo) throws IOException {
        Files.writeString(dir.resolve("V1__notes.sql"), "CREATE TABLE notes (id bigint PRIMARY KEY, body text NOT NULL);\n");
        Files.writeString(dir.resolve("U1__notes.sql"), "DROP TABLE notes;\n");
        Files.writeString(dir.resolve("V2__note_pinned.sql"), "ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false;\n");
        if (downForTwo) {
            Files.writeString(dir.resolve("U2__note_pinned.sql"), "ALTER TABLE notes DROP COLUMN pinned;\n");
        }
        return dir;
    }

    @Test
    void theAppsMigrationsFromADirectoryGoUpDownAndUpWithTheirOwnHistory(TestDatabase db, @TempDir Path dir) throws IOException {
        Map<String, String> env = env(db, "reg_dir");
        String app = "filesystem:" + migrations(dir, true);
        ok(env, "tenants", "create", "d_one", "d_two");

        CommandLineRun up = ok(env, "migrate", "--all", "--migrations", app);
        assertThat(up.out()).contains("d_one   d_one   migrated  tenantry 3, app none -> tenantry 3, app 2  2 migrations applied");
        db.execute("INSERT INTO d_one.notes (id, body, pinned) VALUES (1, 'kept', true)");
        assertThat(ok(env, "tenants", "list", "--migrations", app).out()).contains("d_two   d_two   ready  tenantry 3, app 2");

        CommandLineRun down = ok(env, "migrate", "--all", "--to", "1", "--migrations", app);
        assertThat(down.out()).contains("migrated tenantry 3, app 2 -> tenantry 3, app 1 (1 migration undone)")
                .contains("2 tenants: 2 migrated, 0 already current, 0 failed");
        assertThat(db.column("SELECT id || ' ' || body FROM d_one.notes")).containsExactly("1 kept");

        CommandLineRun status = ok(env, "status", "--migrations", app);
        assertThat(status.out()).contains("d_one   d_one   ready  tenantry 3, app 1  1");

        ok(env, "migrate", "d_one", "--to", "2", "--migrations", app);
        assertThat(db.column("SELECT version FROM d_one.flyway_schema_history_app ORDER BY installed_rank")).containsExactly("1", "2");
        assertThat(db.column("SELECT version FROM d_two.flyway_schema_history_app ORDER BY installed_rank")).containsExactly("1");
    }

    @Test
    void aMissingDownScriptIsRefusedBeforeAnythingChanges(TestDatabase db, @TempDir Path dir) throws IOException {
        Map<String, String> env = env(db, "reg_nodown");
        String app = "filesystem:" + migrations(dir, false);
        ok(env, "tenants", "create", "nd_one", "nd_two", "--migrations", app);

        CommandLineRun refused = run(env, "migrate", "--all", "--to", "0", "--migrations", app);

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("tenantry: Cannot take migration module 'app' to version 0: no down script"
                + " U2__<description>.sql (needed by nd_one, nd_two)").contains("nothing was changed");
        assertThat(db.column("SELECT count(*) FROM nd_two.flyway_schema_history_app")).containsExactly("2");
        assertThat(run(env, "migrate", "--all", "--to", "1").err())
                .contains("--to needs the application's migrations (--migrations or TENANTRY_MIGRATIONS)");
    }

    @Test
    void theAppsMigrationsAreReadFromItsJar(TestDatabase db, @TempDir Path dir) throws IOException {
        Path jar = dir.resolve("app.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            entry(out, "db/jarapp/V1__tags.sql", "CREATE TABLE tags (name text PRIMARY KEY);\n");
            entry(out, "db/jarapp/U1__tags.sql", "DROP TABLE tags;\n");
        }
        Map<String, String> env = env(db, "reg_jar");
        env.put(TenantryConfig.MIGRATIONS, "classpath:db/jarapp");

        CommandLineRun missing = run(env, "tenants", "create", "j_one");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.out()).contains("j_one  FAILED").contains("db/jarapp");

        CommandLineRun created = ok(env, "tenants", "create", "j_one", "--classpath", jar.toString());
        assertThat(created.out()).contains("j_one  created          version tenantry 3, app 1");
        CommandLineRun down = ok(env, "migrate", "j_one", "--to", "0", "--classpath", jar.toString());
        assertThat(down.out()).contains("1 migration undone");
        assertThat(db.tables()).doesNotContain("j_one.tags");
        assertThat(run(env, "status", "--classpath", dir.resolve("nothing.jar").toString()).err())
                .contains("--classpath " + dir.resolve("nothing.jar") + ": no such file or directory");
    }

    private static void entry(JarOutputStream jar, String name, String text) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(text.getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
    }

    @Test
    void tenantsAreCreatedInParallelFromTheTemplateAndAnInvalidIdCreatesNone(TestDatabase db) {
        Map<String, String> env = env(db, "reg_par");
        List<String> args = new ArrayList<>(List.of("tenants", "create", "--from-template", "--parallel", "3"));
        for (int i = 0; i < 12; i++) {
            args.add(String.format("par_%02d", i));
        }
        List<String> refused = new ArrayList<>(args);
        refused.add("Not-Valid");
        CommandLineRun none = run(env, refused.toArray(String[]::new));
        assertThat(none.exit()).isEqualTo(2);
        assertThat(db.schemas()).noneMatch(s -> s.startsWith("par_"));

        CommandLineRun created = ok(env, args.toArray(String[]::new));
        assertThat(created.out()).contains("par_07  created from template  version 3").contains("12 tenants in ")
                .contains("(3 at a time)");
        assertThat(db.column("SELECT count(*) FROM reg_par.tenants WHERE state = 'ready' AND version = '3'")).containsExactly("12");
        assertThat(db.column("SELECT count(*) FROM par_11.flyway_schema_history")).containsExactly("3");
        CommandLineRun again = ok(env, "tenants", "create", "--from-template", "--parallel", "2", "par_00", "par_12");
        assertThat(again.out()).contains("par_00  already existed        version 3").contains("par_12  created from template  version 3");
    }

    @Test
    void aSnapshotIsTakenListedAndRestoredThroughTheCommandLine(TestDatabase db) {
        Map<String, String> env = env(db, "reg_snap");
        ok(env, "tenants", "create", "cs_one");
        db.execute("INSERT INTO cs_one.users (id, email) VALUES ('018f0000-0000-7000-8000-000000000001', 'a@cs.example')");

        CommandLineRun taken = ok(env, "tenants", "snapshot", "cs_one");
        String[] lines = taken.out().strip().split("\n");
        String name = lines[lines.length - 1];
        assertThat(name).matches("tenantry_snap_\\d{8}_\\d{9}_cs_one");
        assertThat(ok(env, "tenants", "snapshots").out()).contains(name + "  cs_one  3");
        assertThat(ok(env, "tenants", "list").out()).doesNotContain("tenantry_snap_");

        db.execute("DELETE FROM cs_one.users");
        CommandLineRun unconfirmed = run(env, "tenants", "restore", "cs_one", "--from", name);
        assertThat(unconfirmed.exit()).isEqualTo(2);
        assertThat(unconfirmed.err()).contains("without --confirm cs_one");
        assertThat(db.column("SELECT count(*) FROM cs_one.users")).containsExactly("0");

        CommandLineRun restored = ok(env, "tenants", "restore", "cs_one", "--from", name, "--confirm", "cs_one");
        assertThat(restored.out()).contains("Restored tenant cs_one (schema \"cs_one\") from snapshot " + name);
        assertThat(db.column("SELECT email FROM cs_one.users")).containsExactly("a@cs.example");

        assertThat(ok(env, "tenants", "snapshots", "--prune", "--older-than", "0s").out()).contains("Dropped 1 snapshot");
        assertThat(db.schemas()).doesNotContain(name);
    }

    @Test
    void aHeldLockIsReportedAsALockTimeoutAndTheExitCodeIsOne(TestDatabase db, @TempDir Path dir) throws Exception {
        Map<String, String> env = env(db, "reg_lock");
        Files.writeString(dir.resolve("V1__nickname.sql"), "ALTER TABLE users ADD COLUMN nickname text;\n");
        ok(env, "tenants", "create", "cl_busy");
        try (Connection holder = db.connect()) {
            holder.setAutoCommit(false);
            try (Statement statement = holder.createStatement()) {
                statement.execute("SELECT count(*) FROM cl_busy.users");
            }
            CommandLineRun timedOut = run(env, "migrate", "--all", "--migrations", "filesystem:" + dir, "--lock-timeout", "200ms",
                    "--retries", "1");
            assertThat(timedOut.exit()).isEqualTo(1);
            assertThat(timedOut.out()).contains("cl_busy  cl_busy  FAILED", "due to lock timeout (SQL state 55P03)",
                    "(after 2 lock timeouts)");
            holder.rollback();
        }
        CommandLineRun bad = run(env, "migrate", "--all", "--lock-timeout", "soon");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--lock-timeout: 'soon' is not a duration");
    }

    @Test
    void aTenantIsExportedWithPgDumpWhenOneFitsTheServer(TestDatabase db, @TempDir Path dir) throws IOException {
        Map<String, String> env = env(db, "reg_export");
        ok(env, "tenants", "create", "ex_one");
        db.execute("INSERT INTO ex_one.users (id, email) VALUES ('018f0000-0000-7000-8000-000000000001', 'a@ex.example')");
        Path file = dir.resolve("ex_one.dump");

        CommandLineRun export = run(env, "tenants", "export", "ex_one", "--output", file.toString(), "--format", "plain");

        if (export.exit() == 0) {
            String sql = Files.readString(file);
            assertThat(sql).contains("CREATE TABLE ex_one.users", "a@ex.example", "flyway_schema_history");
            assertThat(sql).doesNotContain("reg_export");
            assertThat(export.out()).contains("Exported tenant ex_one (schema \"ex_one\")");
        } else {
            // No pg_dump as new as the server here (the embedded server is newer than the local client tools).
            assertThat(export.exit()).as(export.err()).isEqualTo(1);
            assertThat(export.err()).contains("No pg_dump for PostgreSQL").contains("nothing was exported");
            assertThat(file).doesNotExist();
        }
        assertThat(Files.exists(dir.resolve("ex_one.dump.partial"))).isFalse();
    }
}
