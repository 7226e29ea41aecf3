package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.AnonSessions;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.RoundTripCounter;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import dev.tenantry.tenancy.hibernate.ScopedTenantResolver;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Counts, on the wire, the round trips one transaction costs under each way of choosing the schema.
 * Tenantry must cost exactly what plain single-schema Hibernate costs; the session-search_path provider
 * is the negative control that shows the counter sees extra round trips when they happen.
 */
@WithPostgres
class RoundTripTest {

    private static final int TENANTS = 20;
    private static final int WARM_UP = 30;
    private static final int MEASURED = 100;

    private record Visitor(String tenant, UUID userId, String email, String token) {
    }

    private static RoundTripCounter counter;
    private static TenantryConfig.Builder viaCounter;
    private static final Map<String, Double> FIGURES = new LinkedHashMap<>();

    @BeforeAll
    static void start(TestDatabase db) throws Exception {
        counter = RoundTripCounter.start(db.server().host(), db.server().port());
        Map<String, String> env = new HashMap<>(db.environment());
        env.put(TenantryConfig.DATABASE_URL, counter.jdbcUrl(db.name()));
        viaCounter = TenantryConfig.builder().environment(env).poolMaxSize(4).poolMinIdle(0);
    }

    @AfterAll
    static void stop() throws Exception {
        counter.close();
        System.out.println("[round-trips] per transaction, measured on the wire over " + MEASURED + " transactions:");
        FIGURES.forEach((name, value) -> System.out.printf("[round-trips]   %-40s %.2f%n", name, value));
    }

    @Test
    void tenantryCostsExactlyTheRoundTripsOfPlainHibernate() throws Exception {
        double baselineRead;
        double baselineWeb;
        try (Database database = Database.open(viaCounter.build())) {
            new SchemaMigrator(database.admin(), List.of(Tenantry.MIGRATIONS)).provision(null, SchemaName.ofTenant("rt_base"));
            EntityManagerFactory plain = plainHibernate(database.pool(), new FixedSchemaNaming("rt_base"), Map.of());
            try {
                List<Visitor> visitors = List.of(visitor(plain, "rt_base"));
                baselineRead = measure("baseline (plain Hibernate, one schema)", "read", v -> read(plain, v), visitors);
                baselineWeb = measure("baseline (plain Hibernate, one schema)", "web", v -> web(plain, v), visitors);
            } finally {
                plain.close();
            }
        }

        try (TenantryPersistence tenantry = Tenantry.start(viaCounter.perRequest().build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            List<Visitor> visitors = new ArrayList<>();
            for (int i = 0; i < TENANTS; i++) {
                String tenant = "rt_" + i;
                tenantry.provisioning().provision(tenant);
                visitors.add(Tenants.in(tenant, () -> visitor(emf, tenant)));
            }
            double read = measure("tenantry per-request, " + TENANTS + " tenants", "read",
                    v -> Tenants.in(v.tenant(), () -> read(emf, v)), visitors);
            double web = measure("tenantry per-request, " + TENANTS + " tenants", "web",
                    v -> Tenants.in(v.tenant(), () -> web(emf, v)), visitors);
            assertThat(read).isEqualTo(baselineRead);
            assertThat(web).isEqualTo(baselineWeb);
        }

        try (TenantryPersistence deployment = Tenantry.start(viaCounter.perDeployment("rt_deploy").build())) {
            EntityManagerFactory emf = deployment.entityManagerFactory();
            List<Visitor> visitors = List.of(visitor(emf, "rt_deploy"));
            assertThat(measure("tenantry per-deployment", "read", v -> read(emf, v), visitors)).isEqualTo(baselineRead);
            assertThat(measure("tenantry per-deployment", "web", v -> web(emf, v), visitors)).isEqualTo(baselineWeb);
        }

        try (Database database = Database.open(viaCounter.perDeployment(null).build())) {
            SchemaMigrator migrator = new SchemaMigrator(database.admin(), List.of(Tenantry.MIGRATIONS));
            Map<String, Object> settings = new HashMap<>();
            settings.put(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER, new SearchPathProvider(database.pool()));
            settings.put(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new ScopedTenantResolver());
            List<String> tenants = new ArrayList<>();
            for (int i = 0; i < TENANTS; i++) {
                tenants.add("rt_" + i);
                migrator.provision(null, SchemaName.ofTenant("rt_" + i));
            }
            EntityManagerFactory searchPath = plainHibernate(database.pool(), new FixedSchemaNaming(null), settings);
            try {
                List<Visitor> visitors = new ArrayList<>();
                for (String tenant : tenants) {
                    visitors.add(Tenants.in(tenant, () -> visitor(searchPath, tenant)));
                }
                double read = measure("negative control: SET search_path provider", "read",
                        v -> Tenants.in(v.tenant(), () -> read(searchPath, v)), visitors);
                double web = measure("negative control: SET search_path provider", "web",
                        v -> Tenants.in(v.tenant(), () -> web(searchPath, v)), visitors);
                assertThat(read).isEqualTo(baselineRead + 2);
                assertThat(web).isEqualTo(baselineWeb + 2);
            } finally {
                searchPath.close();
            }
        }
    }

    private static Visitor visitor(EntityManagerFactory emf, String tenant) {
        return emf.callInTransaction(em -> {
            String email = "visitor-" + UUID.randomUUID() + "@" + tenant + ".example";
            User user = new Users(em).create(email, tenant);
            String token = new AnonSessions(em).start("{}", Duration.ofHours(1)).token();
            em.flush();
            return new Visitor(tenant, user.id(), email, token);
        });
    }

    private static Object read(EntityManagerFactory emf, Visitor visitor) {
        return emf.callInTransaction(em -> em.find(User.class, visitor.userId()));
    }

    private static Object web(EntityManagerFactory emf, Visitor visitor) {
        return emf.callInTransaction(em -> {
            new Users(em).findByEmail(visitor.email()).orElseThrow();
            return new AnonSessions(em).touch(visitor.token(), Duration.ofHours(1)).orElseThrow();
        });
    }

    private static double measure(String strategy, String workload, Consumer<Visitor> transaction, List<Visitor> visitors) {
        Random random = new Random(7);
        for (int i = 0; i < WARM_UP; i++) {
            transaction.accept(visitors.get(random.nextInt(visitors.size())));
        }
        long before = counter.roundTrips();
        for (int i = 0; i < MEASURED; i++) {
            transaction.accept(visitors.get(random.nextInt(visitors.size())));
        }
        double perTransaction = (counter.roundTrips() - before) / (double) MEASURED;
        FIGURES.put(strategy + " / " + workload, perTransaction);
        return perTransaction;
    }

    private static EntityManagerFactory plainHibernate(DataSource pool, PhysicalNamingStrategyStandardImpl naming,
                                                       Map<String, Object> extra) {
        HibernatePersistenceConfiguration configuration = new HibernatePersistenceConfiguration("round-trips")
                .managedClasses(Tenantry.ENTITIES)
                .property(AvailableSettings.PHYSICAL_NAMING_STRATEGY, naming)
                .property(AvailableSettings.HBM2DDL_AUTO, "none");
        if (extra.isEmpty()) {
            configuration.property(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, pool);
        }
        extra.forEach(configuration::property);
        return configuration.createEntityManagerFactory();
    }

    /** Maps the entities' logical tenant schema to one fixed schema, or to none (unqualified SQL). */
    static final class FixedSchemaNaming extends PhysicalNamingStrategyStandardImpl {
        private static final long serialVersionUID = 1L;
        private final String schema;

        FixedSchemaNaming(String schema) {
            this.schema = schema;
        }

        @Override
        public Identifier toPhysicalSchemaName(Identifier logicalName, JdbcEnvironment environment) {
            if (logicalName != null && TenantSchema.LOGICAL.equals(logicalName.getText())) {
                return schema == null ? null : Identifier.toIdentifier(schema, true);
            }
            return super.toPhysicalSchemaName(logicalName, environment);
        }
    }

    /** The pattern many tutorials teach: set search_path on checkout, reset it on release. */
    static final class SearchPathProvider implements MultiTenantConnectionProvider<String> {
        private static final long serialVersionUID = 1L;
        private final transient DataSource pool;

        SearchPathProvider(DataSource pool) {
            this.pool = pool;
        }

        @Override
        public Connection getConnection(String tenant) throws SQLException {
            Connection connection = pool.getConnection();
            execute(connection, "SET search_path TO " + SchemaName.ofTenant(tenant).quoted());
            return connection;
        }

        @Override
        public void releaseConnection(String tenant, Connection connection) throws SQLException {
            execute(connection, "SET search_path TO public");
            connection.close();
        }

        private static void execute(Connection connection, String sql) throws SQLException {
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }

        @Override
        public Connection getAnyConnection() throws SQLException {
            return pool.getConnection();
        }

        @Override
        public void releaseAnyConnection(Connection connection) throws SQLException {
            connection.close();
        }

        @Override
        public boolean supportsAggressiveRelease() {
            return false;
        }

        @Override
        public boolean isUnwrappableAs(Class<?> type) {
            return false;
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            throw new IllegalArgumentException(type.getName());
        }
    }
}
