package dev.tenantry.it.reliability;

import dev.tenantry.bench.FixedSchemaNaming;
import dev.tenantry.bench.SearchPathConnectionProvider;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.IsolationSoak;
import dev.tenantry.it.support.PgBouncer;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.hibernate.ScopedTenantResolver;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The isolation soak through PgBouncer in transaction pooling mode, where consecutive transactions of
 * one client land on different server sessions and one server session serves many clients. Tenantry
 * must leak nothing; the negative control, the session-{@code search_path} pattern, must be seen to
 * leak, which proves the soak can see a leak. Skipped, saying why, only where pgbouncer is not installed.
 * Sized by {@code -Dpgbouncer.soak.transactions} (default 2,000) and {@code -Dpgbouncer.control.transactions}.
 */
@WithPostgres
class PgBouncerSoakTest {

    static final int TRANSACTIONS = IsolationSoak.size("pgbouncer.soak.transactions", 2_000);
    static final int CONTROL_TRANSACTIONS = IsolationSoak.size("pgbouncer.control.transactions", 2_000);
    static final int THREADS = 8;
    static final int TENANTS = 8;
    /** Client connections (the application's pool) outnumber server connections, so sessions are shared. */
    static final int CLIENT_POOL = 8;
    static final int SERVER_POOL = 3;

    private static PgBouncer bouncer;

    @BeforeAll
    static void startPgBouncer(TestDatabase db) throws Exception {
        if (PgBouncer.binary().isEmpty()) {
            System.out.println("[reliability] SKIPPED the PgBouncer tests: " + PgBouncer.missingMessage());
            return;
        }
        bouncer = PgBouncer.start(db.server(), "transaction", SERVER_POOL);
    }

    @BeforeEach
    void needsPgBouncer() {
        Assumptions.assumeTrue(bouncer != null, PgBouncer::missingMessage);
    }

    @AfterAll
    static void stopPgBouncer() {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    /** Provisions straight against PostgreSQL: see docs/reliability.md on schema changes behind a pooler. */
    private static void provision(TestDatabase db, List<String> tenants) {
        try (TenantryPersistence direct = Tenantry.start(db.config().perRequest().build())) {
            tenants.forEach(direct.provisioning()::provision);
        }
    }

    private static TenantryConfig.Builder throughBouncer(TestDatabase db) {
        Map<String, String> env = new HashMap<>(db.environment());
        env.put(TenantryConfig.DATABASE_URL, bouncer.jdbcUrl(db.name()));
        return TenantryConfig.builder().environment(env).poolMaxSize(CLIENT_POOL).poolMinIdle(0);
    }

    @Test
    void tenantryThroughPgBouncerInTransactionModeNeverCrossesTenantsAndLosesNothing(TestDatabase db) throws Exception {
        List<String> tenants = IsolationSoak.tenants("pgb_", TENANTS);
        provision(db, tenants);

        IsolationSoak.Result result;
        int clientConnections;
        int serverSessions;
        try (TenantryPersistence tenantry = Tenantry.start(throughBouncer(db).perRequest().build())) {
            result = IsolationSoak.run(
                    new IsolationSoak.Settings("tenantry through PgBouncer (transaction mode, " + CLIENT_POOL
                            + " client connections, " + SERVER_POOL + " server connections)", TRANSACTIONS, THREADS,
                            tenants, 7, TenantSchema.PLACEHOLDER + ".users"),
                    tenantry.entityManagerFactory(), db::connect);
            clientConnections = tenantry.database().pool().unwrap(HikariDataSource.class).getHikariPoolMXBean()
                    .getTotalConnections();
            serverSessions = serverSessions(db);
        }
        System.out.println(result.summary());
        System.out.println("[reliability] PgBouncer: " + clientConnections + " pooled client connections were served by "
                + serverSessions + " PostgreSQL sessions");

        assertThat(serverSessions).as("PostgreSQL sessions behind PgBouncer").isBetween(1, SERVER_POOL);
        assertThat(clientConnections).as("client connections, more than server sessions").isGreaterThan(serverSessions);
        assertThat(result.transactions()).isEqualTo(TRANSACTIONS);
        assertThat(result.errors()).as("errors: %s", result.errorSamples()).isZero();
        assertThat(result.crossTenantReads()).as("cross-tenant reads").isZero();
        assertThat(result.foreignRowsAtEnd()).as("cross-tenant writes").isZero();
        assertThat(result.lostRows()).as("rows lost").isZero();
        assertThat(result.unexpectedRows()).isZero();
        assertThat(result.rowsPerTenant()).isEqualTo(result.committedPerTenant());
    }

    /** The sessions open on the test database other than this one: PgBouncer's server connections. */
    private static int serverSessions(TestDatabase db) {
        return Integer.parseInt(db.column("select count(*) from pg_stat_activity where datname = current_database()"
                + " and backend_type = 'client backend' and pid <> pg_backend_pid()").get(0));
    }

    @Test
    void negativeControlASessionSearchPathProviderThroughPgBouncerLeaksAcrossTenants(TestDatabase db) throws Exception {
        List<String> tenants = IsolationSoak.tenants("ctl_", TENANTS);
        provision(db, tenants);

        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("search-path-control");
        hikari.setJdbcUrl(bouncer.jdbcUrl(db.name()));
        hikari.setUsername(db.server().user());
        hikari.setPassword(db.server().password());
        hikari.setMaximumPoolSize(CLIENT_POOL);
        hikari.setMinimumIdle(0);
        IsolationSoak.Result result;
        try (HikariDataSource pool = new HikariDataSource(hikari)) {
            EntityManagerFactory emf = new HibernatePersistenceConfiguration("search-path-control")
                    .managedClasses(Tenantry.ENTITIES)
                    .property(AvailableSettings.PHYSICAL_NAMING_STRATEGY, FixedSchemaNaming.unqualified())
                    .property(AvailableSettings.HBM2DDL_AUTO, "none")
                    .property(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER, new SearchPathConnectionProvider(pool))
                    .property(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new ScopedTenantResolver())
                    .createEntityManagerFactory();
            try {
                result = IsolationSoak.run(new IsolationSoak.Settings("negative control: SET search_path on checkout,"
                                + " through PgBouncer (transaction mode)", CONTROL_TRANSACTIONS, THREADS, tenants, 7, "users"),
                        emf, db::connect);
            } finally {
                emf.close();
            }
        }
        System.out.println(result.summary());

        assertThat(result.leaks() + result.lostRows())
                .as("the session-search_path pattern behind a transaction-mode pooler leaks, and the soak sees it")
                .isPositive();
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
