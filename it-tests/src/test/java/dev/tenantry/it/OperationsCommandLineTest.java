package dev.tenantry.it;

import static dev.tenantry.it.support.CommandLineRun.ok;
import static dev.tenantry.it.support.CommandLineRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.CommandLineRun;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operating commands of the tenantry command line, run in-process (so never on a terminal) against
 * the test database: migrate, status, verify, tenants create/clone/drop and adopt, their happy paths,
 * their failures and their exit codes. Tests that read every tenant (migrate --all, status, verify
 * without ids) give themselves a registry of their own ({@code TENANTRY_SHARED_SCHEMA}), so the
 * tenants other tests break on purpose do not leak into them.
 */
@WithPostgres
class OperationsCommandLineTest {

    /** The test database's environment with a small pool and, if given, a tenant registry of its own. */
    private static Map<String, String> env(TestDatabase db, String registry) {
        Map<String, String> env = db.environment();
        env.put(TenantryConfig.POOL_MAX_SIZE, "4");
        env.put(TenantryConfig.POOL_MIN_IDLE, "0");
        if (registry != null) {
            env.put(TenantryConfig.SHARED_SCHEMA, registry);
        }
        return env;
    }

    /**
     * Takes migrations 2 and 3 (the anonymous sessions) back out of a tenant, so that the next migration run
     * applies them again (and succeeds).
     */
    private static void unapplyAnonSessions(TestDatabase db, String schema) {
        db.execute("DROP TABLE " + schema + ".anon_sessions");
        db.execute("DELETE FROM " + schema + ".flyway_schema_history WHERE version IN ('2', '3')");
    }

    private static String count(TestDatabase db, String sql) {
        return db.column(sql).get(0);
    }

    // ---------------------------------------------------------------------------------------------- migrate

    @Test
    void aTenantWhoseMigrationFailsIsReportedInTheTableAndTheRunExitsOne(TestDatabase db) {
        Map<String, String> env = env(db, "reg_migrate");
        ok(env, "tenants", "create", "mig_a", "mig_b", "mig_behind", "mig_bad");
        unapplyAnonSessions(db, "mig_behind");
        // The history forgets migrations 2 and 3 but the table stays: applying 2 again must fail.
        db.execute("DELETE FROM mig_bad.flyway_schema_history WHERE version IN ('2', '3')");

        CommandLineRun outcome = run(env, "migrate", "--all", "--parallel", "2");

        assertThat(outcome.exit()).as(outcome.err()).isEqualTo(1);
        // Not a terminal: one plain line per tenant as it finishes, no carriage returns.
        assertThat(outcome.out()).doesNotContain("\r")
                .contains("mig_a       already current at version 3")
                .contains("mig_behind  migrated 1 -> 3 (2 migrations)")
                .containsPattern("mig_bad\\s+FAILED: V2__anon_sessions.sql line \\d+: ERROR: relation \"anon_sessions\""
                        + " already exists \\(SQL state 42P07\\)");
        // The table lists what changed or failed, and counts the rest.
        String report = outcome.report();
        assertThat(report).containsPattern("tenant\\s+schema\\s+result\\s+version\\s+reason")
                .containsPattern("mig_bad\\s+mig_bad\\s+FAILED\\s+1\\s+V2__anon_sessions.sql line \\d+: ERROR: relation")
                .containsPattern("mig_behind\\s+mig_behind\\s+migrated\\s+1 -> 3\\s+2 migrations applied")
                .contains("And 2 tenants already current at version 3 (not listed).")
                .contains("4 tenants: 1 migrated, 2 already current, 1 failed")
                .doesNotContain("mig_a ");
        assertThat(count(db, "SELECT count(*) FROM mig_bad.flyway_schema_history WHERE version = '2'")).isEqualTo("0");
        assertThat(count(db, "SELECT count(*) FROM mig_behind.flyway_schema_history WHERE version IN ('2', '3')")).isEqualTo("2");

        // Named tenants, in parallel too: the failure is the same, the others are current.
        CommandLineRun named = run(env, "migrate", "mig_a", "mig_bad", "mig_b", "--parallel", "3");
        assertThat(named.exit()).isEqualTo(1);
        assertThat(named.report()).contains("3 tenants: 0 migrated, 2 already current, 1 failed");

        // Repaired by hand, a second run continues where the first stopped.
        db.execute("DROP TABLE mig_bad.anon_sessions");
        CommandLineRun again = ok(env, "migrate", "--all");
        assertThat(again.report()).containsPattern("mig_bad\\s+mig_bad\\s+migrated\\s+1 -> 3")
                .contains("4 tenants: 1 migrated, 3 already current, 0 failed");
        CommandLineRun quiet = ok(env, "migrate", "--all");
        assertThat(quiet.report()).contains("All 4 tenants already current at version 3.")
                .doesNotContain("tenant  schema");
    }

    @Test
    void anEditedMigrationFailsNamingTheRepairCommandWhichRealignsTheHistory(TestDatabase db) {
        Map<String, String> env = env(db, "reg_repair");
        ok(env, "tenants", "create", "rep_edited", "rep_fine");
        // As if V2 had been edited after rep_edited applied it, and V3 were still to come.
        db.execute("UPDATE rep_edited.flyway_schema_history SET checksum = checksum + 1 WHERE version = '2'");
        db.execute("DELETE FROM rep_edited.flyway_schema_history WHERE version = '3'");

        CommandLineRun refused = run(env, "migrate", "rep_edited");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.report()).contains("Migration checksum mismatch for migration version 2; Either revert")
                .contains("run repair ('tenantry migrate --repair rep_edited' or provisioning().repair(\"rep_edited\"))")
                .doesNotContain("Applied to database").doesNotContain("Need more flexibility");

        CommandLineRun repaired = ok(env, "migrate", "--repair", "--all");
        assertThat(repaired.out()).containsPattern("tenant\\s+schema\\s+result\\s+what")
                .containsPattern("rep_edited\\s+rep_edited\\s+repaired\\s+realigned 2 \\(anon sessions\\)")
                .contains("And 1 tenant had nothing to repair (not listed).")
                .contains("2 tenants: 1 repaired, 1 unchanged, 0 failed")
                .contains("Run 'tenantry migrate' to apply what is pending.");
        assertThat(db.column("SELECT checksum::text FROM rep_edited.flyway_schema_history WHERE version = '2'"))
                .isEqualTo(db.column("SELECT checksum::text FROM rep_fine.flyway_schema_history WHERE version = '2'"));
        assertThat(ok(env, "migrate", "rep_edited").report()).containsPattern("rep_edited\\s+rep_edited\\s+migrated\\s+2 -> 3");
        assertThat(ok(env, "migrate", "--repair", "rep_edited", "rep_fine").out())
                .contains("All 2 tenants had nothing to repair.").contains("2 tenants: 0 repaired, 2 unchanged, 0 failed")
                .doesNotContain("Run 'tenantry migrate'");

        CommandLineRun unknown = run(env, "migrate", "--repair", "rep_never", "rep_fine");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.out()).containsPattern("rep_never\\s+rep_never\\s+FAILED\\s+Unknown tenant 'rep_never'");
        assertThat(run(env, "migrate", "--repair", "--all", "--parallel", "2").exit()).isEqualTo(2);
    }

    @Test
    void twoConcurrentRunsBothSucceedAndNoMigrationIsAppliedTwice(TestDatabase db) throws Exception {
        Map<String, String> env = env(db, "reg_concurrent");
        List<String> tenants = List.of("conc_a", "conc_b", "conc_c", "conc_d", "conc_e", "conc_f", "conc_g", "conc_h",
                "conc_i", "conc_j");
        List<String> create = new ArrayList<>(List.of("tenants", "create"));
        create.addAll(tenants);
        ok(env, create.toArray(String[]::new));
        tenants.forEach(tenant -> unapplyAnonSessions(db, tenant));

        CountDownLatch start = new CountDownLatch(1);
        CompletableFuture<CommandLineRun> first = CompletableFuture.supplyAsync(() -> {
            awaitQuietly(start);
            return run(env, "migrate", "--all", "--parallel", "2");
        });
        CompletableFuture<CommandLineRun> second = CompletableFuture.supplyAsync(() -> {
            awaitQuietly(start);
            return run(env, "migrate", "--all", "--parallel", "2");
        });
        start.countDown();
        CommandLineRun one = first.get();
        CommandLineRun two = second.get();

        assertThat(one.exit()).as(one.out() + one.err()).isZero();
        assertThat(two.exit()).as(two.out() + two.err()).isZero();
        // Every tenant was migrated by exactly one of the runs; the other found it current.
        assertThat(migrated(one) + migrated(two)).isEqualTo(tenants.size());
        for (String tenant : tenants) {
            assertThat(count(db, "SELECT count(*) FROM " + tenant + ".flyway_schema_history WHERE version IN ('2', '3')"))
                    .as(tenant).isEqualTo("2");
            assertThat(count(db, "SELECT count(*) FROM " + tenant + ".flyway_schema_history WHERE NOT success"))
                    .as(tenant).isEqualTo("0");
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int migrated(CommandLineRun outcome) {
        Matcher summary = Pattern.compile("(\\d+) tenants?: (\\d+) migrated").matcher(outcome.out());
        assertThat(summary.find()).as(outcome.out()).isTrue();
        return Integer.parseInt(summary.group(2));
    }

    @Test
    void theProgressBarRedrawsOneLineAndBadArgumentsExitTwo(TestDatabase db) {
        Map<String, String> env = env(db, "reg_bar");
        ok(env, "tenants", "create", "bar_a", "bar_b", "bar_c");
        unapplyAnonSessions(db, "bar_b");

        CommandLineRun bar = ok(env, "migrate", "--all", "--progress", "bar");

        assertThat(bar.out()).startsWith("\r[..............................] 0/3 tenants  0 failed")
                .contains("\r[##############################] 3/3 tenants  0 failed\n")
                .doesNotContain("bar_a  already current");
        assertThat(bar.report()).containsPattern("bar_b\\s+bar_b\\s+migrated\\s+1 -> 3")
                .contains("3 tenants: 1 migrated, 2 already current, 0 failed");

        for (String[] args : List.of(new String[] {"migrate", "--all", "--parallel", "0"},
                new String[] {"migrate", "--all", "--parallel", "65"},
                new String[] {"migrate", "bar_a", "--all"},
                new String[] {"migrate", "--all", "--progress", "fancy"},
                new String[] {"migrate", "bar_a", "bad;id"})) {
            CommandLineRun refused = run(env, args);
            assertThat(refused.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(refused.err()).startsWith("tenantry: ");
            assertThat(refused.out()).isEmpty();
        }
    }

    // ----------------------------------------------------------------------------------------------- status

    @Test
    void statusShowsEveryTenantWithItsProblemsAndExitsZero(TestDatabase db) {
        Map<String, String> env = env(db, "reg_status");
        ok(env, "tenants", "create", "st_ok", "st_behind", "st_gone", "st_failing");
        unapplyAnonSessions(db, "st_behind");
        db.execute("DROP SCHEMA st_gone CASCADE");
        db.execute("DELETE FROM st_failing.flyway_schema_history WHERE version IN ('2', '3')");
        run(env, "migrate", "st_failing"); // fails, and the registry records why

        CommandLineRun status = ok(env, "status");

        assertThat(status.out()).containsPattern("tenant\\s+schema\\s+state\\s+version\\s+pending\\s+last failure")
                .containsPattern("st_ok\\s+st_ok\\s+ready\\s+3\\s+0\\s+-\\n")
                .containsPattern("st_behind\\s+st_behind\\s+ready\\s+1\\s+2\\s+-\\n")
                .containsPattern("st_gone\\s+st_gone\\s+ready, schema missing\\s+none\\s+3\\s+-\\n")
                .containsPattern("st_failing\\s+st_failing\\s+ready\\s+1\\s+2\\s+V2__anon_sessions.sql line \\d+: ERROR:"
                        + " relation \"anon_sessions\" already exists")
                .contains("4 tenants: 1 healthy; 1 schema missing, 2 with migrations pending, 1 with a failure recorded");
        assertThat(status.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(160));

        CommandLineRun narrow = ok(env, "status", "--width", "40");
        assertThat(narrow.out().lines().filter(line -> line.startsWith("st_failing")).findFirst().orElseThrow())
                .endsWith("...").contains("V2__anon_sessions.sql line").doesNotContain("already exists");
    }

    // ----------------------------------------------------------------------------------------------- verify

    @Test
    void verifyShowsWhereTablesLiveAndExitsOneOnDrift(TestDatabase db) {
        Map<String, String> env = env(db, "reg_verify");
        ok(env, "tenants", "create", "vf_ok", "vf_drift", "vf_gone");
        db.execute("ALTER TABLE vf_drift.users ADD COLUMN shoe_size int");
        db.execute("DROP TABLE vf_drift.anon_sessions");
        db.execute("DROP SCHEMA vf_gone CASCADE");

        CommandLineRun all = run(env, "verify");

        assertThat(all.exit()).as(all.err()).isEqualTo(1);
        assertThat(all.out()).contains("Entity model: tenant tables anon_sessions, users")
                .contains("search_path of a pooled connection: ")
                .containsPattern("tenant\\s+schema\\s+anon_sessions\\s+users\\s+result")
                .containsPattern("vf_ok\\s+vf_ok\\s+vf_ok\\s+vf_ok\\s+ok\\n")
                .containsPattern("vf_drift\\s+vf_drift\\s+missing\\s+vf_drift\\s+2 findings\\n")
                .containsPattern("vf_gone\\s+vf_gone\\s+missing\\s+missing\\s+\\d+ findings\\n")
                .containsPattern("vf_drift\\s+table anon_sessions is missing")
                .containsPattern("vf_drift\\s+column users.shoe_size \\(integer\\) is not made by the migrations")
                .containsPattern("vf_gone\\s+schema \"vf_gone\" does not exist")
                .contains("3 tenants verified: 1 ok, 2 with findings");

        CommandLineRun healthy = ok(env, "verify", "vf_ok");
        assertThat(healthy.out()).contains("1 tenant verified: 1 ok, 0 with findings");

        CommandLineRun unknown = run(env, "verify", "vf_never");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.out()).containsPattern("vf_never\\s+tenant is not in the registry");

        CommandLineRun hostile = run(env, "verify", "vf_ok", "x\"; drop schema vf_ok cascade; --");
        assertThat(hostile.exit()).isEqualTo(2);
        assertThat(hostile.err().lines()).singleElement().asString().startsWith("tenantry: ").contains("nothing was verified");
        assertThat(db.schemas()).contains("vf_ok");
    }

    // ---------------------------------------------------------------------------------------------- tenants

    @Test
    void tenantsAreCreatedFromTheTemplateAndHandedToRoles(TestDatabase db) {
        Map<String, String> env = env(db, null);
        String owner = "ops_owner_" + Long.toHexString(System.nanoTime());
        String reader = "ops_reader_" + Long.toHexString(System.nanoTime());
        db.execute("CREATE ROLE " + owner + " NOLOGIN");
        db.execute("CREATE ROLE " + reader + " NOLOGIN");
        try {
            CommandLineRun created = ok(env, "tenants", "create", "tpl_a", "tpl_b", "--from-template", "--owner", owner,
                    "--grant", reader);

            assertThat(created.out()).contains("tpl_a  created from template  version 3  owner " + owner
                    + "  granted to " + reader);
            assertThat(count(db, "SELECT count(*) FROM tpl_b.flyway_schema_history WHERE success")).isEqualTo("3");
            assertThat(db.column("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname IN ('tpl_a', 'tpl_b')"))
                    .containsOnly(owner);
            assertThat(db.column("SELECT has_schema_privilege(?, 'tpl_a', 'USAGE') AND has_schema_privilege(?, 'tpl_a', 'CREATE')",
                    reader, reader)).containsExactly("t");
            assertThat(ok(env, "tenants", "list").out()).containsPattern("tpl_a\\s+tpl_a\\s+ready\\s+3");

            CommandLineRun again = ok(env, "tenants", "create", "tpl_a", "--from-template");
            assertThat(again.out()).contains("tpl_a  already existed        version 3");

            CommandLineRun missingRole = run(env, "tenants", "create", "tpl_c", "--grant", "no_such_role_here");
            assertThat(missingRole.exit()).isEqualTo(2);
            assertThat(missingRole.err().lines()).singleElement().asString()
                    .contains("Role 'no_such_role_here' does not exist").contains("no tenant was created");
            assertThat(db.schemas()).doesNotContain("tpl_c");
        } finally {
            for (String role : List.of(owner, reader)) {
                db.execute("REASSIGN OWNED BY " + role + " TO \"" + db.server().user() + "\""); // named: Citus crashes on CURRENT_USER here
                db.execute("DROP OWNED BY " + role);
                db.execute("DROP ROLE " + role);
            }
        }
    }

    @Test
    void aTenantIsClonedWithOrWithoutItsRows(TestDatabase db) {
        Map<String, String> env = env(db, "reg_clone");
        ok(env, "tenants", "create", "cl_src", "cl_taken");
        db.execute("INSERT INTO cl_src.users (id, email) VALUES (gen_random_uuid(), 'src@example.com')");

        CommandLineRun empty = ok(env, "tenants", "clone", "cl_src", "cl_empty");
        CommandLineRun full = ok(env, "tenants", "clone", "cl_src", "cl_full", "--with-data");

        assertThat(empty.out()).contains("Cloned tenant cl_src into cl_empty (schema \"cl_empty\"): structure and"
                + " migration history, no rows; version 3, ready.");
        assertThat(full.out()).contains("structure, migration history and every row; version 3, ready.");
        assertThat(count(db, "SELECT count(*) FROM cl_empty.users")).isEqualTo("0");
        assertThat(db.column("SELECT email FROM cl_full.users")).containsExactly("src@example.com");
        assertThat(count(db, "SELECT count(*) FROM cl_empty.flyway_schema_history WHERE success")).isEqualTo("3");

        CommandLineRun onto = run(env, "tenants", "clone", "cl_src", "cl_taken");
        assertThat(onto.exit()).isEqualTo(1);
        assertThat(onto.err().lines()).singleElement().asString().contains("exists already").contains("nothing was copied");
        CommandLineRun fromNobody = run(env, "tenants", "clone", "cl_nobody", "cl_new");
        assertThat(fromNobody.exit()).isEqualTo(1);
        assertThat(fromNobody.err()).contains("it is not in the registry");
        assertThat(run(env, "tenants", "clone", "cl_src", "cl_src").exit()).isEqualTo(2);
        assertThat(run(env, "tenants", "clone", "cl_src", "Not-A-Schema").exit()).isEqualTo(2);
        assertThat(db.schemas()).doesNotContain("cl_new");
        // The refused copies left no trace: every tenant is still healthy, none was added.
        CommandLineRun status = ok(env, "status");
        assertThat(status.out()).contains("4 tenants: 4 healthy").doesNotContain("cl_new");
    }

    @Test
    void droppingNeedsAMatchingConfirmationAndRefusesProtectedAndUnknownTenants(TestDatabase db) {
        Map<String, String> env = env(db, "reg_drop");
        ok(env, "tenants", "create", "dr_doomed");

        CommandLineRun unconfirmed = run(env, "tenants", "drop", "dr_doomed");
        CommandLineRun mistyped = run(env, "tenants", "drop", "dr_doomed", "--confirm", "dr_doome");
        CommandLineRun publicSchema = run(env, "tenants", "drop", "public", "--confirm", "public");
        CommandLineRun shared = run(env, "tenants", "drop", "reg_drop", "--confirm", "reg_drop");
        CommandLineRun catalog = run(env, "tenants", "drop", "pg_catalog", "--confirm", "pg_catalog");
        CommandLineRun unknown = run(env, "tenants", "drop", "dr_never", "--confirm", "dr_never");

        for (CommandLineRun refused : List.of(unconfirmed, mistyped, publicSchema, shared, catalog)) {
            assertThat(refused.exit()).as(refused.err()).isEqualTo(2);
            assertThat(refused.err().lines()).singleElement().asString().startsWith("tenantry: ");
        }
        assertThat(unconfirmed.err()).contains("without --confirm dr_doomed");
        assertThat(mistyped.err()).contains("does not repeat the tenant id");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("not in the registry").contains("nothing was dropped");
        assertThat(db.schemas()).contains("dr_doomed", "public", "reg_drop");

        CommandLineRun dropped = ok(env, "tenants", "drop", "dr_doomed", "--confirm", "dr_doomed");

        assertThat(dropped.out()).contains("Dropped tenant dr_doomed: schema \"dr_doomed\"");
        assertThat(db.schemas()).doesNotContain("dr_doomed");
        assertThat(ok(env, "tenants", "list").out()).doesNotContain("dr_doomed");
    }

    @Test
    void droppingATenantWithTenantRolesOnDropsItsRoleToo(TestDatabase db) {
        Map<String, String> env = env(db, "reg_drop_roles");
        env.put(TenantryConfig.TENANT_ROLES, "true");
        String role = "t:dr_roled@" + db.column("SELECT left(encode(sha256(convert_to(current_database(), 'UTF8')), 'hex'), 6)")
                .get(0);
        try {
            ok(env, "tenants", "create", "dr_roled");
            assertThat(db.column("SELECT count(*) FROM pg_roles WHERE rolname = ?", role)).containsExactly("1");

            CommandLineRun dropped = ok(env, "tenants", "drop", "dr_roled", "--confirm", "dr_roled");

            assertThat(dropped.out()).contains("Dropped tenant dr_roled: schema \"dr_roled\"")
                    .contains("Dropped its role \"" + role + "\" too.");
            assertThat(db.column("SELECT count(*) FROM pg_roles WHERE rolname = ?", role)).containsExactly("0");
        } finally {
            // Roles belong to the whole server: leave none behind if the command did not drop it.
            db.execute("DROP SCHEMA IF EXISTS dr_roled CASCADE");
            db.execute("DROP ROLE IF EXISTS \"" + role + "\"");
        }
    }

    @Test
    void hostileTenantIdsAreRefusedByEveryCommandBeforeAnythingIsCreated(TestDatabase db) {
        Map<String, String> env = env(db, "reg_hostile");
        String hostile = "evil\"; drop schema public cascade; --";
        List<String> before = db.schemas();

        List<String[]> commands = List.of(
                new String[] {"tenants", "create", "ho_fine", hostile},
                new String[] {"tenants", "create", "ho_fine", "--from-template", "Ho_Upper"},
                new String[] {"tenants", "clone", "ho_fine", hostile},
                new String[] {"tenants", "drop", hostile, "--confirm", hostile},
                new String[] {"migrate", "ho_fine", hostile},
                new String[] {"adopt", "--from", "public", "--to", hostile},
                new String[] {"adopt", "--from", hostile, "--to", "public"});
        for (String[] args : commands) {
            CommandLineRun outcome = run(env, args);
            assertThat(outcome.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(outcome.err().lines()).as(String.join(" ", args)).singleElement().asString()
                    .startsWith("tenantry: Invalid schema");
        }
        List<String> after = db.schemas();
        after.remove("reg_hostile"); // the registry of this test's runs, created on first use
        assertThat(after).isEqualTo(before.stream().filter(s -> !s.equals("reg_hostile")).toList());
    }

    // ------------------------------------------------------------------------------------------------ adopt

    @Test
    void tablesAreAdoptedFromPublicAfterADryRunAndGivenBack(TestDatabase db) {
        Map<String, String> env = env(db, "reg_adopt");
        db.execute("DROP TABLE IF EXISTS public.users, public.anon_sessions, public.flyway_schema_history CASCADE");
        db.execute(script("V1__users.sql"));
        db.execute(script("V2__anon_sessions.sql"));
        db.execute("INSERT INTO public.users (id, email) VALUES (gen_random_uuid(), 'legacy@example.com')");
        try {
            CommandLineRun plan = ok(env, "adopt", "--from", "public", "--to", "ad_legacy", "--dry-run");

            assertThat(plan.out()).startsWith("Dry run: nothing was changed.")
                    .contains("  plan> CREATE SCHEMA IF NOT EXISTS \"ad_legacy\"\n")
                    .contains("  plan> ALTER TABLE \"public\".\"users\" SET SCHEMA \"ad_legacy\"\n")
                    .contains("  plan> ALTER TABLE \"public\".\"anon_sessions\" SET SCHEMA \"ad_legacy\"\n")
                    .contains("Tables that would move from \"public\" to \"ad_legacy\": anon_sessions, users");
            assertThat(db.tables()).contains("public.users", "public.anon_sessions");
            assertThat(db.schemas()).doesNotContain("ad_legacy");

            CommandLineRun adopted = ok(env, "adopt", "--from", "public", "--to", "ad_legacy");

            assertThat(adopted.out()).contains("  sql> ALTER TABLE \"public\".\"users\" SET SCHEMA \"ad_legacy\"\n")
                    .contains("Moved 2 tables from \"public\" to \"ad_legacy\": anon_sessions, users")
                    .contains("Tenant ad_legacy is registered and ready at version 3.");
            assertThat(db.tables()).contains("ad_legacy.users", "ad_legacy.anon_sessions", "ad_legacy.flyway_schema_history")
                    .doesNotContain("public.users", "public.anon_sessions");
            assertThat(db.column("SELECT email FROM ad_legacy.users")).containsExactly("legacy@example.com");
            assertThat(ok(env, "verify", "ad_legacy").out()).contains("1 tenant verified: 1 ok");

            CommandLineRun nothingLeft = run(env, "adopt", "--from", "public", "--to", "ad_legacy");
            assertThat(nothingLeft.exit()).isEqualTo(1);
            assertThat(nothingLeft.err()).contains("Nothing to adopt").contains("nothing was changed");

            CommandLineRun backPlan = ok(env, "adopt", "--from", "ad_legacy", "--to", "public", "--dry-run");
            assertThat(backPlan.out()).contains("  plan> ALTER TABLE \"ad_legacy\".\"users\" SET SCHEMA \"public\"\n");
            assertThat(db.tables()).contains("ad_legacy.users");

            CommandLineRun back = ok(env, "adopt", "--from", "ad_legacy", "--to", "public");

            assertThat(back.out()).contains("Moved 2 tables from \"ad_legacy\" to \"public\": anon_sessions, users")
                    .contains("  sql> DROP SCHEMA \"ad_legacy\"\n")
                    .contains("Tenant ad_legacy was removed from the registry; schema \"ad_legacy\" was dropped");
            assertThat(db.tables()).contains("public.users", "public.anon_sessions", "public.flyway_schema_history");
            assertThat(db.schemas()).doesNotContain("ad_legacy");
            assertThat(ok(env, "tenants", "list").out()).doesNotContain("ad_legacy");

            // Only the named tables move; a table present on both sides moves nothing.
            CommandLineRun some = ok(env, "adopt", "--from", "public", "--to", "ad_part", "--tables", "users");
            assertThat(some.out()).contains("Moved 1 table from \"public\" to \"ad_part\": users");
            assertThat(db.tables()).contains("ad_part.users", "public.anon_sessions");
            db.execute("CREATE TABLE ad_part.anon_sessions (id uuid)");
            CommandLineRun clash = run(env, "adopt", "--from", "public", "--to", "ad_part");
            assertThat(clash.exit()).isEqualTo(1);
            assertThat(clash.err().lines()).singleElement().asString().contains("exists already");
            assertThat(db.tables()).contains("public.anon_sessions");

            for (String[] args : List.of(new String[] {"adopt", "--from", "public", "--to", "public"},
                    new String[] {"adopt", "--from", "ad_part", "--to", "ad_other"},
                    new String[] {"adopt", "--to", "ad_part"})) {
                assertThat(run(env, args).exit()).as(String.join(" ", args)).isEqualTo(2);
            }
        } finally {
            db.execute("DROP TABLE IF EXISTS public.users, public.anon_sessions, public.flyway_schema_history CASCADE");
        }
    }

    private static String script(String name) {
        try (InputStream in = Tenantry.class.getClassLoader().getResourceAsStream(
                Tenantry.MIGRATIONS.substring("classpath:".length()) + "/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------- help

    @Test
    void everyCommandExplainsItselfWithExamplesAndExitCodes(TestDatabase db) {
        for (String[] command : List.of(new String[] {"migrate"}, new String[] {"status"}, new String[] {"verify"},
                new String[] {"adopt"}, new String[] {"tenants", "create"}, new String[] {"tenants", "clone"},
                new String[] {"tenants", "drop"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            CommandLineRun help = run(Map.of(), args.toArray(String[]::new));
            assertThat(help.exit()).as(String.join(" ", command)).isZero();
            assertThat(help.out()).as(String.join(" ", command)).startsWith("Usage: tenantry " + String.join(" ", command))
                    .contains("Examples:", "  tenantry " + String.join(" ", command), "Exit codes: 0");
            assertThat(help.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        }
        assertThat(run(Map.of(), "status", "--help").out()).contains("The exit code is 0 whatever the tenants' state");
    }

    @Test
    void everyHelpTextIsFormattedWithoutWarnings() {
        // picocli formats help texts with String.format: a stray '%' prints the raw text and a warning on System.err.
        PrintStream original = System.err;
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
        try {
            for (String command : List.of("", "demo", "tenants", "tenants list", "tenants create", "tenants clone",
                    "tenants drop", "tenants snapshot", "tenants snapshots", "tenants restore", "tenants export",
                    "tenants move", "migrate", "migrations", "migrations generate", "status", "verify", "adopt",
                    "rebalance")) {
                List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : List.of(command.split(" ")));
                args.add("--help");
                CommandLineRun help = run(Map.of(), args.toArray(String[]::new));
                assertThat(help.exit()).as(command).isZero();
                assertThat(help.out()).as(command).doesNotContain("%n");
            }
        } finally {
            System.setErr(original);
        }
        assertThat(warnings.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
        assertThat(run(Map.of(), "tenants", "create", "--help").out()).contains("$(seq -f 't_%04g' 1 1000)");
    }
}
