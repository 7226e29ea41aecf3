package dev.tenantry.it;

import static dev.tenantry.it.support.CommandLineRun.ok;
import static dev.tenantry.it.support.CommandLineRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.it.support.CommandLineRun;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tenantry command line, run in-process against the test database. */
@WithPostgres
class CommandLineTest {

    @Test
    void theDemoProvesIsolationAgainstAGivenServerAndCanRunTwice(TestDatabase db) {
        CommandLineRun first = run(db.environment(), "demo");
        CommandLineRun second = run(db.environment(), "demo");

        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("prod", "stage", "anon_sessions", "flyway_schema_history")
                .contains("OK: prod's rows are invisible from stage, and stage's from prod");
        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(db.tables()).contains("prod.users", "stage.users", "tenantry.tenants");
    }

    @Test
    void tenantsAreCreatedListedAndMigrated(TestDatabase db) {
        CommandLineRun created = run(db.environment(), "tenants", "create", "cli_one", "cli_two");
        CommandLineRun listed = run(db.environment(), "tenants", "list");
        CommandLineRun migrated = run(db.environment(), "migrate", "--all");

        assertThat(created.exit()).as(created.err()).isZero();
        assertThat(created.out()).contains("cli_one", "cli_two", "created");
        assertThat(listed.out()).containsPattern("cli_one\\s+cli_one\\s+ready\\s+3");
        assertThat(migrated.exit()).isZero();
        assertThat(migrated.out()).contains("already current");
        assertThat(db.schemas()).contains("cli_one", "cli_two");
    }

    @Test
    void aHostileIdInTheListCreatesNothing(TestDatabase db) {
        CommandLineRun outcome = run(db.environment(), "tenants", "create", "cli_fine", "evil\"; drop schema public; --");

        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.err()).startsWith("tenantry: ").contains("no tenant was created");
        assertThat(outcome.err().lines()).hasSize(1);
        assertThat(db.schemas()).doesNotContain("cli_fine");
    }

    @Test
    void migratingAnUnknownTenantFailsThatTenantAndExitsNonZero(TestDatabase db) {
        run(db.environment(), "tenants", "create", "cli_known");

        CommandLineRun outcome = run(db.environment(), "migrate", "cli_known", "cli_ghost");

        assertThat(outcome.exit()).isEqualTo(1);
        assertThat(outcome.out()).contains("cli_known  already current").contains("cli_ghost  FAILED: Unknown tenant");
    }

    @Test
    void usageAndConfigurationErrorsExitTwoWithOneLineAndNoPassword(TestDatabase db) {
        Map<String, String> badUrl = new HashMap<>();
        badUrl.put("DATABASE_URL", "postgresql://admin:hunter2secret@db.example.com:notaport/app");

        CommandLineRun noArguments = run(db.environment(), "migrate");
        CommandLineRun malformed = run(badUrl, "tenants", "list");
        CommandLineRun missing = run(Map.of(), "tenants", "list");

        assertThat(noArguments.exit()).isEqualTo(2);
        assertThat(malformed.exit()).isEqualTo(2);
        assertThat(malformed.err()).contains("DATABASE_URL").doesNotContain("hunter2secret");
        assertThat(malformed.err().lines()).hasSize(1);
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("DATABASE_URL");
    }
}
