package dev.tenantry.bench;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one measurement window: {@code threads} client threads send requests back to back, each to a
 * tenant chosen at random, first for a warm-up, then, after all threads have stopped and the round-trip
 * counter has been read, for the measured time. Every transaction's latency is recorded; the counter is
 * read again once every thread has finished, so round trips per transaction are exact.
 */
final class Harness {

    /** What one window measured. */
    record Window(double opsPerSec, long[] sortedLatencyNanos, long roundTrips, long sqlTexts, double clientCpuNanos,
                  double serverCpuNanos, double serverBackgroundCpuNanos, int poolConnections) {

        long transactions() {
            return sortedLatencyNanos.length;
        }

        /** {@code nanos} spent over the window, as microseconds per transaction. */
        double microsPerTransaction(double nanos) {
            return nanos / 1e3 / transactions();
        }
    }

    /** A request failed; the window stops at the first failure. */
    static final class WindowFailed extends Exception {
        private static final long serialVersionUID = 1L;

        WindowFailed(String stage, Throwable cause) {
            super(stage + ": " + cause, cause);
        }
    }

    private static final AtomicInteger THREAD_NUMBERS = new AtomicInteger();

    private final RoundTripCounter counter;
    private final long seed;
    private final TenantDraw draw;

    Harness(RoundTripCounter counter, long seed) {
        this(counter, seed, 0);
    }

    /** @param zipf the exponent of the tenants' popularity (see {@link TenantDraw}); 0 for uniform */
    Harness(RoundTripCounter counter, long seed, double zipf) {
        this.counter = counter;
        this.seed = seed;
        this.draw = new TenantDraw(zipf);
    }

    /**
     * Draws a tenant's index, uniformly or, with a positive exponent S, by Zipf's law: index {@code k - 1} in
     * proportion to {@code 1 / k^S}. The cumulative weights of the last tenant count asked for are kept.
     */
    static final class TenantDraw {

        private final double exponent;
        private volatile double[] cumulative = new double[0];

        TenantDraw(double exponent) {
            this.exponent = exponent;
        }

        int next(int tenants, SplittableRandom random) {
            if (exponent == 0 || tenants == 1) {
                return random.nextInt(tenants);
            }
            double[] weights = cumulative;
            if (weights.length != tenants) {
                weights = new double[tenants];
                double sum = 0;
                for (int k = 0; k < tenants; k++) {
                    sum += 1 / Math.pow(k + 1, exponent);
                    weights[k] = sum;
                }
                cumulative = weights;
            }
            int found = Arrays.binarySearch(weights, random.nextDouble() * weights[tenants - 1]);
            return Math.min(found >= 0 ? found : -found - 1, tenants - 1);
        }
    }

    private Visitor pickDrawn(List<List<Visitor>> byTenant, SplittableRandom random, int thread, int threads) {
        return pickUser(byTenant.get(draw.next(byTenant.size(), random)), random, thread, threads);
    }

    /**
     * Chooses visitors so that tenants are random per request, while no two threads ever touch the same
     * user: thread {@code i} of {@code n} takes the users whose number is {@code i} modulo {@code n}, so
     * concurrent web requests never conflict on one session's optimistic lock. Every strategy gets the same
     * visitors; those without tenants find them in their one schema, which holds every tenant's rows.
     */
    static Visitor pick(List<List<Visitor>> byTenant, SplittableRandom random, int thread, int threads) {
        return pickUser(byTenant.get(random.nextInt(byTenant.size())), random, thread, threads);
    }

    /** One of thread {@code thread}'s users among one tenant's {@code visitors}. */
    static Visitor pickUser(List<Visitor> visitors, SplittableRandom random, int thread, int threads) {
        int mine = (visitors.size() - thread + threads - 1) / threads;
        return visitors.get(random.nextInt(mine) * threads + thread);
    }

    Window run(Strategy strategy, Workload workload, int threads, List<List<Visitor>> byTenant, double warmSeconds,
               double measureSeconds) throws WindowFailed, InterruptedException {
        CountDownLatch warmed = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long warmEnd = System.nanoTime() + (long) (warmSeconds * 1e9);
        long[] measureEnd = new long[1];
        ExecutorService workers = clients(threads, "bench-client-" + strategy.name().key() + "-");
        try {
            Future<?>[] jobs = new Future<?>[threads];
            long[][] latencies = new long[threads][];
            for (int t = 0; t < threads; t++) {
                int thread = t;
                jobs[t] = workers.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed * 31 + thread);
                    try {
                        while (failure.get() == null && System.nanoTime() < warmEnd) {
                            strategy.run(workload, pickDrawn(byTenant, random, thread, threads));
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        warmed.countDown();
                    }
                    go.await();
                    long end;
                    synchronized (measureEnd) {
                        end = measureEnd[0];
                    }
                    long[] recorded = new long[4096];
                    int count = 0;
                    try {
                        while (failure.get() == null) {
                            Visitor visitor = pickDrawn(byTenant, random, thread, threads);
                            long start = System.nanoTime();
                            if (start >= end) {
                                break;
                            }
                            strategy.run(workload, visitor);
                            if (count == recorded.length) {
                                recorded = Arrays.copyOf(recorded, count * 2);
                            }
                            recorded[count++] = System.nanoTime() - start;
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                    latencies[thread] = Arrays.copyOf(recorded, count);
                    return null;
                });
            }
            warmed.await();
            long roundTripsBefore = counter.roundTrips();
            long sqlTextsBefore = counter.sqlMessages();
            double clientCpuBefore = CpuMeter.clientNanos();
            CpuMeter.Server serverCpuBefore = CpuMeter.server();
            long start = System.nanoTime();
            synchronized (measureEnd) {
                measureEnd[0] = failure.get() != null ? start : start + (long) (measureSeconds * 1e9);
            }
            go.countDown();
            for (Future<?> job : jobs) {
                try {
                    job.get();
                } catch (ExecutionException e) {
                    failure.compareAndSet(null, e.getCause());
                }
            }
            long elapsed = System.nanoTime() - start;
            long roundTrips = counter.roundTrips() - roundTripsBefore;
            long sqlTexts = counter.sqlMessages() - sqlTextsBefore;
            double clientCpu = CpuMeter.clientNanos() - clientCpuBefore;
            CpuMeter.Server serverCpu = CpuMeter.server().minus(serverCpuBefore);
            if (failure.get() != null) {
                throw new WindowFailed(workload.key() + " with " + threads + " threads", failure.get());
            }
            long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).toArray();
            Arrays.sort(all);
            return new Window(all.length / (elapsed / 1e9), all, roundTrips, sqlTexts, clientCpu, serverCpu.nanos(),
                    serverCpu.backgroundNanos(), strategy.poolConnections());
        } finally {
            workers.shutdownNow();
        }
    }

    /**
     * Warms every connection a strategy will use: {@code threads} client threads (each of which HikariCP keeps
     * giving the same connection) each send, {@code passes} times over, one read and one web request to every
     * tenant, for its own users. After 10 passes every connection has run every tenant's statements as often
     * as it takes to reach a generic plan (see {@link Bench#SWEEPS}).
     */
    void sweep(Strategy strategy, List<List<Visitor>> byTenant, int threads, int passes)
            throws WindowFailed, InterruptedException {
        ExecutorService workers = clients(threads, "bench-sweep-" + strategy.name().key() + "-");
        try {
            List<Future<?>> jobs = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                jobs.add(workers.submit(() -> {
                    for (int pass = 0; pass < passes; pass++) {
                        for (List<Visitor> visitors : byTenant) {
                            Visitor visitor = visitors.get(thread % visitors.size());
                            strategy.read(visitor);
                            strategy.web(visitor);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                try {
                    job.get();
                } catch (ExecutionException e) {
                    throw new WindowFailed("warm-up sweep with " + threads + " threads", e.getCause());
                }
            }
        } finally {
            workers.shutdownNow();
        }
    }

    /** A pool of {@code threads} daemon client threads, named {@code prefix} and a number. */
    private static ExecutorService clients(int threads, String prefix) {
        return Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, prefix + THREAD_NUMBERS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The nearest-rank percentile of sorted values; NaN for none. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
