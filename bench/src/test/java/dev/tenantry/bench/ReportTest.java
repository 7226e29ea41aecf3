package dev.tenantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static Harness.Window window(double opsPerSec, long roundTrips, long... latencyNanos) {
        return new Harness.Window(opsPerSec, latencyNanos.clone(), roundTrips, 0, Double.NaN, Double.NaN, Double.NaN, 4);
    }

    private static Sample sample(StrategyName strategy, Workload workload, int round, Harness.Window window) {
        return new Sample(strategy, workload, 100, 4, round, window, 1.5, 12.25, window.poolConnections(), null);
    }

    private static List<Measurement> measurements() {
        List<Sample> samples = new ArrayList<>();
        double[] baseline = {1000, 1200, 1100};
        double[] tenantry = {990, 1000, 1300};
        for (int round = 0; round < 3; round++) {
            samples.add(sample(StrategyName.BASELINE, Workload.READ, round, window(baseline[round], 6, 100_000, 200_000)));
            samples.add(sample(StrategyName.TENANTRY_PER_REQUEST, Workload.READ, round,
                    window(tenantry[round], 6, 100_000, 300_000)));
            samples.add(sample(StrategyName.SEARCH_PATH_PROVIDER, Workload.READ, round, window(500, 10, 400_000, 500_000)));
        }
        samples.add(new Sample(StrategyName.POOL_PER_TENANT, Workload.READ, 100, 4, -1, null, Double.NaN, Double.NaN, 100,
                "warm-up: FATAL: sorry, too many clients already \"quoted\""));
        return Measurement.aggregate(samples);
    }

    @Test
    void aggregatesMediansPooledPercentilesAndExactRoundTrips() {
        List<Measurement> results = measurements();
        Measurement tenantry = results.stream().filter(m -> m.strategy() == StrategyName.TENANTRY_PER_REQUEST)
                .findFirst().orElseThrow();
        assertThat(tenantry.opsPerSec()).isEqualTo(1000.0);
        assertThat(tenantry.ratioToBaseline()).isEqualTo(1000.0 / 1100.0);
        assertThat(tenantry.roundTripsPerTx()).isEqualTo(3.0);
        assertThat(tenantry.p50us()).isEqualTo(100.0);
        assertThat(tenantry.p99us()).isEqualTo(300.0);
        assertThat(tenantry.transactions()).isEqualTo(6);
        assertThat(tenantry.rounds()).isEqualTo(3);
        assertThat(tenantry.opsPerSecQ1()).isEqualTo(995.0);
        assertThat(tenantry.opsPerSecQ3()).isEqualTo(1150.0);
        assertThat(tenantry.heapMb()).isEqualTo(1.5);
        assertThat(tenantry.serverMb()).isEqualTo(12.25);
        Measurement broken = results.stream().filter(m -> m.strategy() == StrategyName.POOL_PER_TENANT)
                .findFirst().orElseThrow();
        assertThat(broken.opsPerSec()).isNull();
        assertThat(broken.ratioToBaseline()).isNull();
        assertThat(broken.poolConnections()).isEqualTo(100);
        assertThat(broken.serverMb()).isNull();
        assertThat(broken.error()).contains("too many clients");
    }

    @Test
    void jsonHasOneObjectPerMeasurementWithTheIssuesKeys() {
        String json = Report.json(measurements());
        assertThat(json).startsWith("[\n").endsWith("]\n");
        Matcher objects = Pattern.compile("\\{[^\\n]*}").matcher(json);
        int count = 0;
        while (objects.find()) {
            String object = objects.group();
            for (String key : List.of("strategy", "workload", "tenants", "threads", "ops_per_sec", "p50_us", "p99_us",
                    "round_trips_per_tx", "ratio_to_baseline")) {
                assertThat(object).contains("\"" + key + "\": ");
            }
            count++;
        }
        assertThat(count).isEqualTo(4);
        assertThat(json).contains("{\"strategy\": \"tenantry-per-request\", \"workload\": \"read\", \"tenants\": 100,"
                + " \"threads\": 4, \"ops_per_sec\": 1000, \"p50_us\": 100, \"p99_us\": 300, \"round_trips_per_tx\": 3,"
                + " \"ratio_to_baseline\": 0.9091");
        assertThat(json).contains("\"heap_mb\": 1.5, \"server_mb\": 12.3, ");
        assertThat(json).contains("\"strategy\": \"pool-per-tenant\", \"workload\": \"read\", \"tenants\": 100,"
                + " \"threads\": 4, \"ops_per_sec\": null");
        assertThat(json).contains("too many clients already \\\"quoted\\\"");
    }

    @Test
    void targetsCompareWithTheBaselineAndThePredictedMargins() {
        List<String> targets = Report.targets(measurements());
        assertThat(String.join("\n", targets))
                .contains("ratio 0.909 (MISSED), round trips 3.000 vs 3.000, extra 0.000 (met)")
                .contains("vs search-path-provider 2.00x (predicted 1.67x, met)")
                .contains("100 tenants: BREAKS: warm-up: FATAL: sorry, too many clients already");
    }

    @Test
    void targetsGiveTheSchemasOwnCostWhereRawJdbcWasMeasuredInOneSchemaToo() {
        assertThat(String.join("\n", Report.targets(measurements()))).doesNotContain("the schemas' own cost");
        List<Sample> samples = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            samples.add(sample(StrategyName.BASELINE, Workload.READ, round, window(1000, 6, 100_000)));
            samples.add(sample(StrategyName.TENANTRY_PER_REQUEST, Workload.READ, round, window(900, 6, 100_000)));
            samples.add(sample(StrategyName.RAW_JDBC, Workload.READ, round, window(1100 + round, 6, 100_000)));
            samples.add(sample(StrategyName.RAW_JDBC_ONE_SCHEMA, Workload.READ, round, window(1250, 6, 100_000)));
        }
        assertThat(String.join("\n", Report.targets(Measurement.aggregate(samples))))
                .contains("read 4 threads: ratio 0.900 (MISSED)")
                .contains("the schemas' own cost, measured without an ORM: raw-jdbc at 0.881 of raw-jdbc-one-schema");
    }

    @Test
    void noiseFlagsTheCellsWhereThePerDeploymentControlStraysMoreThanTenPercent() {
        assertThat(Report.noise(measurements())).containsExactly(
                "no control measured (add tenantry-per-deployment to --strategies to judge the noise)");
        List<Sample> samples = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            samples.add(sample(StrategyName.BASELINE, Workload.READ, round, window(1000, 6, 100_000)));
            samples.add(sample(StrategyName.TENANTRY_PER_DEPLOYMENT, Workload.READ, round, window(720, 6, 100_000)));
            samples.add(sample(StrategyName.BASELINE, Workload.WEB, round, window(1000, 10, 100_000)));
            samples.add(sample(StrategyName.TENANTRY_PER_DEPLOYMENT, Workload.WEB, round, window(960, 10, 100_000)));
        }
        assertThat(Report.noise(Measurement.aggregate(samples))).containsExactly("100 tenants, read, 4 threads: the control"
                + " (tenantry-per-deployment) measured 0.720 of the baseline, more than 10% from 1: this cell's ratios are noise");
        samples.removeIf(sample -> sample.workload() == Workload.READ);
        assertThat(Report.noise(Measurement.aggregate(samples)))
                .containsExactly("the control (tenantry-per-deployment) is within 10% of the baseline in every cell");
    }

    @Test
    void markdownMarksFailures() {
        assertThat(Report.markdown(measurements())).contains("| 100 | read | 4 | **tenantry-per-request** | 1,000 | 995–1,150 | 0.909 |")
                .contains("| pool-per-tenant | failed: warm-up: FATAL: sorry, too many clients already");
    }

    @Test
    void visitorsArePartitionedBetweenThreadsAndSpreadOverTenants() {
        List<List<Visitor>> byTenant = List.of(
                List.of(BenchData.visitor("bench_0000", 0), BenchData.visitor("bench_0000", 1),
                        BenchData.visitor("bench_0000", 2), BenchData.visitor("bench_0000", 3),
                        BenchData.visitor("bench_0000", 4)),
                List.of(BenchData.visitor("bench_0001", 0), BenchData.visitor("bench_0001", 1),
                        BenchData.visitor("bench_0001", 2), BenchData.visitor("bench_0001", 3),
                        BenchData.visitor("bench_0001", 4)));
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        java.util.Set<String> tenants = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            for (int thread = 0; thread < 4; thread++) {
                Visitor visitor = Harness.pick(byTenant, random, thread, 4);
                assertThat(visitor.index() % 4).isEqualTo(thread);
                tenants.add(visitor.tenant());
            }
        }
        assertThat(tenants).containsExactlyInAnyOrder("bench_0000", "bench_0001");
    }

    @Test
    void seededVisitorsAreDeterministic() {
        assertThat(BenchData.visitor("bench_0007", 3)).isEqualTo(BenchData.visitor("bench_0007", 3));
        assertThat(BenchData.visitor("bench_0007", 3).email()).isEqualTo("user3@bench_0007.example");
        assertThat(BenchData.tenantIds(3)).containsExactly("bench_0000", "bench_0001", "bench_0002");
    }
}
