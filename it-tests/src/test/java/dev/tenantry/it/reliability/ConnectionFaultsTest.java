package dev.tenantry.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.hibernate.jpa.HibernateHints;
import org.junit.jupiter.api.Test;

/**
 * Faults on one connection or one tenant: a backend terminated mid-transaction, the pool exhausted, a
 * statement timeout, a tenant's schema dropped while in use. Each must fail the work it hits with a clear
 * error, lose nothing committed, and leave the pool and the other tenants working.
 */
@WithPostgres
class ConnectionFaultsTest {

    private static final int TERMINATED_BETWEEN_STATEMENTS = 20;
    private static final int TERMINATED_DURING_A_STATEMENT = 5;

    private static int backendPid(EntityManager em) {
        return ((Number) em.createNativeQuery("select pg_backend_pid()").getSingleResult()).intValue();
    }

    @Test
    void aBackendTerminatedMidTransactionFailsOnlyThatTransactionAndThePoolReplacesTheConnection(TestDatabase db)
            throws Exception {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(2).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            List<String> tenants = List.of("term_a", "term_b");
            tenants.forEach(tenantry.provisioning()::provision);
            List<String> committed = new ArrayList<>();
            List<String> failedStates = new ArrayList<>();
            int recovered = 0;

            // Between two statements of an open transaction: the next statement finds the connection gone.
            for (int i = 0; i < TERMINATED_BETWEEN_STATEMENTS; i++) {
                String tenant = tenants.get(i % 2);
                String before = "before" + i + "@" + tenant + ".example";
                String doomed = "doomed" + i + "@" + tenant + ".example";
                Tenants.in(tenant, () -> emf.runInTransaction(em -> new Users(em).create(before, tenant)));
                committed.add(tenant + "/" + before);
                AtomicReference<Integer> killed = new AtomicReference<>();
                Throwable thrown = catchThrowable(() -> Tenants.in(tenant, () -> emf.runInTransaction(em -> {
                    new Users(em).create(doomed, tenant);
                    em.flush();
                    killed.set(backendPid(em));
                    Faults.terminate(db, killed.get());
                    new Users(em).count();
                })));

                assertThat(thrown).as("the transaction on the terminated backend fails").isNotNull();
                List<String> states = Faults.sqlStates(thrown);
                assertThat(states).as(Faults.messages(thrown)).anyMatch(s -> s.equals("57P01") || s.startsWith("08"));
                failedStates.add(states.get(0));
                int next = Tenants.in(tenant, () -> emf.callInTransaction(em -> {
                    new Users(em).create("after" + killed.get() + "@" + tenant + ".example", tenant);
                    return backendPid(em);
                }));
                committed.add(tenant + "/after" + killed.get() + "@" + tenant + ".example");
                assertThat(next).as("the pool replaced the terminated connection").isNotEqualTo(killed.get());
                recovered++;
                assertThat(db.column("select count(*) from \"" + tenant + "\".users where email = ?", doomed))
                        .as("the failed transaction left nothing").containsExactly("0");
            }

            // During a statement: terminated while it runs.
            ExecutorService killer = Executors.newSingleThreadExecutor();
            try {
                for (int i = 0; i < TERMINATED_DURING_A_STATEMENT; i++) {
                    String tenant = tenants.get(i % 2);
                    Future<Integer> kill = killer.submit(() -> {
                        AtomicReference<String> pid = new AtomicReference<>();
                        Faults.await(() -> {
                            List<String> sleeping = db.column("select pid from pg_stat_activity where datname = current_database()"
                                    + " and state = 'active' and application_name = 'tenantry' and query like 'select pg_sleep%'");
                            pid.set(sleeping.isEmpty() ? null : sleeping.get(0));
                            return pid.get() != null;
                        }, Duration.ofSeconds(10), "the sleeping statement to start");
                        Faults.terminate(db, Integer.parseInt(pid.get()));
                        return Integer.parseInt(pid.get());
                    });
                    Throwable thrown = catchThrowable(() -> Tenants.in(tenant, () -> emf.runInTransaction(em ->
                            em.createNativeQuery("select pg_sleep(30)").getSingleResult())));
                    int killed = kill.get(20, TimeUnit.SECONDS);
                    assertThat(Faults.sqlStates(thrown)).as(Faults.messages(thrown))
                            .anyMatch(s -> s.equals("57P01") || s.startsWith("08"));
                    failedStates.add(Faults.sqlStates(thrown).get(0));
                    int next = Tenants.in(tenant, () -> emf.callInTransaction(ConnectionFaultsTest::backendPid));
                    assertThat(next).isNotEqualTo(killed);
                    recovered++;
                }
            } finally {
                killer.shutdownNow();
            }

            long lost = 0;
            for (String row : committed) {
                String[] parts = row.split("/", 2);
                lost += Long.parseLong(db.column("select count(*) from \"" + parts[0] + "\".users where email = ?", parts[1])
                        .get(0)) == 1 ? 0 : 1;
            }
            System.out.println("[reliability] pg_terminate_backend: " + (TERMINATED_BETWEEN_STATEMENTS + TERMINATED_DURING_A_STATEMENT)
                    + " backends terminated mid-transaction (" + TERMINATED_BETWEEN_STATEMENTS + " between statements, "
                    + TERMINATED_DURING_A_STATEMENT + " during one), each failed with SQLState " + new HashSet<>(failedStates)
                    + ", " + recovered + " next transactions succeeded on a new connection, " + committed.size()
                    + " committed rows checked, rows lost " + lost);
            assertThat(lost).isZero();
        }
    }

    private record Starved(Throwable thrown, long waitedMillis) {
    }

    /** Holds the pool's only connection in tenant holder while {@code tenant}'s work waits for one. */
    private static Starved starve(EntityManagerFactory emf, String tenant) {
        try (EntityManager holding = emf.createEntityManager(Map.of(HibernateHints.HINT_TENANT_ID, "holder"))) {
            holding.getTransaction().begin();
            new Users(holding).count(); // holds the pool's only connection until commit
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> Tenants.in(tenant, () -> emf.callInTransaction(em -> new Users(em).count())));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            new Users(holding).create("held-while-" + tenant + "-" + java.util.UUID.randomUUID() + "@holder.example", "holder");
            holding.getTransaction().commit();
            return new Starved(thrown, waitedMillis);
        }
    }

    private static TenantryPersistence onePooledConnection(TestDatabase db) {
        TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(1)
                .acquireTimeout(Duration.ofMillis(500)).build());
        List.of("holder", "starved_cold", "starved_warm").forEach(tenantry.provisioning()::provision);
        // A tenant used once is remembered; one never used yet is first looked up in the registry.
        Tenants.in("starved_warm", () -> tenantry.entityManagerFactory().runInTransaction(em -> new Users(em).count()));
        return tenantry;
    }

    @Test
    void anExhaustedPoolFailsTheWaitingWorkWithATimeoutNamingTheTenantAndRecoversWhenAConnectionReturns(TestDatabase db) {
        try (TenantryPersistence tenantry = onePooledConnection(db)) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            for (String tenant : List.of("starved_cold", "starved_warm")) {
                Starved starved = starve(emf, tenant);
                System.out.println("[reliability] pool exhausted (" + tenant + "): the waiting work failed after "
                        + starved.waitedMillis() + " ms with: " + Faults.messages(starved.thrown()).replace('\n', ' '));

                assertThat((Object) Faults.find(starved.thrown(), SQLTransientConnectionException.class))
                        .as("the pool's acquire timeout, %s", Faults.messages(starved.thrown())).isNotNull();
                assertThat(starved.waitedMillis()).as("waited about the acquire timeout").isBetween(400L, 10_000L);
                assertThat(Faults.messages(starved.thrown())).as("the error names the tenant").contains(tenant);
                long users = Tenants.in(tenant, () -> emf.callInTransaction(em -> new Users(em).count()));
                assertThat(users).as("the starved tenant works once the connection is back").isZero();
            }
            assertThat(db.column("select count(*) from holder.users")).containsExactly("2");
        }
    }

    @Test
    void anExhaustedPoolNamesTheTenantWhoseWorkTimedOutAlsoOnItsFirstUse(TestDatabase db) {
        try (TenantryPersistence tenantry = onePooledConnection(db)) {
            Starved starved = starve(tenantry.entityManagerFactory(), "starved_cold");

            assertThat((Object) Faults.find(starved.thrown(), SQLTransientConnectionException.class)).isNotNull();
            assertThat(Faults.messages(starved.thrown())).as("the error names the tenant").contains("starved_cold");
        }
    }

    @Test
    void aStatementTimeoutFailsTheTransactionClearlyAndTheConnectionCarriesNothingOver(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(1).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            tenantry.provisioning().provision("slow");
            String serverDefault = db.column("show statement_timeout").get(0);
            int pid = Tenants.in("slow", () -> emf.callInTransaction(ConnectionFaultsTest::backendPid));

            // SET LOCAL: the timeout belongs to this transaction only.
            long start = System.nanoTime();
            Throwable setLocal = catchThrowable(() -> Tenants.in("slow", () -> emf.runInTransaction(em -> {
                new Users(em).create("lost@slow.example", "slow");
                em.createNativeQuery("set local statement_timeout = '300ms'").executeUpdate();
                em.createNativeQuery("select pg_sleep(30)").getSingleResult();
            })));
            long setLocalMillis = (System.nanoTime() - start) / 1_000_000;
            // The JPA query timeout hint: pgjdbc cancels the statement from the client side.
            start = System.nanoTime();
            Throwable hint = catchThrowable(() -> Tenants.in("slow", () -> emf.runInTransaction(em ->
                    em.createNativeQuery("select pg_sleep(30)").setHint("jakarta.persistence.query.timeout", 1000)
                            .getSingleResult())));
            long hintMillis = (System.nanoTime() - start) / 1_000_000;

            record After(int pid, String statementTimeout, long users) {
            }
            After after = Tenants.in("slow", () -> emf.callInTransaction(em -> new After(backendPid(em),
                    (String) em.createNativeQuery("show statement_timeout").getSingleResult(), new Users(em).count())));
            System.out.println("[reliability] statement timeout: SET LOCAL statement_timeout failed after " + setLocalMillis
                    + " ms with SQLState " + Faults.sqlStates(setLocal) + ", the query timeout hint after " + hintMillis
                    + " ms with SQLState " + Faults.sqlStates(hint) + "; the same connection then showed statement_timeout="
                    + after.statementTimeout() + " (server default " + serverDefault + ")");

            assertThat(Faults.sqlStates(setLocal)).as(Faults.messages(setLocal)).contains("57014");
            assertThat(Faults.messages(setLocal)).contains("statement timeout");
            assertThat(Faults.sqlStates(hint)).as(Faults.messages(hint)).contains("57014");
            assertThat(setLocalMillis).isLessThan(10_000);
            assertThat(hintMillis).isLessThan(10_000);
            assertThat(after.pid()).as("the same pooled connection").isEqualTo(pid);
            assertThat(after.statementTimeout()).as("nothing carried over").isEqualTo(serverDefault);
            assertThat(after.users()).as("the timed-out transaction was rolled back").isZero();
        }
    }

    @Test
    void aTenantSchemaDroppedWhileInUseFailsThatTenantClearlyAndLeavesTheOthersAlone(TestDatabase db) throws Exception {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(4).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            tenantry.provisioning().provision("stays");
            tenantry.provisioning().provision("dropped");
            Tenants.in("dropped", () -> emf.runInTransaction(em -> new Users(em).create("one@dropped.example", "dropped")));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong othersCommitted = new AtomicLong();
            AtomicLong othersFailed = new AtomicLong();
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<?> others = threads.submit(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        String email = "n" + n + "@stays.example";
                        try {
                            long count = Tenants.in("stays", () -> emf.callInTransaction(em -> {
                                new Users(em).create(email, "stays");
                                return new Users(em).count();
                            }));
                            if (count != n + 1) {
                                othersFailed.incrementAndGet();
                            }
                            othersCommitted.incrementAndGet();
                        } catch (RuntimeException e) {
                            othersFailed.incrementAndGet();
                        }
                    }
                });
                Faults.await(() -> othersCommitted.get() >= 20, Duration.ofSeconds(30), "the other tenant's work to run");

                long inFlightUsers;
                CompletableFuture<Void> drop;
                // An open transaction of the dropped tenant holds a lock on its table: DROP SCHEMA waits for it.
                try (EntityManager open = emf.createEntityManager(Map.of(HibernateHints.HINT_TENANT_ID, "dropped"))) {
                    open.getTransaction().begin();
                    inFlightUsers = new Users(open).count();
                    drop = CompletableFuture.runAsync(() -> db.execute("drop schema dropped cascade"), threads);
                    Faults.await(() -> !db.column("select pid from pg_stat_activity where datname = current_database()"
                            + " and wait_event_type = 'Lock' and query like 'drop schema dropped%'").isEmpty(), Duration.ofSeconds(10), "DROP SCHEMA to wait");
                    new Users(open).create("two@dropped.example", "dropped");
                    open.getTransaction().commit();
                }
                drop.get(30, TimeUnit.SECONDS);

                Throwable afterDrop = catchThrowable(() -> Tenants.in("dropped",
                        () -> emf.callInTransaction(em -> new Users(em).count())));
                long committedMeanwhile = othersCommitted.get();
                Faults.await(() -> othersCommitted.get() >= committedMeanwhile + 20, Duration.ofSeconds(30),
                        "the other tenant to go on after the drop");
                stop.set(true);
                others.get(30, TimeUnit.SECONDS);

                tenantry.provisioning().provision("dropped");
                long afterReprovision = Tenants.in("dropped", () -> emf.callInTransaction(em -> new Users(em).count()));
                System.out.println("[reliability] schema dropped while in use: the open transaction (" + inFlightUsers
                        + " rows) committed before DROP SCHEMA went through; the next transaction failed with SQLState "
                        + Faults.sqlStates(afterDrop) + " and '" + Faults.chain(afterDrop).get(Faults.chain(afterDrop).size() - 1)
                        .getMessage().replace('\n', ' ') + "'; the other tenant committed " + othersCommitted.get() + " transactions with "
                        + othersFailed.get() + " failures; provisioning the tenant again gave an empty schema ("
                        + afterReprovision + " rows)");

                assertThat(Faults.sqlStates(afterDrop)).as(Faults.messages(afterDrop)).contains("42P01");
                assertThat(Faults.messages(afterDrop)).contains("dropped");
                assertThat(othersFailed.get()).as("the other tenant is unaffected").isZero();
                assertThat(afterReprovision).isZero();
                Set<String> stays = new HashSet<>(db.column("select email from stays.users"));
                assertThat(stays).hasSize((int) othersCommitted.get());
            } finally {
                stop.set(true);
                threads.shutdownNow();
                threads.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
    }
}
