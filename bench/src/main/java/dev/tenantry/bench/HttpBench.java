package dev.tenantry.bench;

import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.entities.Tenantry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * HTTP throughput of the Spring Boot sample ({@code examples/spring-boot-todo}) per request, against the same app on
 * one schema without Tenantry, in the same run on the same server: two instances of the sample's executable jar,
 * one with Tenantry per request over {@code --tenants} tenants (the {@code X-Tenant-Id} header, the tenant filter,
 * Tenantry's pool), one with {@code tenantry.enabled=false}, Boot's own HikariCP pool of the same size, and every
 * table in one schema. Both serve the same requests: 80% a page of todos, 20% a new todo, each also touching the
 * visitor's anonymous session. Each round measures the baseline twice and Tenantry's app once, in an order that
 * rotates from round to round, so that the control (baseline against itself) shows the noise. Besides requests per
 * second, which a machine loaded by other work decides as much as the apps do, each window measures what a request
 * costs, which such load slows down but barely inflates: CPU time of the app's process and of its Java threads alone
 * (no JIT compiler, no garbage collector), bytes allocated, CPU time of its PostgreSQL backends (local server only),
 * and round trips, counted by a relay that both apps' connections go through. Run from the repository root after
 * {@code ./mvnw -q package -DskipTests}:
 *
 * <pre>java -cp bench/target/tenantry-bench.jar dev.tenantry.bench.HttpBench [--clients 8] [--tenants 20] [--rounds 5] [--window 5]</pre>
 */
public final class HttpBench {

    private record Options(Path app, Path appMigrations, int clients, int tenants, int rounds, Duration window,
                           Duration warmup, int pool) {

        static Options parse(String[] args) {
            Map<String, String> given = new HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) {
                    throw new IllegalArgumentException("Unexpected argument " + args[i] + "; options are --name value");
                }
                given.put(args[i].substring(2), args[i + 1]);
            }
            if (args.length % 2 != 0) {
                throw new IllegalArgumentException("Option " + args[args.length - 1] + " has no value");
            }
            return new Options(Path.of(given.getOrDefault("app", "examples/spring-boot-todo/target/tenantry-todo.jar")),
                    Path.of(given.getOrDefault("app-migrations", "examples/spring-boot-todo/src/main/resources/db/todo")),
                    Integer.parseInt(given.getOrDefault("clients", "8")), Integer.parseInt(given.getOrDefault("tenants", "20")),
                    Integer.parseInt(given.getOrDefault("rounds", "5")),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("window", "5"))),
                    Duration.ofSeconds(Long.parseLong(given.getOrDefault("warmup", "20"))),
                    Integer.parseInt(given.getOrDefault("pool", "10")));
        }
    }

    /** One running instance of the sample and what the load needs to know about it. */
    private record App(String name, Process process, String base, List<String> tenants, String applicationName,
                       RoundTripCounter.Relay relay, ProcessMeter meter) implements AutoCloseable {

        @Override
        public void close() {
            try {
                if (meter != null) {
                    meter.close();
                }
            } catch (IOException e) {
                // the app is going anyway
            }
            process.destroy();
            try {
                if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
            relay.close();
        }
    }

    /**
     * What an app has spent so far: requests answered, CPU time of its process, bytes its threads allocated, CPU
     * time of its PostgreSQL backends (NaN when the server is not local), and round trips to the server.
     */
    private record Usage(long requests, long appCpuNanos, long threadCpuNanos, long allocatedBytes, double backendCpuNanos,
                         long roundTrips) {
    }

    /** Per request over a window: the figures that a loaded machine slows down but does not inflate. */
    private record Window(double requestsPerSecond, double appCpuMicros, double threadCpuMicros, double allocatedKiB,
                          double backendCpuMicros, double roundTrips) {

        static Window of(double seconds, Usage start, Usage end) {
            double requests = Math.max(1, end.requests() - start.requests());
            return new Window(requests / seconds, (end.appCpuNanos() - start.appCpuNanos()) / requests / 1e3,
                    (end.threadCpuNanos() - start.threadCpuNanos()) / requests / 1e3,
                    (end.allocatedBytes() - start.allocatedBytes()) / requests / 1024,
                    (end.backendCpuNanos() - start.backendCpuNanos()) / requests / 1e3,
                    (end.roundTrips() - start.roundTrips()) / requests);
        }

        double get(int measure) {
            return switch (measure) {
                case 0 -> requestsPerSecond;
                case 1 -> appCpuMicros;
                case 2 -> threadCpuMicros;
                case 3 -> backendCpuMicros;
                case 4 -> allocatedKiB;
                default -> roundTrips;
            };
        }
    }

    private static final String[] MEASURES = {"req/s", "app CPU us/req", "app threads CPU us/req", "backend CPU us/req",
            "allocated KiB/req", "round trips/req"};

    private final Options options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private HttpBench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        if (!Files.isRegularFile(options.app())) {
            System.err.println("No sample jar at " + options.app() + ": run ./mvnw -q package -DskipTests first");
            System.exit(2);
        }
        new HttpBench(options).run();
    }

    private void run() throws Exception {
        try (BenchServer server = BenchServer.start(System.getenv(), Map.of())) {
            System.out.printf("HTTP bench: %s, %d clients, %d tenants, pool %d, %d rounds of %d s windows, JDK %s, %d CPUs%n",
                    server.description(), options.clients(), options.tenants(), options.pool(), options.rounds(),
                    options.window().toSeconds(), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
            prepareBaselineSchema(server);
            List<String> tenants = new ArrayList<>();
            for (int i = 1; i <= options.tenants(); i++) {
                tenants.add(String.format("t%03d", i));
            }
            try (App tenantry = start(server, "tenantry", tenants, List.of(
                    "--tenantry.mode=per-request", "--tenantry.pool.max-size=" + options.pool(),
                    "--tenantry.pool.min-idle=" + options.pool(), "--tenantry.provision-on-start=" + String.join(",", tenants)), "");
                 App baseline = start(server, "baseline", List.of(), List.of(
                         "--tenantry.enabled=false",
                         "--spring.datasource.hikari.maximum-pool-size=" + options.pool(),
                         "--spring.datasource.hikari.minimum-idle=" + options.pool()), "&currentSchema=tenant")) {
                System.out.println("warming up both apps (" + options.warmup().toSeconds() + " s each)");
                load(tenantry, options.warmup(), server);
                load(baseline, options.warmup(), server);
                double[][] ratio = new double[MEASURES.length][options.rounds()];
                double[][] control = new double[MEASURES.length][options.rounds()];
                System.out.println("Per round, for each measure: tenantry, baseline, baseline again, tenantry / mean of"
                        + " the baselines, control (baseline again / baseline)");
                for (int round = 0; round < options.rounds(); round++) {
                    // The order rotates, so that no app always follows the other: T B B', B T B', B B' T.
                    int tenantryAt = round % 3;
                    Window t = null;
                    Window b1 = null;
                    Window b2 = null;
                    for (int slot = 0; slot < 3; slot++) {
                        if (slot == tenantryAt) {
                            t = load(tenantry, options.window(), server);
                        } else if (b1 == null) {
                            b1 = load(baseline, options.window(), server);
                        } else {
                            b2 = load(baseline, options.window(), server);
                        }
                    }
                    System.out.printf(Locale.ROOT, "round %d (tenantry %s)%n", round + 1,
                            tenantryAt == 0 ? "first" : tenantryAt == 1 ? "second" : "third");
                    for (int m = 0; m < MEASURES.length; m++) {
                        double b = (b1.get(m) + b2.get(m)) / 2;
                        ratio[m][round] = t.get(m) / b;
                        control[m][round] = b2.get(m) / b1.get(m);
                        System.out.printf(Locale.ROOT, "  %-22s %10.1f %10.1f %10.1f   ratio %6.3f   control %6.3f%n",
                                MEASURES[m], t.get(m), b1.get(m), b2.get(m), ratio[m][round], control[m][round]);
                    }
                }
                System.out.println("Medians over the rounds: tenantry / baseline (min to max); control (min to max)");
                for (int m = 0; m < MEASURES.length; m++) {
                    System.out.printf(Locale.ROOT, "  %-22s %6.3f (%.3f to %.3f); control %.3f (%.3f to %.3f)%n", MEASURES[m],
                            Measurement.median(ratio[m]), Arrays.stream(ratio[m]).min().orElse(0),
                            Arrays.stream(ratio[m]).max().orElse(0), Measurement.median(control[m]),
                            Arrays.stream(control[m]).min().orElse(0), Arrays.stream(control[m]).max().orElse(0));
                }
            }
        }
    }

    /** The baseline's one schema, named as the model's logical schema so that its entities need no change. */
    private void prepareBaselineSchema(BenchServer server) {
        PGSimpleDataSource admin = new PGSimpleDataSource();
        admin.setURL(server.directJdbcUrl());
        if (server.user() != null) {
            admin.setUser(server.user());
        }
        if (server.password() != null) {
            admin.setPassword(server.password());
        }
        new SchemaMigrator(admin, List.of(Tenantry.MIGRATIONS, "filesystem:" + options.appMigrations().toAbsolutePath()))
                .provision(null, SchemaName.of("tenant"));
    }

    /**
     * Starts the sample with {@code settings}, its connections through a counting relay and named
     * {@code http-bench-<name>} on the server, so that its backends can be found; {@code urlParameters} go on the URL.
     */
    private App start(BenchServer server, String name, List<String> tenants, List<String> settings, String urlParameters)
            throws Exception {
        RoundTripCounter.Relay relay = RoundTripCounter.relay(server.host(), server.port());
        String applicationName = "http-bench-" + name;
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", options.app().toString(), "--server.port=" + port, "--logging.level.root=WARN",
                "--spring.jpa.open-in-view=true", "--server.tomcat.threads.max=" + Math.max(8, options.clients())));
        if (server.user() != null) {
            command.add("--spring.datasource.username=" + server.user());
        }
        if (server.password() != null) {
            command.add("--spring.datasource.password=" + server.password());
        }
        command.add("--spring.datasource.url=" + relay.jdbcUrl(server.database()) + "&ApplicationName=" + applicationName
                + urlParameters);
        command.addAll(settings);
        Path log = Files.createTempFile("tenantry-http-bench-" + name, ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        App app = new App(name, process, "http://localhost:" + port, tenants, applicationName, relay, null);
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The " + name + " app stopped while starting; its output is in " + log);
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(app.base() + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    System.out.println(name + " app ready on port " + port + " (output: " + log + ")");
                    return new App(name, process, app.base(), tenants, applicationName, relay, ProcessMeter.attach(process.pid()));
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                app.close();
                throw new IllegalStateException("The " + name + " app did not start within 15 minutes; see " + log);
            }
            Thread.sleep(500);
        }
    }

    /** Runs the clients against {@code app} for {@code duration}; returns what the requests cost. */
    private Window load(App app, Duration duration, BenchServer server) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(options.clients());
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < options.clients(); c++) {
            int client = c;
            futures.add(clients.submit(() -> {
                Map<String, String> cookies = new HashMap<>();
                int sequence = 0;
                while (running.get()) {
                    String tenant = app.tenants().isEmpty() ? null
                            : app.tenants().get(ThreadLocalRandom.current().nextInt(app.tenants().size()));
                    HttpRequest.Builder request = ThreadLocalRandom.current().nextInt(10) < 2
                            ? HttpRequest.newBuilder(URI.create(app.base() + "/todos")).header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"bench " + client + " " + (sequence++) + "\"}"))
                            : HttpRequest.newBuilder(URI.create(app.base() + "/todos?page=0&size=10")).GET();
                    if (tenant != null) {
                        request.header("X-Tenant-Id", tenant);
                    }
                    String key = tenant == null ? "" : tenant;
                    String cookie = cookies.get(key);
                    if (cookie != null) {
                        request.header("Cookie", cookie);
                    }
                    try {
                        HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
                        response.headers().firstValue("Set-Cookie").ifPresent(set -> cookies.put(key, set.substring(0, set.indexOf(';'))));
                        if (response.statusCode() < 300) {
                            done.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        List<Long> backends = backends(server, app);
        Usage before = usage(app, done.get(), backends);
        long start = System.nanoTime();
        Thread.sleep(duration.toMillis());
        Usage after = usage(app, done.get(), backends);
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        for (Future<?> future : futures) {
            future.get();
        }
        clients.shutdown();
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " requests to the " + app.name() + " app failed");
        }
        return Window.of(seconds, before, after);
    }

    private static Usage usage(App app, long requests, List<Long> backends) {
        double backendNanos = backends == null ? Double.NaN
                : backends.stream().mapToLong(ProcessMeter::processNanos).sum();
        return new Usage(requests, app.meter().cpuNanos(), app.meter().threadCpuNanos(), app.meter().allocatedBytes(), backendNanos,
                app.relay().roundTrips());
    }

    /** The process ids of the app's PostgreSQL backends, or {@code null} when the server is not on this machine. */
    private static List<Long> backends(BenchServer server, App app) throws java.sql.SQLException {
        if (!server.embedded() || !Files.isDirectory(Path.of("/proc"))) {
            return null;
        }
        List<Long> pids = new ArrayList<>();
        try (java.sql.Connection connection = server.connect(); java.sql.PreparedStatement statement = connection
                .prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, app.applicationName());
            try (java.sql.ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    pids.add(rows.getLong(1));
                }
            }
        }
        return pids;
    }

}
