package dev.tenantry.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenantry.core.PoolLane;
import dev.tenantry.bench.FixedSchemaNaming;
import dev.tenantry.bench.SearchPathConnectionProvider;
import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.Pooler;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.IsolationSoak;
import dev.tenantry.it.support.PgBouncer;
import dev.tenantry.it.support.PostgresServer;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.hibernate.SchemaPerTenantConnectionProvider;
import dev.tenantry.tenancy.hibernate.ScopedTenantResolver;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import dev.tenantry.tenancy.hibernate.TenantSchemaNamingStrategy;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sql.DataSource;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/**
 * The isolation soak through PgBouncer in transaction pooling mode, where consecutive transactions of one client
 * land on different server sessions and one server session serves many clients, with Tenantry's default settings:
 * no statement-cache setting, no {@code prepareThreshold}, no {@code TENANTRY_POOLER}. Tenantry must leak and lose
 * nothing. Two negative controls run the same traffic through the same PgBouncer and must be seen to leak or lose
 * rows, which proves the soak can see it: Tenantry's own statements with pgjdbc's defaults and without Tenantry's
 * guard on new connections (named prepared statements met on other clients' server sessions), and the
 * session-{@code search_path} pattern. Then PgBouncer 1.21 or later, with {@code max_prepared_statements} and the
 * setting that says so (prepared statements kept), and without it (detected, as 1.18 is).
 *
 * <p>"A PgBouncer that passes named statements on" is Debian's 1.18 where installed, else a 1.21+ with
 * {@code max_prepared_statements = 0}, which behaves the same for them. Skipped, saying why, only where no
 * pgbouncer is installed. Sized by {@code -Dpgbouncer.soak.transactions} (default 2,000; the reliability profile
 * 20,000) and {@code -Dpgbouncer.control.transactions} (2,000).
 */
@WithPostgres
class PgBouncerSoakTest {

    static final int TRANSACTIONS = IsolationSoak.size("pgbouncer.soak.transactions", 2_000);
    static final int CONTROL_TRANSACTIONS = IsolationSoak.size("pgbouncer.control.transactions", 2_000);
    static final int THREADS = 8;
    static final int TENANTS = 16;
    /** Client connections (the application's pool) outnumber server connections, so sessions are shared. */
    static final int CLIENT_POOL = 8;
    static final int SERVER_POOL = 3;

    /** In transaction mode, passing pgjdbc's named prepared statements on to whichever server session is free. */
    private static PgBouncer passingNamesOn;

    @BeforeAll
    static void startPgBouncer(TestDatabase db) throws Exception {
        // Behind a transaction-mode pooler, SQL that names no schema resolves by the server sessions' own default:
        // per request it must find none, or Tenantry refuses to start (SearchPathBehindPgBouncerTest).
        db.setRoleSearchPath("''");
        Optional<PgBouncer.Binary> old = PgBouncer.withoutPreparedStatements();
        Optional<PgBouncer.Binary> any = old.or(PgBouncer::withPreparedStatements);
        if (any.isEmpty()) {
            System.out.println("[reliability] SKIPPED the PgBouncer tests: " + PgBouncer.missingMessage());
            return;
        }
        PgBouncer.Settings settings = PgBouncer.using(any.get()).poolMode("transaction").serverConnections(SERVER_POOL);
        passingNamesOn = (old.isPresent() ? settings : settings.maxPreparedStatements(0)).start(db.server());
    }

    @BeforeEach
    void needsPgBouncer() {
        Assumptions.assumeTrue(passingNamesOn != null, PgBouncer::missingMessage);
    }

    @AfterAll
    static void stopPgBouncer() {
        if (passingNamesOn != null) {
            passingNamesOn.close();
        }
    }

    /** Provisions straight against PostgreSQL: see docs/reliability.md on schema changes behind a pooler. */
    private static void provision(TestDatabase db, List<String> tenants) {
        try (TenantryPersistence direct = Tenantry.start(db.config().perRequest().build())) {
            tenants.forEach(direct.provisioning()::provision);
        }
    }

    /** Tenantry's settings as a user behind {@code bouncer} writes them: only the URLs, schema changes past the pooler. */
    private static TenantryConfig.Builder throughBouncer(TestDatabase db, PgBouncer bouncer) {
        Map<String, String> env = new HashMap<>(db.environment());
        env.put(TenantryConfig.DATABASE_URL, bouncer.jdbcUrl(db.name()));
        env.put(TenantryConfig.ADMIN_DATABASE_URL, db.jdbcUrl());
        return TenantryConfig.builder().environment(env).poolMaxSize(CLIENT_POOL).poolMinIdle(0);
    }

    private record Soak(IsolationSoak.Result result, int clientConnections, int serverSessions) {
    }

    private static Soak soakTenantry(TestDatabase db, TenantryConfig config, String label, String prefix) throws Exception {
        List<String> tenants = IsolationSoak.tenants(prefix, TENANTS);
        provision(db, tenants);
        IsolationSoak.Result result;
        int clientConnections;
        int serverSessions;
        String start = db.column("select clock_timestamp()").get(0);
        try (TenantryPersistence tenantry = Tenantry.start(config)) {
            result = IsolationSoak.run(new IsolationSoak.Settings(label + " (transaction mode, " + CLIENT_POOL
                            + " client connections, " + SERVER_POOL + " server connections)", TRANSACTIONS, THREADS, tenants, 7,
                            TenantSchema.PLACEHOLDER + ".users"),
                    tenantry.entityManagerFactory(), db::connect);
            clientConnections = tenantry.database().lanes().stream().mapToInt(PoolLane::connections).sum();
            serverSessions = serverSessionsSince(db, start, config);
        }
        System.out.println(result.summary());
        System.out.println("[reliability] PgBouncer: " + clientConnections + " pooled client connections were served by "
                + serverSessions + " PostgreSQL sessions");
        return new Soak(result, clientConnections, serverSessions);
    }

    private static void assertNothingCrossedOrLost(Soak soak) {
        IsolationSoak.Result result = soak.result();
        assertThat(soak.serverSessions()).as("PostgreSQL sessions behind PgBouncer").isBetween(1, SERVER_POOL);
        assertThat(soak.clientConnections()).as("client connections, more than server sessions")
                .isGreaterThan(soak.serverSessions());
        result.assertIsolatedAndComplete();
    }

    /**
     * The sessions opened on the test database since {@code start}, other than this one: the server connections of
     * the PgBouncer the soak went through (another one's were opened before). Connections that went straight to
     * PostgreSQL in that time (schema changes, the soak's own counting) are left out by their application names:
     * their backends may still be listed while they exit.
     */
    private static int serverSessionsSince(TestDatabase db, String start, TenantryConfig config) {
        return Integer.parseInt(db.column("select count(*) from pg_stat_activity where datname = current_database()"
                + " and backend_type = 'client backend' and pid <> pg_backend_pid() and backend_start >= ?::timestamptz"
                + " and application_name not in (?, ?)", start, config.applicationName() + "-admin",
                PostgresServer.APPLICATION_NAME).get(0));
    }

    /** The prepare threshold a connection of {@code pool} runs with: 0 means nothing is prepared on the server. */
    private static int prepareThreshold(DataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return connection.unwrap(PGConnection.class).getPrepareThreshold();
        }
    }

    @Test
    void withDefaultSettingsTenantryThroughPgBouncerInTransactionModeNeverCrossesTenantsAndLosesNothing(TestDatabase db)
            throws Exception {
        TenantryConfig config = throughBouncer(db, passingNamesOn).perRequest().build();
        try (TenantryPersistence tenantry = Tenantry.start(config)) {
            assertThat(prepareThreshold(tenantry.database().pool())).as("the pooler was detected").isZero();
        }

        Soak soak = soakTenantry(db, config, "tenantry with default settings through PgBouncer "
                + passingNamesOn.binary().version(), "pgb_");

        assertNothingCrossedOrLost(soak);
    }

    /**
     * The same traffic through the same PgBouncer with Tenantry's statements and pgjdbc's defaults, but without
     * Tenantry's connections: a plain HikariCP pool, as before the pooler was detected. pgjdbc names a statement at
     * its fifth execution on a connection; the pooler then runs it on whichever server session is free, where that
     * name may be another client's statement of another tenant.
     */
    @Test
    void negativeControlTenantrysStatementsWithPgjdbcDefaultsAndNoDetectionLoseOrCrossRows(TestDatabase db)
            throws Exception {
        IsolationSoak.Result result = soakWithoutTenantrysConnections(db, "named_", passingNamesOn.jdbcUrl(db.name()),
                "negative control: Tenantry's statements, pgjdbc's defaults, no detection, through PgBouncer "
                        + passingNamesOn.binary().version() + " (transaction mode)",
                pool -> new SchemaPerTenantConnectionProvider(pool, SchemaName::ofTenant), new TenantSchemaNamingStrategy(),
                TenantSchema.PLACEHOLDER + ".users");

        assertThat(result.leaks() + result.lostRows())
                .as("named statements behind a transaction-mode pooler cross tenants or lose commits, and the soak sees it")
                .isPositive();
    }

    @Test
    void negativeControlASessionSearchPathProviderThroughPgBouncerLeaksAcrossTenants(TestDatabase db) throws Exception {
        // Unnamed statements only, so that what leaks is the search_path alone.
        IsolationSoak.Result result = soakWithoutTenantrysConnections(db, "ctl_",
                passingNamesOn.jdbcUrl(db.name()) + "&prepareThreshold=0",
                "negative control: SET search_path on checkout, through PgBouncer (transaction mode)",
                SearchPathConnectionProvider::new, FixedSchemaNaming.unqualified(), "users");

        assertThat(result.leaks() + result.lostRows())
                .as("the session-search_path pattern behind a transaction-mode pooler leaks, and the soak sees it")
                .isPositive();
    }

    /**
     * The soak over a plain HikariCP pool at {@code jdbcUrl} and the multi-tenancy of {@code provider}, with
     * {@value #CONTROL_TRANSACTIONS} transactions by default.
     */
    private static IsolationSoak.Result soakWithoutTenantrysConnections(TestDatabase db, String prefix, String jdbcUrl,
            String label, Function<DataSource, MultiTenantConnectionProvider<String>> provider, Object naming,
            String nativeUsersTable) throws Exception {
        List<String> tenants = IsolationSoak.tenants(prefix, TENANTS);
        provision(db, tenants);
        IsolationSoak.Result result;
        try (HikariDataSource pool = plainPool(db, prefix + "control", jdbcUrl)) {
            EntityManagerFactory emf = new HibernatePersistenceConfiguration(prefix + "control")
                    .managedClasses(Tenantry.ENTITIES)
                    .property(AvailableSettings.PHYSICAL_NAMING_STRATEGY, naming)
                    .property(AvailableSettings.HBM2DDL_AUTO, "none")
                    .property(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER, provider.apply(pool))
                    .property(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new ScopedTenantResolver())
                    .createEntityManagerFactory();
            try {
                result = IsolationSoak.run(new IsolationSoak.Settings(label, CONTROL_TRANSACTIONS, THREADS, tenants, 7,
                        nativeUsersTable), emf, db::connect);
            } finally {
                emf.close();
            }
        }
        System.out.println(result.summary());
        return result;
    }

    private static HikariDataSource plainPool(TestDatabase db, String name, String jdbcUrl) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setJdbcUrl(jdbcUrl);
        hikari.setUsername(db.server().user());
        hikari.setPassword(db.server().password());
        hikari.setMaximumPoolSize(CLIENT_POOL);
        hikari.setMinimumIdle(0);
        return new HikariDataSource(hikari);
    }

    /**
     * PgBouncer 1.21 or later with {@code max_prepared_statements}, and {@code TENANTRY_POOLER} saying so: pgjdbc's
     * named statements are kept, PgBouncer prepares them on each server session under names of its own, and still
     * nothing crosses or is lost.
     */
    @Test
    void pgBouncerCarryingPreparedStatementsKeepsThemWhenToldAndNeverCrossesTenants(TestDatabase db) throws Exception {
        Optional<PgBouncer.Binary> binary = PgBouncer.withPreparedStatements();
        Assumptions.assumeTrue(binary.isPresent(), () -> PgBouncer.missingMessage("pgbouncer 1.21 or later"));
        try (PgBouncer carrying = PgBouncer.using(binary.get()).poolMode("transaction").serverConnections(SERVER_POOL)
                .maxPreparedStatements(200).start(db.server())) {
            TenantryConfig config = throughBouncer(db, carrying).perRequest()
                    .pooler(Pooler.TRANSACTION_WITH_PREPARED_STATEMENTS).build();

            Soak soak = soakTenantry(db, config, "tenantry, " + TenantryConfig.POOLER + "="
                    + Pooler.TRANSACTION_WITH_PREPARED_STATEMENTS.setting() + ", through PgBouncer "
                    + binary.get().version() + " with max_prepared_statements=200", "carry_");

            assertNothingCrossedOrLost(soak);
            try (HikariDataSource pool = plainPool(db, "prepared-statements-seen", carrying.jdbcUrl(db.name()))) {
                assertThat(pgbouncerPreparedStatements(pool)).as("statements PgBouncer prepared on a server session")
                        .isPositive();
            }
            try (TenantryPersistence tenantry = Tenantry.start(config)) {
                assertThat(prepareThreshold(tenantry.database().pool())).as("pgjdbc's threshold, kept").isEqualTo(5);
            }
        }
    }

    /** Statements a server session holds under PgBouncer's names, asked inside a transaction so that it stays one session. */
    private static int pgbouncerPreparedStatements(DataSource pool) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(
                         "select count(*) from pg_prepared_statements where name like 'PGBOUNCER\\_%'")) {
                rows.next();
                return rows.getInt(1);
            } finally {
                connection.rollback();
            }
        }
    }

    /**
     * PgBouncer 1.21 or later without {@code max_prepared_statements}: detected with the default settings, as 1.18 is,
     * and nothing crosses; the setting that claims it carries prepared statements is refused at start-up.
     */
    @Test
    void pgBouncerNotCarryingPreparedStatementsIsDetectedAndAClaimThatItDoesIsRefused(TestDatabase db) throws Exception {
        Optional<PgBouncer.Binary> binary = PgBouncer.withPreparedStatements();
        Assumptions.assumeTrue(binary.isPresent(), () -> PgBouncer.missingMessage("pgbouncer 1.21 or later"));
        try (PgBouncer notCarrying = PgBouncer.using(binary.get()).poolMode("transaction").serverConnections(SERVER_POOL)
                .maxPreparedStatements(0).start(db.server())) {
            TenantryConfig.Builder config = throughBouncer(db, notCarrying).perRequest();

            Throwable claimed = catchThrowable(() -> Tenantry.start(config.pooler(Pooler.TRANSACTION_WITH_PREPARED_STATEMENTS)
                    .build()).close());
            assertThat(claimed).isInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("under the driver's own name (S_");
            assertThat(((InvalidConfigurationException) claimed).setting()).isEqualTo(TenantryConfig.POOLER);

            Soak soak = soakTenantry(db, config.pooler(Pooler.DETECT).build(), "tenantry with default settings through"
                    + " PgBouncer " + binary.get().version() + " with max_prepared_statements=0", "nocarry_");
            assertNothingCrossedOrLost(soak);
        }
    }

    @Test
    /**
     * Schema changes hold session-level locks and settings, which a transaction-mode pooler would spread
     * over several server sessions; so they connect past it, through TENANTRY_ADMIN_DATABASE_URL, while the
     * registry and all application work go through PgBouncer.
     */
    void provisioningBehindPgBouncerWithADirectAdminUrlCreatesEveryTenantOnceAndCompletely(TestDatabase db) throws Exception {
        List<String> tenants = IsolationSoak.tenants("prov_", 12);
        try (PgBouncer own = PgBouncer.start(db.server(), "transaction", 2)) {
            Map<String, String> env = new HashMap<>(db.environment());
            env.put(TenantryConfig.DATABASE_URL, own.jdbcUrl(db.name()));
            env.put(TenantryConfig.ADMIN_DATABASE_URL, db.jdbcUrl());
            try (TenantryPersistence tenantry = Tenantry.start(TenantryConfig.builder().environment(env).perRequest()
                    .poolMaxSize(4).poolMinIdle(0).build())) {
                ExecutorService threads = Executors.newFixedThreadPool(4);
                try {
                    for (int round = 0; round < 2; round++) { // idempotent: the second round finds every tenant current
                        List<Future<MigrationResult>> results = new ArrayList<>();
                        for (String tenant : tenants) {
                            results.add(threads.submit(() -> tenantry.provisioning().provision(tenant)));
                        }
                        for (Future<MigrationResult> result : results) {
                            result.get(60, TimeUnit.SECONDS);
                        }
                    }
                } finally {
                    threads.shutdownNow();
                }
            }
        }
        for (String tenant : tenants) {
            assertThat(db.column("select tablename from pg_tables where schemaname = ? order by 1", tenant))
                    .as("tables of %s", tenant).containsExactly("anon_sessions", "flyway_schema_history", "users");
        }
        assertThat(db.column("select count(*) from pg_locks where locktype = 'advisory'"
                + " and database = (select oid from pg_database where datname = current_database())"))
                .as("advisory locks left behind").containsExactly("0");
    }
}
