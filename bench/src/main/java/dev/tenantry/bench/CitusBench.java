package dev.tenantry.bench;

import dev.tenantry.core.Citus;
import dev.tenantry.core.CitusMode;
import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.TenantMove;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantSchemaMapping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Tenantry on a Citus cluster next to one server, in one run, on the coordinator that {@code DATABASE_URL} names.
 * "One server" is a database of the coordinator's own PostgreSQL without the citus extension: the same binary,
 * settings and machine, only without Citus routing to the workers. Measures:
 * <ol>
 *   <li>provisioning N tenants from the template, and M by replaying the migrations, one after the other as
 *       {@code tenants create} does, alternating between the two sides tenant by tenant;</li>
 *   <li>per-request throughput (Tenantry per request, the bench's read and web requests, T tenants), each round
 *       measuring the cluster, the one server and the one server again (the control, whose ratio to the one server
 *       shows the noise), in rotated order; throughput is the median over rounds;</li>
 *   <li>moving a tenant of R users (and R anonymous sessions) between the workers, by logical replication and with
 *       writes blocked, alternating, several times each.</li>
 * </ol>
 * Everything it creates is dropped at the end.
 *
 * <pre>java -cp bench/target/tenantry-bench.jar dev.tenantry.bench.CitusBench [--provision 1000] [--provision-migrations 100]
 *     [--tenants 100] [--threads 1,4] [--rounds 5] [--seconds-per-window 2] [--move-rows 10000,100000] [--moves 3] [--json FILE]</pre>
 */
public final class CitusBench {

    /** The cluster side's registry and tenant prefixes, apart from the throughput bench's. */
    private static final String PROVISION_PREFIX = "cbp_";
    private static final String MOVE_PREFIX = "cbm_";

    private record Settings(int provision, int provisionMigrations, int tenants, List<Integer> threads, int rounds,
                            double seconds, List<Integer> moveRows, int moves, Path json) {
    }

    /** One figure of the report. */
    private record Figure(String measure, String side, String unit, double value, String note) {
    }

    private final Settings settings;
    private final List<Figure> figures = new ArrayList<>();

    private CitusBench(Settings settings) {
        this.settings = settings;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", "slf4j");
        int provision = 1000;
        int provisionMigrations = 100;
        int tenants = 100;
        List<Integer> threads = List.of(1, 4);
        int rounds = 5;
        double seconds = 2;
        List<Integer> moveRows = List.of(10_000, 100_000);
        int moves = 3;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--provision" -> provision = Integer.parseInt(args[++i]);
                case "--provision-migrations" -> provisionMigrations = Integer.parseInt(args[++i]);
                case "--tenants" -> tenants = Integer.parseInt(args[++i]);
                case "--threads" -> threads = ints(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds-per-window" -> seconds = Double.parseDouble(args[++i]);
                case "--move-rows" -> moveRows = ints(args[++i]);
                case "--moves" -> moves = Integer.parseInt(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                case "--help", "-h" -> {
                    System.out.println("Usage: java -cp tenantry-bench.jar dev.tenantry.bench.CitusBench [--provision N (1000)]"
                            + " [--provision-migrations M (100)] [--tenants T (100)] [--threads 1,4] [--rounds 5]"
                            + " [--seconds-per-window 2] [--move-rows 10000,100000] [--moves 3] [--json FILE]\n"
                            + "DATABASE_URL must name a Citus coordinator with workers; 0 skips a part.");
                    return;
                }
                default -> throw new IllegalArgumentException("Unknown option " + args[i] + "; try --help");
            }
        }
        CitusBench bench = new CitusBench(new Settings(provision, provisionMigrations, tenants, threads, rounds, seconds,
                moveRows, moves, json));
        bench.run(System.getenv());
    }

    private static List<Integer> ints(String list) {
        return java.util.Arrays.stream(list.split(",")).map(String::strip).map(Integer::parseInt).toList();
    }

    private void run(Map<String, String> env) throws Exception {
        String url = env.get(TenantryConfig.DATABASE_URL);
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("DATABASE_URL must name a Citus coordinator");
        }
        TenantryConfig coordinator = TenantryConfig.builder().environment(env).perRequest().citus(CitusMode.ON).build();
        String singleDatabase = "tenantry_citus_bench_" + UUID.randomUUID().toString().substring(0, 8);
        String clusterDatabase = coordinator.databaseUrl().database().isEmpty() ? "postgres" : coordinator.databaseUrl().database();
        BenchServer.execute(coordinator, "CREATE DATABASE " + singleDatabase + " TEMPLATE template0");
        Map<String, String> clusterEnv = new HashMap<>(env);
        Map<String, String> singleEnv = new HashMap<>(env);
        singleEnv.put(TenantryConfig.DATABASE_URL, coordinator.databaseUrl().jdbcUrl()
                .replaceFirst("/[^/?]*(\\?|$)", "/" + singleDatabase + "$1"));
        singleEnv.put(TenantryConfig.CITUS, "off");
        for (Map<String, String> side : List.of(clusterEnv, singleEnv)) {
            if (coordinator.user() != null) {
                side.put(TenantryConfig.DATABASE_USER, coordinator.user());
            }
            if (coordinator.password() != null) {
                side.put(TenantryConfig.DATABASE_PASSWORD, coordinator.password());
            }
        }
        try (BenchServer cluster = BenchServer.start(clusterEnv, Map.of());
             BenchServer single = BenchServer.start(singleEnv, Map.of())) {
            printHeader(cluster, clusterDatabase, singleDatabase);
            BenchData clusterData = new BenchData(cluster, 8, 2);
            try {
                if (settings.provision() > 0 || settings.provisionMigrations() > 0) {
                    provisioning(clusterEnv, singleEnv);
                }
                if (settings.tenants() > 0 && settings.rounds() > 0) {
                    throughput(cluster, clusterData, single);
                }
                if (!settings.moveRows().isEmpty() && settings.moves() > 0) {
                    moves(clusterEnv);
                }
            } finally {
                progress("dropping what the bench created on the cluster, and database %s", singleDatabase);
                clusterData.dropAll(clusterData.provisioned());
                dropPrefixed(coordinator, PROVISION_PREFIX, MOVE_PREFIX);
            }
        } finally {
            BenchServer.execute(coordinator, "DROP DATABASE IF EXISTS " + singleDatabase + " WITH (FORCE)");
        }
        print();
        if (settings.json() != null) {
            Files.writeString(settings.json(), json());
            System.out.println("JSON: " + settings.json().toAbsolutePath());
        }
    }

    private void printHeader(BenchServer cluster, String clusterDatabase, String singleDatabase) throws SQLException {
        try (Connection connection = cluster.connect()) {
            Citus citus = Citus.detect(connection, CitusMode.ON);
            System.out.printf(Locale.ROOT, "Citus bench on %s:%d: cluster = database %s (Citus %s, workers %s), one server ="
                            + " database %s of the same PostgreSQL without Citus; %d cores on this machine%n",
                    cluster.host(), cluster.port(), clusterDatabase, citus.version(), citus.workers(connection), singleDatabase,
                    Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "  server: %s, synchronous_commit %s, wal_level %s, shared_buffers %s, max_connections %s%n",
                    cluster.setting("server_version"), cluster.setting("synchronous_commit"), cluster.setting("wal_level"),
                    cluster.setting("shared_buffers"), cluster.setting("max_connections"));
        }
    }

    // Provisioning

    private void provisioning(Map<String, String> clusterEnv, Map<String, String> singleEnv) throws Exception {
        TenantryConfig clusterConfig = provisioningConfig(clusterEnv);
        TenantryConfig singleConfig = provisioningConfig(singleEnv);
        try (Database clusterDb = Database.open(clusterConfig); Database singleDb = Database.open(singleConfig)) {
            TenantProvisioning onCluster = TenantProvisioning.open(clusterDb, List.of(Tenantry.MIGRATIONS), TenantSchemaMapping.identity());
            TenantProvisioning onSingle = TenantProvisioning.open(singleDb, List.of(Tenantry.MIGRATIONS), TenantSchemaMapping.identity());
            // The template and the registry exist before the clock starts, as after a first tenants create.
            onCluster.provision(PROVISION_PREFIX + "warm");
            onSingle.provision(PROVISION_PREFIX + "warm");
            onCluster.provisionFromTemplate(PROVISION_PREFIX + "warm_t");
            onSingle.provisionFromTemplate(PROVISION_PREFIX + "warm_t");
            timeProvisioning("template", settings.provision(), onCluster::provisionFromTemplate, onSingle::provisionFromTemplate);
            timeProvisioning("migrations", settings.provisionMigrations(), onCluster::provision, onSingle::provision);
        }
    }

    private static TenantryConfig provisioningConfig(Map<String, String> env) {
        return TenantryConfig.builder().environment(env).perRequest().sharedSchema(PROVISION_PREFIX + "registry")
                .poolMaxSize(2).poolMinIdle(0).applicationName("tenantry-citus-bench").build();
    }

    private void timeProvisioning(String how, int count, Consumer<String> cluster, Consumer<String> single) {
        if (count <= 0) {
            return;
        }
        long clusterNanos = 0;
        long singleNanos = 0;
        for (int i = 0; i < count; i++) {
            String tenant = String.format(Locale.ROOT, "%s%s_%04d", PROVISION_PREFIX, how.substring(0, 3), i);
            // Alternate which side goes first, so that neither always meets a machine the other just warmed or loaded.
            if (i % 2 == 0) {
                clusterNanos += timed(() -> cluster.accept(tenant));
                singleNanos += timed(() -> single.accept(tenant));
            } else {
                singleNanos += timed(() -> single.accept(tenant));
                clusterNanos += timed(() -> cluster.accept(tenant));
            }
            if ((i + 1) % 100 == 0 || i + 1 == count) {
                progress("provisioned %d of %d tenants from %s on each side", i + 1, count, how);
            }
        }
        String measure = "provision " + count + " tenants (" + (how.equals("template") ? "from the template" : "replaying the migrations") + ")";
        figures.add(new Figure(measure, "cluster", "s", clusterNanos / 1e9, String.format(Locale.ROOT, "%.0f ms per tenant",
                clusterNanos / 1e6 / count)));
        figures.add(new Figure(measure, "one server", "s", singleNanos / 1e9, String.format(Locale.ROOT, "%.0f ms per tenant",
                singleNanos / 1e6 / count)));
    }

    private static long timed(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return System.nanoTime() - start;
    }

    // Throughput

    private void throughput(BenchServer cluster, BenchData clusterData, BenchServer single) throws Exception {
        BenchData singleData = new BenchData(single, 8, 2);
        progress("provisioning and seeding %d tenants on each side", settings.tenants());
        clusterData.ensure(settings.tenants());
        singleData.ensure(settings.tenants());
        List<List<Visitor>> visitors = clusterData.visitors(settings.tenants());
        int poolSize = 4;
        try (RoundTripCounter counter = RoundTripCounter.start(cluster.host(), cluster.port())) {
            Harness harness = new Harness(counter, 20260601L);
            Map<String, Strategy> sides = new LinkedHashMap<>();
            sides.put("cluster", start(counter, cluster, poolSize));
            sides.put("one server", start(counter, single, poolSize));
            sides.put("one server (control)", start(counter, single, poolSize));
            try {
                Map<String, List<Double>> rates = new HashMap<>();
                List<String> order = new ArrayList<>(sides.keySet());
                for (Map.Entry<String, Strategy> side : sides.entrySet()) {
                    for (Workload workload : Workload.values()) {
                        harness.run(side.getValue(), workload, settings.threads().get(settings.threads().size() - 1),
                                visitors, 2, 0.01); // warm every connection and the JIT before the first round
                    }
                }
                for (int round = 0; round < settings.rounds(); round++) {
                    java.util.Collections.rotate(order, 1);
                    for (Workload workload : Workload.values()) {
                        for (int threads : settings.threads()) {
                            for (String side : order) {
                                Harness.Window window = harness.run(sides.get(side), workload, threads, visitors, 0.25,
                                        settings.seconds());
                                rates.computeIfAbsent(side + "|" + workload.key() + "|" + threads, k -> new ArrayList<>())
                                        .add(window.opsPerSec());
                            }
                        }
                    }
                    progress("throughput round %d of %d done", round + 1, settings.rounds());
                }
                for (Workload workload : Workload.values()) {
                    for (int threads : settings.threads()) {
                        String key = "|" + workload.key() + "|" + threads;
                        double one = median(rates.get("one server" + key));
                        for (String side : sides.keySet()) {
                            List<Double> values = rates.get(side + key);
                            double value = median(values);
                            figures.add(new Figure(workload.key() + " request, " + threads + " thread" + (threads == 1 ? "" : "s")
                                    + ", " + settings.tenants() + " tenants", side, "tx/s", value,
                                    String.format(Locale.ROOT, "%.2f of one server; rounds %s", value / one, rounded(values))));
                        }
                    }
                }
            } finally {
                sides.values().forEach(Strategy::close);
            }
        } finally {
            singleData.dropAll(singleData.provisioned());
        }
    }

    private static Strategy start(RoundTripCounter counter, BenchServer server, int poolSize) {
        return Strategies.start(StrategyName.TENANTRY_PER_REQUEST, new Target(counter.jdbcUrl(server.database()), server.user(),
                server.password(), poolSize, BenchData.SHARED_SCHEMA, List.of(), null,
                Duration.ofMillis(TenantryConfig.DEFAULT_POOL_SPILL_AFTER_MILLIS), 0));
    }

    private static String rounded(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.0f", v)).toList().toString();
    }

    private static double median(List<Double> values) {
        return Measurement.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    // Moves

    private void moves(Map<String, String> clusterEnv) throws Exception {
        TenantryConfig config = provisioningConfig(clusterEnv);
        try (Database database = Database.open(config)) {
            TenantProvisioning provisioning = TenantProvisioning.open(database, List.of(Tenantry.MIGRATIONS),
                    TenantSchemaMapping.identity());
            List<Citus.Node> workers = provisioning.placement().workers();
            for (int rows : settings.moveRows()) {
                String tenant = MOVE_PREFIX + rows;
                provisioning.provisionFromTemplate(tenant);
                seed(config, tenant, rows);
                String size = sizeOf(config, tenant);
                List<Double> logical = new ArrayList<>();
                List<Double> blocking = new ArrayList<>();
                for (int i = 0; i < settings.moves(); i++) {
                    for (Citus.TransferMode mode : i % 2 == 0 ? List.of(Citus.TransferMode.LOGICAL, Citus.TransferMode.BLOCK_WRITES)
                            : List.of(Citus.TransferMode.BLOCK_WRITES, Citus.TransferMode.LOGICAL)) {
                        Citus.Node now = provisioning.placement().nodes().get(tenant).node();
                        Citus.Node other = workers.stream().filter(node -> !node.equals(now)).findFirst().orElseThrow();
                        TenantMove move = provisioning.placement().move(tenant, other, mode);
                        (mode == Citus.TransferMode.LOGICAL ? logical : blocking).add(move.took().toMillis() / 1000.0);
                    }
                }
                progress("moved a tenant of %,d users and %,d sessions (%s) %d times each way", rows, rows, size, 2 * settings.moves());
                String measure = String.format(Locale.ROOT, "move a tenant of %,d users and %,d sessions (%s)", rows, rows, size);
                figures.add(new Figure(measure, "logical replication", "s", median(logical), "median; each " + rounded3(logical)));
                figures.add(new Figure(measure, "writes blocked", "s", median(blocking), "median; each " + rounded3(blocking)));
            }
        }
    }

    private static String rounded3(List<Double> values) {
        return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList().toString();
    }

    private static void seed(TenantryConfig config, String tenant, int rows) throws SQLException {
        String schema = SchemaName.ofTenant(tenant).quoted();
        BenchServer.execute(config, "INSERT INTO " + schema + ".users (id, email, display_name) SELECT gen_random_uuid(),"
                + " 'user' || i || '@move.example', 'User ' || i FROM generate_series(1, " + rows + ") i");
        BenchServer.execute(config, "INSERT INTO " + schema + ".anon_sessions (id, token_hash, user_id, expires_at, payload)"
                + " SELECT gen_random_uuid(), sha256(id::text::bytea), id, now() + interval '1 day', '{\"cart\": [1, 2, 3]}'"
                + " FROM " + schema + ".users");
    }

    private static String sizeOf(TenantryConfig config, String tenant) throws SQLException {
        try (Connection connection = BenchServer.connect(config);
             Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT schema_size FROM citus_schemas WHERE schema_name::text = '"
                     + SchemaName.ofTenant(tenant).value() + "'")) {
            return rows.next() ? rows.getString(1) : "?";
        }
    }

    // Helpers

    private static void dropPrefixed(TenantryConfig config, String... prefixes) throws SQLException {
        try (Connection connection = BenchServer.connect(config);
             Statement statement = connection.createStatement()) {
            List<String> schemas = new ArrayList<>();
            for (String prefix : prefixes) {
                try (var rows = statement.executeQuery("SELECT quote_ident(nspname) FROM pg_namespace WHERE starts_with(nspname, '"
                        + prefix + "')")) {
                    while (rows.next()) {
                        schemas.add(rows.getString(1));
                    }
                }
            }
            for (String schema : schemas) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private static void progress(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[citus-bench] " + format + "%n", args);
    }

    private void print() {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-62s  %-22s  %12s  %s%n", "measure", "side", "value", "note");
        for (Figure figure : figures) {
            System.out.printf(Locale.ROOT, "%-62s  %-22s  %9.2f %-4s  %s%n", figure.measure(), figure.side(), figure.value(),
                    figure.unit(), figure.note());
        }
    }

    private String json() {
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < figures.size(); i++) {
            Figure f = figures.get(i);
            json.append(String.format(Locale.ROOT, "  {\"measure\": \"%s\", \"side\": \"%s\", \"unit\": \"%s\", \"value\": %.4f,"
                    + " \"note\": \"%s\"}%s%n", f.measure(), f.side(), f.unit(), f.value(), f.note(), i + 1 < figures.size() ? "," : ""));
        }
        return json.append("]\n").toString();
    }
}
