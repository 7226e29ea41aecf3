package dev.tenantry.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * One row of the results: the medians over the rounds of one strategy, workload, tenant count and thread
 * count, with its throughput as a ratio of the baseline's in the same run. Null numbers mean not measured,
 * and then {@link #error()} says why.
 */
record Measurement(StrategyName strategy, Workload workload, int tenants, int threads, Double opsPerSec, Double p50us,
                   Double p99us, Double roundTripsPerTx, Double ratioToBaseline, Integer poolConnections, Double heapMb,
                   Double serverMb, Double clientCpuUs, Double serverCpuUs, int rounds, long transactions,
                   Double opsPerSecQ1, Double opsPerSecQ3, String error) {

    /**
     * Throughput: the median over rounds. Latency percentiles: over every measured transaction of all rounds.
     * Round trips per transaction: all counted over all measured transactions. CPU per transaction, of the client
     * JVM and of the local PostgreSQL processes: the median over rounds.
     */
    static List<Measurement> aggregate(List<Sample> samples) {
        Map<List<Object>, List<Sample>> cells = new LinkedHashMap<>();
        for (Sample sample : samples) {
            cells.computeIfAbsent(List.of(sample.strategy(), sample.workload(), sample.tenants(), sample.threads()),
                    key -> new ArrayList<>()).add(sample);
        }
        List<Measurement> partial = new ArrayList<>();
        for (List<Sample> cell : cells.values()) {
            partial.add(of(cell));
        }
        List<Measurement> result = new ArrayList<>();
        for (Measurement measurement : partial) {
            Double ratio = null;
            if (measurement.opsPerSec() != null) {
                for (Measurement baseline : partial) {
                    if (baseline.strategy() == StrategyName.BASELINE && baseline.workload() == measurement.workload()
                            && baseline.tenants() == measurement.tenants() && baseline.threads() == measurement.threads()
                            && baseline.opsPerSec() != null) {
                        ratio = measurement.opsPerSec() / baseline.opsPerSec();
                    }
                }
            }
            result.add(measurement.withRatio(ratio));
        }
        result.sort(Comparator.comparingInt(Measurement::tenants)
                .thenComparing(Measurement::workload)
                .thenComparingInt(Measurement::threads)
                .thenComparing(Measurement::strategy));
        return result;
    }

    private static Measurement of(List<Sample> cell) {
        Sample first = cell.get(0);
        List<Sample> ok = cell.stream().filter(sample -> !sample.failed()).toList();
        String error = cell.stream().map(Sample::error).filter(Objects::nonNull).findFirst().orElse(null);
        if (error != null) {
            // A strategy that failed in any round is reported as failed: a figure from the rounds that
            // happened to get through would hide the failure.
            return new Measurement(first.strategy(), first.workload(), first.tenants(), first.threads(), null, null,
                    null, null, null, maxConnections(cell), null, null, null, null, ok.size(), 0, null, null, error);
        }
        long transactions = ok.stream().mapToLong(sample -> sample.window().transactions()).sum();
        long roundTrips = ok.stream().mapToLong(sample -> sample.window().roundTrips()).sum();
        long[] latencies = ok.stream().flatMapToLong(sample -> Arrays.stream(sample.window().sortedLatencyNanos()))
                .sorted().toArray();
        double[] ops = ok.stream().mapToDouble(sample -> sample.window().opsPerSec()).toArray();
        return new Measurement(first.strategy(), first.workload(), first.tenants(), first.threads(),
                median(ops),
                microseconds(Harness.percentile(latencies, 0.50)),
                microseconds(Harness.percentile(latencies, 0.99)),
                transactions == 0 ? null : roundTrips / (double) transactions,
                null, maxConnections(ok),
                median(ok.stream().mapToDouble(Sample::heapMb).filter(heap -> !Double.isNaN(heap)).toArray()),
                median(ok.stream().mapToDouble(Sample::serverMb).filter(mb -> !Double.isNaN(mb)).toArray()),
                medianPerTransaction(ok, Harness.Window::clientCpuNanos),
                medianPerTransaction(ok, Harness.Window::serverCpuNanos),
                ok.size(), transactions, quantile(ops, 0.25), quantile(ops, 0.75), null);
    }

    /** The median over rounds of a window's {@code nanos}, as microseconds per transaction; null when never known. */
    private static Double medianPerTransaction(List<Sample> ok, ToDoubleFunction<Harness.Window> nanos) {
        return median(ok.stream().mapToDouble(sample -> sample.window().microsPerTransaction(nanos.applyAsDouble(sample.window())))
                .filter(Double::isFinite).toArray());
    }

    private static Integer maxConnections(List<Sample> samples) {
        return samples.stream().mapToInt(Sample::poolConnections).filter(connections -> connections >= 0).boxed()
                .max(Integer::compare).orElse(null);
    }

    private static Double microseconds(double nanos) {
        return Double.isNaN(nanos) ? null : nanos / 1e3;
    }

    static Double median(double[] values) {
        if (values.length == 0) {
            return null;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** The {@code q} quantile of the values, interpolated linearly between ranks; null for none. */
    static Double quantile(double[] values, double q) {
        if (values.length == 0) {
            return null;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    Measurement withRatio(Double ratio) {
        return new Measurement(strategy, workload, tenants, threads, opsPerSec, p50us, p99us, roundTripsPerTx, ratio,
                poolConnections, heapMb, serverMb, clientCpuUs, serverCpuUs, rounds, transactions, opsPerSecQ1, opsPerSecQ3,
                error);
    }
}
