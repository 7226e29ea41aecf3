package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** One shared pool, many threads, many tenants: nothing crosses over. */
@WithPostgres
class ConcurrentTenantsTest {

    private static final int TENANTS = 12;
    private static final int THREADS = 8;
    private static final int TRANSACTIONS_PER_THREAD = 150;

    @Test
    void manyThreadsInterleavingManyTenantsNeverReadOrWriteAnotherTenantsRows(TestDatabase db) throws Exception {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(4).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            List<String> tenants = new ArrayList<>();
            for (int i = 0; i < TENANTS; i++) {
                tenants.add("crowd_" + i);
                tenantry.provisioning().provision("crowd_" + i);
            }
            Map<String, AtomicInteger> written = new ConcurrentHashMap<>();
            tenants.forEach(t -> written.put(t, new AtomicInteger()));
            AtomicLong foreignReads = new AtomicLong();
            AtomicLong reads = new AtomicLong();

            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int worker = 0; worker < THREADS; worker++) {
                long seed = 1000L + worker;
                int workerId = worker;
                done.add(threads.submit(() -> {
                    Random random = new Random(seed);
                    for (int n = 0; n < TRANSACTIONS_PER_THREAD; n++) {
                        String tenant = tenants.get(random.nextInt(TENANTS));
                        if (random.nextBoolean()) {
                            Tenants.in(tenant, () -> emf.runInTransaction(em -> new Users(em)
                                    .create("w" + workerId + "n" + random.nextInt(1 << 30) + "@" + tenant + ".example", tenant)));
                            written.get(tenant).incrementAndGet();
                        } else {
                            List<String> emails = Tenants.in(tenant, () -> emf.callInTransaction(em ->
                                    em.createQuery("select u.email from User u", String.class).getResultList()));
                            reads.incrementAndGet();
                            foreignReads.addAndGet(emails.stream().filter(e -> !e.endsWith("@" + tenant + ".example")).count());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            threads.shutdown();

            assertThat(reads.get()).isPositive();
            assertThat(foreignReads.get()).isZero();
            try (Connection connection = db.connect(); Statement statement = connection.createStatement()) {
                for (String tenant : tenants) {
                    try (ResultSet rows = statement.executeQuery("SELECT count(*), count(*) FILTER (WHERE email NOT LIKE '%@"
                            + tenant + ".example' OR display_name <> '" + tenant + "') FROM \"" + tenant + "\".users")) {
                        rows.next();
                        assertThat(rows.getInt(1)).as("rows in %s", tenant).isEqualTo(written.get(tenant).get());
                        assertThat(rows.getInt(2)).as("foreign rows in %s", tenant).isZero();
                    }
                }
            }
        }
    }
}
