package dev.tenantry.tenancy;

import dev.tenantry.core.TenantryException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs one piece of work per tenant, {@code parallelism} at a time, on daemon threads that end with the run.
 * The work records its own outcome; a worker that throws ends the run with that failure.
 */
final class TenantWorkers {

    private TenantWorkers() {
    }

    /**
     * @param run what the run does, such as {@code migrate}: its threads are {@code tenantry-migrate-1}, ...
     * @throws IllegalArgumentException when {@code parallelism} is below 1
     */
    static <T> void forEach(List<T> items, int parallelism, String run, Consumer<T> work) {
        checkParallelism(parallelism);
        if (items.isEmpty()) {
            return;
        }
        if (parallelism == 1 || items.size() == 1) {
            items.forEach(work);
            return;
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(parallelism, items.size()), runnable -> {
            Thread thread = new Thread(runnable, "tenantry-" + run + "-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(workers.submit(() -> work.accept(item)));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TenantryException("Interrupted during a " + run + " run over tenants", e);
        } catch (ExecutionException e) {
            throw new TenantryException("A tenant worker of a " + run + " run failed: " + e.getCause(), e.getCause());
        } finally {
            workers.shutdownNow();
        }
    }

    static void checkParallelism(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
    }
}
