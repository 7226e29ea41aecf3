package dev.tenantry.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tenantry.core.NoTenantInScopeException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tenant scope belongs to the thread that opened it: it does not follow into the next task of a
 * reused pool thread, nor into threads, virtual threads or {@code CompletableFuture} work started inside
 * it. Work that runs there without a hand-over sees no tenant, and its database access is refused with
 * {@link NoTenantInScopeException}; handed over with {@code Tenants.wrap} / {@code wrapCurrent} (or by
 * passing the id and opening a scope there), it runs in the tenant it was given.
 */
@WithPostgres
class TenantContextLeakTest {

    private static final int ROUNDS = 100;

    private static TenantryPersistence tenantry;
    private static EntityManagerFactory emf;
    private static final LongAdder CHECKS = new LongAdder();

    @BeforeAll
    static void start(TestDatabase db) {
        tenantry = Tenantry.start(db.config().perRequest().build());
        emf = tenantry.entityManagerFactory();
        tenantry.provisioning().provision("ctx_a");
        tenantry.provisioning().provision("ctx_b");
        tenantry.provisioning().provision("ctx_pool_a");
        tenantry.provisioning().provision("ctx_pool_b");
    }

    @AfterAll
    static void stop() {
        tenantry.close();
        System.out.println("[reliability] context hand-over: " + CHECKS.sum() + " checks of what a task on another or"
                + " reused thread sees (pool thread reuse, failing tasks, new threads, CompletableFuture, virtual threads);"
                + " leaks found 0");
    }

    /** What a task saw: its thread, the tenant in scope there, and what its database access did. */
    private record Seen(Thread thread, Optional<String> tenant, Throwable databaseRefusal) {
    }

    private static Seen look() {
        Throwable refusal = catchThrowable(() -> emf.callInTransaction(em -> new Users(em).count()));
        return new Seen(Thread.currentThread(), Tenants.current(), refusal);
    }

    private static void assertNoTenant(Seen seen, String where) {
        CHECKS.increment();
        assertThat(seen.tenant()).as("tenant seen %s", where).isEmpty();
        assertThat(Faults.find(seen.databaseRefusal(), NoTenantInScopeException.class))
                .as("database work %s is refused, got %s", where, seen.databaseRefusal()).isNotNull();
    }

    private static long users(String tenant) {
        return Tenants.in(tenant, () -> emf.callInTransaction(em -> new Users(em).count()));
    }

    @Test
    void aScopeDoesNotFollowIntoTheNextTaskOfAReusedPoolThreadWhetherTheTaskEndedWellOrThrew() throws Exception {
        ExecutorService oneThread = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String tenant = round % 2 == 0 ? "ctx_pool_a" : "ctx_pool_b";
                boolean throwing = round % 4 >= 2;
                String email = "r" + round + "@" + tenant + ".example";
                Future<?> first = oneThread.submit(() -> Tenants.in(tenant, () -> {
                    emf.runInTransaction(em -> new Users(em).create(email, tenant));
                    if (throwing) {
                        throw new IllegalStateException("the task fails inside its scope, after its transaction");
                    }
                }));
                Throwable failed = catchThrowable(first::get);
                if (throwing) {
                    assertThat(failed).isInstanceOf(ExecutionException.class);
                } else {
                    assertThat(failed).isNull();
                }

                Seen next = oneThread.submit(TenantContextLeakTest::look).get(30, TimeUnit.SECONDS);
                assertNoTenant(next, "in the next task on the reused thread (round " + round + ")");
            }
        } finally {
            oneThread.shutdownNow();
        }
        assertThat(users("ctx_pool_a")).isEqualTo(ROUNDS / 2);
        assertThat(users("ctx_pool_b")).isEqualTo(ROUNDS / 2);
    }

    @Test
    void newThreadsAndCompletableFuturesStartedInsideAScopeSeeNoTenantUnlessHandedOver() throws Exception {
        long before = users("ctx_b");
        ExecutorService oneThread = Executors.newSingleThreadExecutor();
        try {
            Tenants.in("ctx_b", () -> {
                try {
                    // A new platform thread does not inherit the scope.
                    AtomicReference<Seen> inThread = new AtomicReference<>();
                    Thread thread = new Thread(() -> inThread.set(look()));
                    thread.start();
                    thread.join(TimeUnit.SECONDS.toMillis(30));
                    assertNoTenant(inThread.get(), "in a new thread");

                    // CompletableFuture work on the common pool, and on an executor, does not either.
                    assertNoTenant(CompletableFuture.supplyAsync(TenantContextLeakTest::look).get(30, TimeUnit.SECONDS),
                            "in supplyAsync");
                    assertNoTenant(CompletableFuture.supplyAsync(TenantContextLeakTest::look, oneThread).get(30, TimeUnit.SECONDS),
                            "in supplyAsync on an executor");
                    assertNoTenant(CompletableFuture.completedFuture("x")
                                    .thenApplyAsync(x -> look(), oneThread).get(30, TimeUnit.SECONDS),
                            "in a thenApplyAsync stage");

                    // Handed over: Tenants.wrapCurrent for a Runnable ...
                    AtomicReference<Optional<String>> wrapped = new AtomicReference<>();
                    CompletableFuture.runAsync(Tenants.wrapCurrent(() -> {
                        wrapped.set(Tenants.current());
                        emf.runInTransaction(em -> new Users(em).create("wrapped@ctx_b.example", "ctx_b"));
                    }), oneThread).get(30, TimeUnit.SECONDS);
                    CHECKS.increment();
                    assertThat(wrapped.get()).contains("ctx_b");

                    // ... and the id passed on, with a scope opened where the work runs, for a Supplier.
                    String tenant = Tenants.current().orElseThrow();
                    long counted = CompletableFuture.supplyAsync(() -> Tenants.in(tenant,
                            () -> emf.callInTransaction(em -> new Users(em).count())), oneThread).get(30, TimeUnit.SECONDS);
                    CHECKS.increment();
                    assertThat(counted).isEqualTo(before + 1);

                    // The pool thread that ran the handed-over work is clean for the next task.
                    assertNoTenant(CompletableFuture.supplyAsync(TenantContextLeakTest::look, oneThread).get(30, TimeUnit.SECONDS),
                            "in the next task after a handed-over one");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new AssertionError(e);
                }
            });
        } finally {
            oneThread.shutdownNow();
        }
        assertThat(users("ctx_b")).isEqualTo(before + 1);
    }

    @Test
    void virtualThreadsStartedInsideAScopeSeeNoTenantUnlessHandedOver() throws Exception {
        int feature = Runtime.version().feature();
        org.junit.jupiter.api.Assumptions.assumeTrue(feature >= 21,
                "virtual threads need JDK 21 or newer; this JVM is " + Runtime.version()
                        + " (CI's JDK 25 build runs this test)");
        // The build targets Java 17, so the JDK 21 API is reached by reflection.
        ExecutorService virtual = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        long before = users("ctx_a");
        try {
            Tenants.in("ctx_a", () -> {
                try {
                    Seen seen = virtual.submit(TenantContextLeakTest::look).get(30, TimeUnit.SECONDS);
                    assertThat((Boolean) Thread.class.getMethod("isVirtual").invoke(seen.thread())).isTrue();
                    assertNoTenant(seen, "in a virtual thread");

                    AtomicReference<Optional<String>> wrapped = new AtomicReference<>();
                    virtual.submit(Tenants.wrap("ctx_a", () -> {
                        wrapped.set(Tenants.current());
                        emf.runInTransaction(em -> new Users(em).create("virtual@ctx_a.example", "ctx_a"));
                    })).get(30, TimeUnit.SECONDS);
                    CHECKS.increment();
                    assertThat(wrapped.get()).contains("ctx_a");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        } finally {
            virtual.shutdownNow();
        }
        assertThat(users("ctx_a")).isEqualTo(before + 1);
    }
}
