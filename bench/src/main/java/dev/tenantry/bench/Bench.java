package dev.tenantry.bench;

import dev.tenantry.core.TenantryConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code java -jar bench/target/tenantry-bench.jar}: every strategy over the same entities, the same
 * PostgreSQL and the same pool size, every measured connection counted by the {@link RoundTripCounter}.
 *
 * <p>For each tenant count the tenants are provisioned once. The strategies on one shared pool are then
 * started one after the other, each warmed up (one request to every tenant, then both workloads) and the
 * heap it retains measured, and measured side by side: each round runs one short window per strategy for
 * every workload and thread count, in an order rotated from round to round, so that a slow spell of the
 * machine slows them all alike. Pool-per-tenant runs afterwards on its own, with the server's connections
 * to itself, so that where it breaks is its own doing. The report gives the median over rounds.
 */
public final class Bench {

    /**
     * Warm-up passes over every tenant per client thread, by default: a connection settles on a generic plan
     * for a statement at its tenth execution there (pgjdbc prepares the text on the server at its fifth,
     * and PostgreSQL plans a prepared statement afresh for its first five executions), so eleven passes
     * reach the steady state a long-running application is in.
     */
    static final int SWEEPS = 11;

    private final PrintStream out;
    private final PrintStream log;
    private String maxConnections = "?";

    Bench(PrintStream out, PrintStream log) {
        this.out = out;
        this.log = log;
    }

    public static void main(String[] args) {
        // Hibernate logs through jboss-logging: route it to SLF4J (slf4j-simple at warn) before it starts.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        System.exit(new Bench(System.out, System.err).run(args, System.getenv()));
    }

    int run(String[] args, Map<String, String> env) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            log.println("tenantry-bench: " + e.getMessage());
            log.println();
            log.println(BenchOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            out.println(BenchOptions.USAGE);
            return 0;
        }
        if (!options.serverSettings().isEmpty() && !env.getOrDefault(TenantryConfig.DATABASE_URL, "").isBlank()) {
            log.println("tenantry-bench: --server-setting configures the embedded PostgreSQL; with DATABASE_URL, set "
                    + String.join(", ", options.serverSettings().keySet()) + " on that server instead (ALTER SYSTEM)");
            return 2;
        }
        try {
            measure(options, env);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.println("tenantry-bench: interrupted");
            return 1;
        } catch (Exception e) {
            log.println("tenantry-bench failed: " + e);
            e.printStackTrace(log);
            return 1;
        }
    }

    private void measure(BenchOptions options, Map<String, String> env) throws Exception {
        long wallStart = System.nanoTime();
        progress("starting %s", env.getOrDefault("DATABASE_URL", "").isBlank() ? "an embedded PostgreSQL" : "against DATABASE_URL");
        try (BenchServer server = BenchServer.start(env, options.serverSettings());
             RoundTripCounter counter = RoundTripCounter.start(server.host(), server.port())) {
            maxConnections = server.setting("max_connections");
            printHeader(options, server);
            BenchData data = new BenchData(server, options.usersPerTenant(), 2);
            Harness harness = new Harness(counter, 20260501L, options.zipf());
            List<Sample> samples = new ArrayList<>();
            try {
                for (int t = 0; t < options.tenants().size(); t++) {
                    int tenants = options.tenants().get(t);
                    int before = data.provisioned();
                    double secondsBefore = data.provisioningSeconds();
                    data.ensure(tenants);
                    if (data.provisioned() > before) {
                        double seconds = data.provisioningSeconds() - secondsBefore;
                        progress("provisioned and seeded tenants %d to %d in %.1f s (%.3f s per tenant: a copy"
                                + " of the migrated template schema, registry, %d users and sessions)", before + 1, tenants,
                                seconds, seconds / (tenants - before), options.usersPerTenant());
                    }
                    String url = server.countedJdbcUrl(counter)
                            + (options.jdbcProperties().isEmpty() ? "" : "&" + options.jdbcProperties());
                    Run run = new Run(options, server, harness, new Target(url, server.user(),
                            server.password(), options.poolSize(), BenchData.SHARED_SCHEMA, BenchData.tenantIds(tenants),
                            BenchData.singleSchema(tenants), options.spillAfter(), options.lanes()),
                            data.visitors(tenants), tenants, samples);
                    if (t == 0) {
                        run.warmJvm();
                    }
                    List<StrategyName> shared = options.strategies().stream()
                            .filter(name -> name != StrategyName.POOL_PER_TENANT).toList();
                    run.interleaved(shared);
                    if (options.strategies().contains(StrategyName.POOL_PER_TENANT)) {
                        run.interleaved(List.of(StrategyName.POOL_PER_TENANT));
                    }
                }
            } finally {
                if (!server.embedded() && !options.keepSchemas() && data.provisioned() > 0) {
                    progress("dropping the bench's %d schemas and its registry (--keep-schemas keeps them)", data.provisioned());
                    data.dropAll(data.provisioned());
                }
            }
            List<Measurement> results = Measurement.aggregate(samples);
            Report.printTable(results, out);
            out.println();
            out.println("Noise");
            Report.noise(results).forEach(line -> out.println("  " + line));
            out.println();
            out.println("Targets");
            Report.targets(results).forEach(line -> out.println("  " + line));
            out.println();
            if (options.json() != null) {
                Report.write(options.json(), Report.json(results));
                out.println("JSON: " + options.json().toAbsolutePath());
            }
            if (options.markdown() != null) {
                Report.write(options.markdown(), Report.markdown(results));
                out.println("Markdown: " + options.markdown().toAbsolutePath());
            }
            out.printf(Locale.ROOT, "Wall time %.1f s, of which provisioning %.1f s.%n",
                    (System.nanoTime() - wallStart) / 1e9, data.provisioningSeconds());
        }
    }

    /** A started strategy, the heap it retained once warmed up and the server memory its connections hold then. */
    private record Started(Strategy strategy, double heapMb, double serverMb) {
    }

    /** The measurements of one tenant count. */
    private final class Run {

        private final BenchOptions options;
        private final BenchServer server;
        private final Harness harness;
        private final Target target;
        private final List<List<Visitor>> visitors;
        private final int tenants;
        private final List<Sample> samples;
        private final int maxThreads;

        Run(BenchOptions options, BenchServer server, Harness harness, Target target, List<List<Visitor>> visitors,
            int tenants, List<Sample> samples) {
            this.options = options;
            this.server = server;
            this.harness = harness;
            this.target = target;
            this.visitors = visitors;
            this.tenants = tenants;
            this.samples = samples;
            this.maxThreads = options.threads().get(options.threads().size() - 1);
        }

        /** Runs the baseline unmeasured once, so that the first strategy measured does not pay for the JIT compiler alone. */
        void warmJvm() throws Exception {
            server.awaitMeasuredConnectionsClosed(Duration.ofSeconds(10));
            double seconds = Math.max(1.0, 2 * options.warmupSeconds());
            progress("warming up the JVM for %.1f s", 2 * seconds);
            try (Strategy strategy = Strategies.start(StrategyName.BASELINE, target)) {
                for (Workload workload : Workload.values()) {
                    harness.run(strategy, workload, maxThreads, visitors, seconds, 0.01);
                }
            }
        }

        /**
         * Autovacuum's runs on the bench's tables so far, or {@code null} when the server refuses the bench's own
         * connection: pool-per-tenant may hold every connection it allows, and a measurement must not fail for it.
         */
        private BenchServer.Autovacuum autovacuumRuns() {
            try {
                return server.autovacuum(BenchData.SCHEMA_PREFIX);
            } catch (SQLException e) {
                progress("%,d tenants: autovacuum's runs not counted, the server refused the bench's own connection: %s",
                        tenants, e.getMessage());
                return null;
            }
        }

        /**
         * Starts {@code names} one after the other (each warmed up and its heap measured), then measures them
         * side by side: in each round, for each workload and thread count, one window per strategy, in an
         * order rotated from round to round, so that whatever slows the machine for a while slows them all.
         */
        void interleaved(List<StrategyName> names) throws Exception {
            server.awaitMeasuredConnectionsClosed(Duration.ofSeconds(10));
            List<Started> live = new ArrayList<>();
            try {
                for (StrategyName name : names) {
                    Started started = start(name);
                    if (started != null) {
                        live.add(started);
                    }
                }
                double windowWarmup = Math.min(0.1, options.secondsPerWindow() / 4);
                BenchServer.Autovacuum autovacuumBefore = live.isEmpty() ? null : autovacuumRuns();
                long roundsStart = System.nanoTime();
                for (int round = 0; round < options.rounds(); round++) {
                    List<Started> order = rotated(live, round);
                    for (Workload workload : Workload.values()) {
                        for (int threads : options.threads()) {
                            for (Started started : order) {
                                if (!live.contains(started)) {
                                    continue;
                                }
                                Strategy strategy = started.strategy();
                                try {
                                    Harness.Window window = harness.run(strategy, workload, threads, visitors,
                                            windowWarmup, options.secondsPerWindow());
                                    samples.add(new Sample(strategy.name(), workload, tenants, threads, round, window,
                                            started.heapMb(), started.serverMb(), window.poolConnections(), null));
                                    if (options.verbose()) {
                                        progress("%,d tenants, round %d, %s/%d: %-24s %,8.0f/s  p50 %,6.0f µs  p99 %,7.0f µs"
                                                + "  %.2f RT/tx  %.2f SQL texts/tx  CPU µs/tx client %.0f server %.0f (background %.0f)",
                                                tenants, round + 1, workload.key(), threads,
                                                strategy.name().key(), window.opsPerSec(),
                                                Harness.percentile(window.sortedLatencyNanos(), 0.5) / 1e3,
                                                Harness.percentile(window.sortedLatencyNanos(), 0.99) / 1e3,
                                                window.roundTrips() / (double) window.transactions(),
                                                window.sqlTexts() / (double) window.transactions(),
                                                window.microsPerTransaction(window.clientCpuNanos()),
                                                window.microsPerTransaction(window.serverCpuNanos()),
                                                window.microsPerTransaction(window.serverBackgroundCpuNanos()));
                                    }
                                } catch (Harness.WindowFailed e) {
                                    String stage = workload.key() + " with " + threads + " thread" + (threads == 1 ? "" : "s")
                                            + ", round " + (round + 1);
                                    failed(strategy.name(), describe(stage, e, strategy), strategy.poolConnections());
                                    live.remove(started);
                                    strategy.close();
                                }
                            }
                        }
                    }
                    progress("%,d tenants, round %d/%d done", tenants, round + 1, options.rounds());
                }
                BenchServer.Autovacuum autovacuumAfter = autovacuumBefore == null ? null : autovacuumRuns();
                if (autovacuumAfter != null) {
                    BenchServer.Autovacuum autovacuum = autovacuumAfter.since(autovacuumBefore);
                    progress("%,d tenants: during the %.0f s of rounds, autovacuum vacuumed %,d and analysed %,d of the"
                            + " bench's tables (new statistics make every connection re-plan its statements on that table)",
                            tenants, (System.nanoTime() - roundsStart) / 1e9, autovacuum.vacuums(), autovacuum.analyzes());
                }
                for (Started started : live) {
                    progress("%,d tenants: %-24s %s", tenants, started.strategy().name().key(),
                            summary(started.strategy().name()));
                }
            } finally {
                for (Started started : live) {
                    progress("%,d tenants: closing %-24s (%s)", tenants, started.strategy().name().key(),
                            started.strategy().describe());
                    started.strategy().close();
                }
            }
        }

        /**
         * Starts and warms up one strategy: one request to every tenant in turn, then {@code --sweeps} (by default
         * {@value #SWEEPS}) sweeps of both requests over every tenant from every client thread (so that every
         * connection reaches a steady state: statements prepared and on generic plans, caches filled), then both
         * workloads for the warm-up time.
         */
        private Started start(StrategyName name) throws Exception {
            double heapBefore = heapAfterGc();
            Strategy strategy = null;
            String stage = "start";
            try {
                strategy = Strategies.start(name, target);
                if (name.switchesTenants()) {
                    for (int t = 0; t < visitors.size(); t++) {
                        stage = String.format(Locale.ROOT, "warm-up, first request to tenant %d of %d", t + 1,
                                visitors.size());
                        strategy.read(visitors.get(t).get(0));
                    }
                }
                stage = "warm-up";
                harness.sweep(strategy, visitors, maxThreads, options.sweeps());
                for (Workload workload : Workload.values()) {
                    harness.run(strategy, workload, maxThreads, visitors, options.warmupSeconds() / 2, 0.01);
                }
                double heapMb = heapAfterGc() - heapBefore;
                ServerMemory.Reading server = ServerMemory.read(strategy.pools());
                double serverMb = server.mebibytes();
                progress("%,d tenants: started %-24s (heap retained %.1f MiB, server %.1f MiB of which plans %.1f MiB,"
                                + " %.0f statements prepared per connection, %.0f of them not on a generic plan yet, %s)",
                        tenants, name.key(), heapMb, serverMb, server.plans(), server.statements(), server.unsettled(),
                        strategy.describe());
                return new Started(strategy, heapMb, serverMb);
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    throw e;
                }
                failed(name, describe(stage, e, strategy), strategy == null ? -1 : strategy.poolConnections());
                if (strategy != null) {
                    strategy.close();
                }
                return null;
            }
        }

        /** Records a failure for every cell of the strategy not measured yet in this round. */
        private void failed(StrategyName name, String error, int connections) {
            progress("%,d tenants: %-24s FAILED: %s", tenants, name.key(), error);
            for (Workload workload : Workload.values()) {
                for (int threads : options.threads()) {
                    samples.add(new Sample(name, workload, tenants, threads, -1, null, Double.NaN, Double.NaN, connections,
                            error));
                }
            }
        }

        private String summary(StrategyName name) {
            StringBuilder text = new StringBuilder();
            for (Workload workload : Workload.values()) {
                for (int threads : options.threads()) {
                    double[] ops = samples.stream()
                            .filter(s -> s.strategy() == name && s.tenants() == tenants && s.workload() == workload
                                    && s.threads() == threads && !s.failed())
                            .mapToDouble(s -> s.window().opsPerSec()).toArray();
                    Double median = Measurement.median(ops);
                    text.append(String.format(Locale.ROOT, "%s/%d %,.0f/s  ", workload.key(), threads,
                            median == null ? 0 : median));
                }
            }
            return text.toString().strip();
        }
    }

    private String describe(String stage, Exception e, Strategy strategy) {
        Throwable root = e instanceof Harness.WindowFailed && e.getCause() != null ? e.getCause() : e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
        if (message.contains("too many clients")) {
            message += " (max_connections = " + maxConnections + ")";
        }
        return stage + (e instanceof Harness.WindowFailed ? " (" + e.getMessage().split(":", 2)[0] + ")" : "")
                + ": " + message + (strategy == null ? "" : "; " + strategy.describe());
    }

    static <T> List<T> rotated(List<T> items, int by) {
        List<T> order = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            order.add(items.get((i + by) % items.size()));
        }
        return order;
    }

    private static double heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024.0 * 1024.0);
    }

    private void printHeader(BenchOptions options, BenchServer server) throws Exception {
        Runtime runtime = Runtime.getRuntime();
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        out.println("tenantry-bench");
        out.printf(Locale.ROOT, "  machine     %d cores (%s), %.1f GiB memory%n", runtime.availableProcessors(),
                cpuModel(), memory / (1024.0 * 1024 * 1024));
        out.printf(Locale.ROOT, "  JVM         %s %s, max heap %.0f MiB%n", System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), runtime.maxMemory() / (1024.0 * 1024));
        out.printf(Locale.ROOT, "  PostgreSQL  %s, %s, max_connections %s%n", server.setting("server_version"),
                server.description(), maxConnections);
        if (!options.serverSettings().isEmpty()) {
            List<String> settings = new ArrayList<>();
            for (String name : new TreeSet<>(options.serverSettings().keySet())) {
                settings.add(name + " = " + server.setting(name));
            }
            out.println("  PostgreSQL  set by --server-setting: " + String.join(", ", settings));
        }
        out.printf(Locale.ROOT, "  run         tenants %s, threads %s, pool size %d, %d users per tenant, %d round%s"
                        + " of %.2f s windows; per strategy start, %d warm-up sweep%s over every tenant, then %.2f s%n",
                options.tenants(), options.threads(), options.poolSize(), options.usersPerTenant(), options.rounds(),
                options.rounds() == 1 ? "" : "s", options.secondsPerWindow(), options.sweeps(),
                options.sweeps() == 1 ? "" : "s", options.warmupSeconds());
        out.printf(Locale.ROOT, "  lanes       %s, spill-over after %d ms%n", options.lanes() > 0
                        ? options.lanes() + " lanes (--lanes) for the Tenantry strategies with lanes"
                        : "Tenantry's default lanes for the pool size (" + TenantryConfig.defaultLanes(options.poolSize()) + ")",
                options.spillAfter().toMillis());
        out.println(options.zipf() == 0 ? "  tenants     drawn uniformly for each request"
                : String.format(Locale.ROOT, "  tenants     drawn by Zipf's law for each request, exponent %.2f (tenant k-1 in"
                        + " proportion to 1/k^%.2f)", options.zipf(), options.zipf()));
        TenantryConfig perRequest = TenantryConfig.builder().databaseUrl("jdbc:postgresql://localhost/db").perRequest()
                .poolMaxSize(options.poolSize()).build();
        out.printf(Locale.ROOT, "  pgjdbc      Tenantry per request and raw-jdbc: Tenantry's per-request statement cache"
                        + " (%d statements per connection); the others: pgjdbc's default (256)%n", perRequest.statementCache());
        if (!options.jdbcProperties().isEmpty()) {
            out.println("  pgjdbc      " + options.jdbcProperties() + " on every measured connection, over the above");
        }
        out.println("  every measured connection is counted by the round-trip counter (in the driver's socket, no"
                + " relay), for all strategies alike");
        out.flush();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private void progress(String format, Object... args) {
        log.printf(Locale.ROOT, "[bench] " + format + "%n", args);
        log.flush();
    }
}
