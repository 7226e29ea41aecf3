package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tenantry.core.Database;
import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.Pooler;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.PgBouncer;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.jdbc.PgConnection;

/**
 * How Tenantry finds a pooler between itself and PostgreSQL ({@code TENANTRY_POOLER}, default {@code detect}), on
 * every PgBouncer installed here (Debian's 1.18, and 1.21 or later where present), in transaction and in session
 * mode, and straight to PostgreSQL, where nothing may be detected. What each test looks at is what the server sees:
 * the statements a server session holds prepared under pgjdbc's names.
 */
@WithPostgres
class PoolerDetectionTest {

    /** More than pgjdbc's threshold of 5 executions, at which it would prepare a text on the server under a name. */
    private static final int EXECUTIONS = 10;

    /**
     * Behind a transaction-mode pooler, SQL that names no schema resolves by the server sessions' own default: per
     * request it must find none, or Tenantry refuses to start (SearchPathBehindPgBouncerTest); set before any pooler
     * opens a server connection to this database.
     */
    @BeforeAll
    static void serverSessionsResolveNoSchema(TestDatabase db) {
        db.setRoleSearchPath("''");
    }

    private static List<PgBouncer.Binary> installed() {
        List<PgBouncer.Binary> installed = PgBouncer.installed();
        Assumptions.assumeFalse(installed.isEmpty(), PgBouncer::missingMessage);
        return installed;
    }

    private static TenantryConfig.Builder through(TestDatabase db, PgBouncer bouncer, String urlParameters) {
        Map<String, String> env = new HashMap<>(db.environment());
        env.put(TenantryConfig.DATABASE_URL, bouncer.jdbcUrl(db.name()) + urlParameters);
        env.put(TenantryConfig.ADMIN_DATABASE_URL, db.jdbcUrl());
        return TenantryConfig.builder().environment(env).poolMaxSize(2).poolMinIdle(0).acquireTimeout(Duration.ofSeconds(2));
    }

    /**
     * Runs one text {@value #EXECUTIONS} times on one pooled connection, inside one transaction so that a pooler keeps
     * one server session, and returns the names that session holds statements under.
     */
    private static List<String> namedStatementsAfterRepeatedText(DataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                for (int i = 0; i < EXECUTIONS; i++) {
                    try (PreparedStatement statement = connection.prepareStatement("SELECT ?::int + 1 AS detection_probe")) {
                        statement.setInt(1, i);
                        try (ResultSet rows = statement.executeQuery()) {
                            rows.next();
                        }
                    }
                }
                List<String> names = new ArrayList<>();
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery("SELECT name FROM pg_prepared_statements ORDER BY 1")) {
                    while (rows.next()) {
                        names.add(rows.getString(1));
                    }
                }
                return names;
            } finally {
                connection.rollback();
            }
        }
    }

    @Test
    void straightToPostgresNothingIsDetectedAndStatementsArePreparedAsConfigured(TestDatabase db) throws SQLException {
        try (Database database = Database.open(db.config().perRequest().build())) {
            database.checkConnection();
            assertThat(namedStatementsAfterRepeatedText(database.pool())).as("pgjdbc's own names").isNotEmpty()
                    .allMatch(name -> name.matches("S_[0-9]+"));
        }
    }

    @Test
    void behindEveryPgBouncerInEitherModeTheDefaultPreparesNothingUnderAName(TestDatabase db) throws Exception {
        for (PgBouncer.Binary binary : installed()) {
            for (String mode : List.of("transaction", "session")) {
                try (PgBouncer bouncer = PgBouncer.using(binary).poolMode(mode).start(db.server());
                     Database database = Database.open(through(db, bouncer, "").perRequest().build())) {
                    database.checkConnection();
                    assertThat(namedStatementsAfterRepeatedText(database.pool())).as("%s in %s mode", binary, mode).isEmpty();
                }
            }
        }
    }

    @Test
    void aPrepareThresholdWrittenInTheUrlIsOverriddenBehindAPoolerAndSaidSo(TestDatabase db) throws Exception {
        PgBouncer.Binary binary = installed().get(0);
        for (String threshold : List.of("5", "1", "-1")) {
            try (PgBouncer bouncer = PgBouncer.using(binary).start(db.server())) {
                Captured started = captureStandardError(() -> {
                    try (TenantryPersistence tenantry = Tenantry.start(through(db, bouncer, "&prepareThreshold=" + threshold)
                            .perRequest().build())) {
                        assertThat(namedStatementsAfterRepeatedText(tenantry.database().pool()))
                                .as("prepareThreshold=%s in the URL", threshold).isEmpty();
                        try (Connection connection = tenantry.database().pool().getConnection()) {
                            assertThat(connection.unwrap(PgConnection.class).getForceBinary()).isFalse();
                        }
                    }
                });
                assertThat(started.lines("WARN")).as("one warning, however many connections were opened").hasSize(1);
                assertThat(started.lines("WARN").get(0)).contains("through a connection pooler")
                        .contains("prepareThreshold 0 instead of " + threshold + " from DATABASE_URL")
                        .contains("TENANTRY_POOLER=transaction-with-prepared-statements");
            }
        }
    }

    @Test
    void aSessionModePoolerStatedAsSuchKeepsPreparedStatementsAndTakesSchemaChanges(TestDatabase db) throws Exception {
        for (PgBouncer.Binary binary : installed()) {
            // Session mode holds a server connection per client connection: room for the pool and a schema change.
            try (PgBouncer bouncer = PgBouncer.using(binary).poolMode("session").serverConnections(5).start(db.server())) {
                Map<String, String> env = new HashMap<>(db.environment());
                env.put(TenantryConfig.DATABASE_URL, bouncer.jdbcUrl(db.name()));
                env.put(TenantryConfig.POOLER, "session");
                try (TenantryPersistence tenantry = Tenantry.start(TenantryConfig.builder().environment(env).perRequest()
                        .poolMaxSize(2).poolMinIdle(0).build())) {
                    tenantry.provisioning().provision("through_session_" + binary.minor());
                    assertThat(namedStatementsAfterRepeatedText(tenantry.database().pool())).as("%s", binary).isNotEmpty();
                }
            }
        }
    }

    @Test
    void transactionStatedTurnsNamedStatementsOffEvenWhereNoPoolerIsSeen(TestDatabase db) throws SQLException {
        try (Database database = Database.open(db.config().perRequest().adminDatabaseUrl(db.jdbcUrl())
                .pooler(Pooler.TRANSACTION).build())) {
            database.checkConnection();
            assertThat(namedStatementsAfterRepeatedText(database.pool())).isEmpty();
        }
    }

    @Test
    void schemaChangesThroughAPoolerFailAtOnceNamingTheSettingToChange(TestDatabase db) throws Exception {
        PgBouncer.Binary binary = installed().get(0);
        try (PgBouncer bouncer = PgBouncer.using(binary).serverConnections(2).start(db.server())) {
            Map<String, String> env = new HashMap<>(db.environment());
            env.put(TenantryConfig.DATABASE_URL, bouncer.jdbcUrl(db.name()));

            long started = System.nanoTime();
            Throwable sameUrl = catchThrowable(() -> Tenantry.start(TenantryConfig.builder().environment(env).perRequest()
                    .build()).close());
            assertThat(sameUrl).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith("TENANTRY_ADMIN_DATABASE_URL: is not set, so schema changes use DATABASE_URL")
                    .hasMessageContaining("through a connection pooler").hasMessageContaining("TENANTRY_POOLER=session");

            env.put(TenantryConfig.ADMIN_DATABASE_URL, bouncer.jdbcUrl(db.name()));
            Throwable ownUrl = catchThrowable(() -> Tenantry.start(TenantryConfig.builder().environment(env).perDeployment("x")
                    .build()).close());
            assertThat(ownUrl).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageStartingWith("TENANTRY_ADMIN_DATABASE_URL: reaches PostgreSQL through a pooler");

            // Without the start-up check, the first connection for a schema change fails the same way.
            try (Database database = Database.open(TenantryConfig.builder().environment(env).build())) {
                Throwable migrate = catchThrowable(() -> new SchemaMigrator(database.admin(), List.of(Tenantry.MIGRATIONS))
                        .provision(null, SchemaName.ofTenant("never_created")));
                assertThat(migrate).hasStackTraceContaining("TENANTRY_ADMIN_DATABASE_URL: reaches PostgreSQL through a pooler");
            }
            assertThat((System.nanoTime() - started) / 1_000_000_000.0).as("seconds to refuse all three").isLessThan(10);
            assertThat(db.schemas()).doesNotContain("never_created", "x");
        }
    }

    @Test
    void transactionWithPreparedStatementsIsBelievedOnlyWhereThePoolerRenamesThem(TestDatabase db) throws Exception {
        for (PgBouncer.Binary binary : installed()) {
            PgBouncer.Settings settings = PgBouncer.using(binary);
            if (binary.carriesPreparedStatements()) {
                try (PgBouncer carrying = settings.maxPreparedStatements(200).start(db.server());
                     Database database = Database.open(through(db, carrying, "").perRequest()
                             .pooler(Pooler.TRANSACTION_WITH_PREPARED_STATEMENTS).build())) {
                    database.checkConnection();
                    assertThat(namedStatementsAfterRepeatedText(database.pool())).as("%s", binary).isNotEmpty()
                            .allMatch(name -> name.startsWith("PGBOUNCER_"));
                }
                settings.maxPreparedStatements(0);
            }
            try (PgBouncer notCarrying = settings.start(db.server());
                 Database database = Database.open(through(db, notCarrying, "").perRequest()
                         .pooler(Pooler.TRANSACTION_WITH_PREPARED_STATEMENTS).build())) {
                Throwable refused = catchThrowable(database::checkConnection);
                assertThat(refused).as("%s", binary).isInstanceOf(InvalidConfigurationException.class)
                        .hasMessageStartingWith("TENANTRY_POOLER: is transaction-with-prepared-statements, but DATABASE_URL"
                                + " reaches PostgreSQL through a connection pooler");
                // The pool reports the refusal once its own attempt to connect has failed; on a loaded machine that
                // attempt may outlast one borrow's wait, which then times out without a cause: borrow again.
                Throwable borrowing = null;
                for (int attempt = 0; attempt < 15; attempt++) {
                    borrowing = catchThrowable(() -> database.pool().getConnection().close());
                    if (borrowing == null || borrowing.getCause() != null) {
                        break;
                    }
                }
                assertThat(borrowing).as("%s", binary).hasStackTraceContaining("under the driver's own name (S_");
            }
        }
    }

    private record Captured(String output) {
        List<String> lines(String level) {
            List<String> lines = new ArrayList<>();
            Matcher matcher = Pattern.compile("(?m)^.* " + level + " dev\\.tenantry\\..*$").matcher(output);
            while (matcher.find()) {
                lines.add(matcher.group());
            }
            return lines;
        }
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    /** Runs {@code work} with System.err captured, where the test's SLF4J binding writes. */
    private static Captured captureStandardError(Work work) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setErr(err);
            err.print(bytes.toString(StandardCharsets.UTF_8));
        }
        return new Captured(bytes.toString(StandardCharsets.UTF_8));
    }
}
