package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.bench.PlainHibernate;
import dev.tenantry.bench.Requests;
import dev.tenantry.bench.RoundTripCounter;
import dev.tenantry.bench.SearchPathConnectionProvider;
import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.AnonSessions;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Counts, on the wire, the round trips one transaction costs under each way of choosing the schema.
 * Tenantry must cost exactly what plain single-schema Hibernate costs; the session-search_path provider
 * is the negative control that shows the counter sees extra round trips when they happen. The counter, the
 * plain-Hibernate baseline, the search_path provider and the two requests are the bench module's, so this
 * test and {@code tenantry-bench} measure the same code.
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
            EntityManagerFactory plain = PlainHibernate.oneSchema(database.pool(), "rt_base");
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
            List<String> tenants = new ArrayList<>();
            for (int i = 0; i < TENANTS; i++) {
                tenants.add("rt_" + i);
                migrator.provision(null, SchemaName.ofTenant("rt_" + i));
            }
            EntityManagerFactory searchPath = PlainHibernate.multiTenant(new SearchPathConnectionProvider(database.pool()));
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
        return Requests.read(emf, visitor.userId());
    }

    private static Object web(EntityManagerFactory emf, Visitor visitor) {
        return Requests.web(emf, visitor.email(), visitor.token());
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
}
