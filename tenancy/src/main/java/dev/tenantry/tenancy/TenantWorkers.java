package dev.tenantry.tenancy;

import dev.tenantry.core.TenantryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one piece of work per tenant, {@code parallelism} at a time, on daemon threads that end with the run. Each
 * thread has a {@link Worker} of its own, which may hold what its tenants share (a connection) until the run ends.
 * The work records its own outcome; a worker that throws ends the run with that failure.
 */
final class TenantWorkers {

    /** The work of one thread: called for its tenants one after another, then closed. */
    interface Worker<T> extends AutoCloseable {

        void accept(T item);

        @Override
        default void close() {
        }
    }

    private TenantWorkers() {
    }

    /**
     * @param run what the run does, such as {@code migrate}: its threads are {@code tenantry-migrate-1}, ...
     * @throws IllegalArgumentException when {@code parallelism} is below 1
     */
    static <T> void forEach(List<T> items, int parallelism, String run, Consumer<T> work) {
        forEach(items, parallelism, run, () -> work::accept);
    }

    /** As {@link #forEach(List, int, String, Consumer)}, with a worker of its own for each thread. */
    static <T> void forEach(List<T> items, int parallelism, String run, Supplier<Worker<T>> workers) {
        checkParallelism(parallelism);
        if (items.isEmpty()) {
            return;
        }
        Queue<T> queue = new ConcurrentLinkedQueue<>(items);
        Runnable drain = () -> {
            try (Worker<T> worker = workers.get()) {
                for (T item = queue.poll(); item != null; item = queue.poll()) {
                    worker.accept(item);
                }
            }
        };
        int threads = Math.min(parallelism, items.size());
        if (threads == 1) {
            drain.run();
            return;
        }
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "tenantry-" + run + "-" + threadNumber.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(drain));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TenantryException("Interrupted during a " + run + " run over tenants", e);
        } catch (ExecutionException e) {
            queue.clear();
            throw new TenantryException("A tenant worker of a " + run + " run failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    static void checkParallelism(int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
        }
    }
}
