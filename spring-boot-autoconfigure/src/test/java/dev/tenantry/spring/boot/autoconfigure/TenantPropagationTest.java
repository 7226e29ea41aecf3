package dev.tenantry.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.tenancy.Tenants;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The caller's tenant reaches work on other threads, and nothing stays behind on those threads. */
class TenantPropagationTest {

    private final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void theTaskDecoratorCarriesTheSubmittersTenantAndLeavesThePooledThreadClean() throws Exception {
        TenantTaskDecorator decorator = new TenantTaskDecorator();
        AtomicReference<String> seen = new AtomicReference<>();

        Runnable task = Tenants.in("acme", () -> decorator.decorate(() -> seen.set(Tenants.currentOrNull())));
        pool.submit(task).get();
        Future<String> after = pool.submit(Tenants::currentOrNull);

        assertThat(seen.get()).isEqualTo("acme");
        assertThat(after.get()).as("the pooled thread's next task").isNull();
    }

    @Test
    void aTaskSubmittedWithNoTenantRunsWithNone() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>("unset");
        pool.submit(new TenantTaskDecorator().decorate(() -> seen.set(Tenants.currentOrNull()))).get();
        assertThat(seen.get()).isNull();
    }

    @Test
    void theAccessorIsRegisteredAndASnapshotCarriesTheTenant() throws Exception {
        assertThat(ContextRegistry.getInstance().getThreadLocalAccessors())
                .anyMatch(accessor -> accessor instanceof TenantThreadLocalAccessor);
        ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();
        ContextSnapshot captured = Tenants.in("globex", () -> snapshots.captureAll());
        AtomicReference<String> seen = new AtomicReference<>();

        pool.submit(captured.wrap(() -> seen.set(Tenants.currentOrNull()))).get();

        assertThat(seen.get()).isEqualTo("globex");
        assertThat(pool.submit(Tenants::currentOrNull).get()).isNull();
    }

    @Test
    void snapshotsNestAndRestoreInOrder() {
        ContextSnapshotFactory snapshots = ContextSnapshotFactory.builder().build();
        ContextSnapshot outer = Tenants.in("outer_t", () -> snapshots.captureAll());
        ContextSnapshot none = snapshots.captureAll();

        try (ContextSnapshot.Scope a = outer.setThreadLocals()) {
            assertThat(Tenants.currentOrNull()).isEqualTo("outer_t");
            try (ContextSnapshot.Scope b = none.setThreadLocals()) {
                assertThat(Tenants.currentOrNull()).as("a captured 'no tenant' leaves the thread's").isEqualTo("outer_t");
            }
            assertThat(Tenants.currentOrNull()).isEqualTo("outer_t");
        }
        assertThat(Tenants.currentOrNull()).isNull();
    }
}
