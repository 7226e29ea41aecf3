package dev.tenantry.bench;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.MigrationOptions;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.ProvisionOptions;
import dev.tenantry.tenancy.TenantResult;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantSchemaMapping;
import dev.tenantry.tenancy.TenantVerification;
import dev.tenantry.tenancy.TenantVerifier;
import dev.tenantry.tenancy.TenantryPersistence;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.flywaydb.core.Flyway;

/**
 * Times the operations on many tenant schemas that issue 5 is about, each next to the same work done by
 * plain Flyway looped over the schemas, in one run on one server: create N tenants (from the template,
 * and by replaying migrations), a no-op migrate of all, a real migrate that adds a column (in the app's module),
 * rolling that module back with its down script and up again, a snapshot of every tenant, status and verify. Also
 * records the heap in use after each step (after a GC), to show memory does not grow with
 * the tenant count. Works in a database of its own, dropped at the end.
 *
 * <pre>java -cp bench/target/tenantry-bench.jar dev.tenantry.bench.OperationsBench [--tenants 1000] [--parallel 4] [--json file]</pre>
 */
public final class OperationsBench {

    /** The app module of the bench: one migration adding a column to users, and its down script. */
    private static final String EXTRA = "classpath:db/bench/extra";

    private record Step(String operation, String tool, int tenants, double seconds, long heapMb, String note) {
    }

    private final int tenants;
    private final int parallel;
    private final List<Step> steps = new ArrayList<>();
    private final PrintStream out = System.out;

    private OperationsBench(int tenants, int parallel) {
        this.tenants = tenants;
        this.parallel = parallel;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", "slf4j");
        int tenants = 1000;
        int parallel = 4;
        String json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--tenants" -> tenants = Integer.parseInt(args[++i]);
                case "--parallel" -> parallel = Integer.parseInt(args[++i]);
                case "--json" -> json = args[++i];
                case "--help", "-h" -> {
                    System.out.println("Usage: java -cp tenantry-bench.jar dev.tenantry.bench.OperationsBench"
                            + " [--tenants N (1000)] [--parallel P (4)] [--json FILE]\nUses DATABASE_URL if set, else an embedded PostgreSQL.");
                    return;
                }
                default -> throw new IllegalArgumentException("Unknown option " + args[i] + "; try --help");
            }
        }
        OperationsBench bench = new OperationsBench(tenants, parallel);
        bench.run(System.getenv());
        if (json != null) {
            Files.writeString(Path.of(json), bench.json());
            System.out.println("Wrote " + json);
        }
    }

    private void run(Map<String, String> env) throws Exception {
        EmbeddedPostgres embedded = null;
        String serverUrl = env.get(TenantryConfig.DATABASE_URL);
        Map<String, String> settings = new HashMap<>(env);
        settings.remove(TenantryConfig.DATABASE_SCHEMA);
        settings.remove(TenantryConfig.MODE);
        if (serverUrl == null || serverUrl.isBlank()) {
            embedded = EmbeddedPostgres.builder().start();
            serverUrl = "jdbc:postgresql://localhost:" + embedded.getPort() + "/postgres";
            settings.put(TenantryConfig.DATABASE_USER, "postgres");
        }
        settings.put(TenantryConfig.DATABASE_URL, serverUrl);
        TenantryConfig server = TenantryConfig.builder().environment(settings).build();
        String database = "tenantry_ops_bench_" + UUID.randomUUID().toString().substring(0, 8);
        execute(server, "CREATE DATABASE " + database);
        String benchUrl = server.databaseUrl().jdbcUrl().replaceFirst("/[^/?]*(\\?|$)", "/" + database + "$1");
        settings.put(TenantryConfig.DATABASE_URL, benchUrl);
        TenantryConfig config = TenantryConfig.builder().environment(settings).perRequest().poolMaxSize(parallel + 2).build();
        out.printf(Locale.ROOT, "Operations bench: %d tenants, parallelism %d, %d cores, on %s (database %s)%n", tenants,
                parallel, Runtime.getRuntime().availableProcessors(), embedded != null ? "embedded PostgreSQL" : "DATABASE_URL", database);
        try {
            measure(config);
        } finally {
            execute(server, "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            if (embedded != null) {
                embedded.close();
            }
        }
        print();
    }

    private void measure(TenantryConfig config) throws Exception {
        List<String> templated = names("tpl_");
        List<String> replayed = names("rep_");
        List<String> flywaySchemas = names("fly_");
        try (Database database = Database.open(config)) {
            TenantProvisioning provisioning = TenantProvisioning.open(database, List.of(Tenantry.MIGRATIONS),
                    TenantSchemaMapping.identity());
            provisioning.prepareTemplate();
            ProvisionOptions create = ProvisionOptions.defaults().parallelism(parallel);
            timed("create tenants", "tenantry, copy of the template", tenants,
                    () -> requireAll(provisioning.provision(templated, create.fromTemplate(true), result -> { })), "");
            timed("create tenants", "tenantry, replaying migrations", tenants,
                    () -> requireAll(provisioning.provision(replayed, create, result -> { })), "");
            timed("create tenants", "plain Flyway loop", tenants,
                    () -> flywayLoop(database, flywaySchemas, List.of(Tenantry.MIGRATIONS), true), "");
            // The replayed tenants were only for the creation figures: the runs below cover N tenants each way.
            inParallel(replayed, tenant -> provisioning.drop(tenant, tenant));

            MigrationReport noOp = timedReport("migrate all, nothing to do", "tenantry migrate --all",
                    () -> provisioning.migrateAll(parallel, outcome -> { }));
            timed("migrate all, nothing to do", "plain Flyway loop", tenants,
                    () -> flywayLoop(database, flywaySchemas, List.of(Tenantry.MIGRATIONS), false), "");

            ClassLoader loader = OperationsBench.class.getClassLoader();
            TenantProvisioning next = TenantProvisioning.open(database, TenantProvisioning.migrator(database,
                    List.of(Tenantry.MODULE, MigrationModule.of(MigrationModule.APP, EXTRA)), loader), loader,
                    TenantSchemaMapping.identity());
            MigrationReport real = timedReport("migrate all, add a column", "tenantry migrate --all",
                    () -> next.migrateAll(parallel, outcome -> { }));
            timed("migrate all, add a column", "plain Flyway loop", tenants,
                    () -> flywayLoop(database, flywaySchemas, List.of(Tenantry.MIGRATIONS, EXTRA), false), "");
            out.println("  (no-op run: " + noOp + "; real run: " + real + ")");

            MigrationReport down = timedReport("roll back all, drop the column", "tenantry migrate --all --to 0",
                    () -> next.migrateAll(MigrationOptions.defaults().parallelism(parallel).to(MigrationModule.APP, "0"), o -> { }));
            MigrationReport up = timedReport("migrate all, add it again", "tenantry migrate --all",
                    () -> next.migrateAll(parallel, outcome -> { }));
            out.println("  (roll back: " + down + "; up again: " + up + ")");
            timed("snapshot all", "tenantry tenants snapshot --all", tenants,
                    () -> requireAll(next.snapshot(templated, parallel, result -> { })), "");

            timed("status", "tenantry status", tenants, () -> next.status(), "");
            try (TenantryPersistence jpa = Tenantry.builder(config).migrations(EXTRA).start()) {
                TenantVerifier verifier = new TenantVerifier(jpa.database(), next, TenantVerifier.modelOf(jpa.entityManagerFactory()));
                List<TenantVerification> found = new ArrayList<>();
                timed("verify", "tenantry verify", tenants, () -> found.addAll(verifier.verify(List.of())), "");
                long withFindings = found.stream().filter(v -> !v.ok()).count();
                out.println("  (verify: " + found.size() + " tenants, " + withFindings + " with findings)");
            }
        }
    }

    /** Fails the bench when any tenant failed: a figure for work that did not happen would be wrong. */
    private static void requireAll(List<? extends TenantResult<?>> results) {
        results.stream().filter(TenantResult::failed).findFirst().ifPresent(failed -> {
            throw new IllegalStateException("Tenant " + failed.tenant() + " failed: " + failed.error().getMessage(), failed.error());
        });
    }

    private List<String> names(String prefix) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < tenants; i++) {
            names.add(String.format(Locale.ROOT, "%s%05d", prefix, i));
        }
        return names;
    }

    private void inParallel(List<String> items, Consumer<String> work) {
        ExecutorService workers = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String item : items) {
                futures.add(workers.submit(() -> work.accept(item)));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            workers.shutdownNow();
        }
    }

    /** What a user without Tenantry does: Flyway configured and run for each schema in turn. */
    private static void flywayLoop(Database database, List<String> schemas, List<String> locations, boolean create) {
        for (String schema : schemas) {
            Flyway.configure()
                    .dataSource(database.admin())
                    .schemas(schema)
                    .defaultSchema(schema)
                    .createSchemas(create)
                    .locations(locations.toArray(String[]::new))
                    .load()
                    .migrate();
        }
    }

    private MigrationReport timedReport(String operation, String tool, Callable<MigrationReport> work) throws Exception {
        MigrationReport[] report = new MigrationReport[1];
        timed(operation, tool, tenants, () -> report[0] = work.call(), "");
        return report[0];
    }

    private void timed(String operation, String tool, int count, ThrowingRunnable work, String note) throws Exception {
        long start = System.nanoTime();
        work.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.gc();
        long heapMb = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
        Step step = new Step(operation, tool, count, seconds, heapMb, note);
        steps.add(step);
        out.printf(Locale.ROOT, "  %-28s %-34s %6d tenants %9.2f s   heap after GC %4d MB%n", operation, tool, count,
                seconds, heapMb);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private void print() {
        out.println();
        out.println("| operation | tool | tenants | seconds | heap after GC (MB) |");
        out.println("|---|---|---:|---:|---:|");
        for (Step step : steps) {
            out.printf(Locale.ROOT, "| %s | %s | %d | %.2f | %d |%n", step.operation(), step.tool(), step.tenants(),
                    step.seconds(), step.heapMb());
        }
    }

    private String json() {
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            json.append(String.format(Locale.ROOT, "  {\"operation\": \"%s\", \"tool\": \"%s\", \"tenants\": %d, \"seconds\": %.3f,"
                    + " \"heap_mb\": %d}%s%n", step.operation(), step.tool(), step.tenants(), step.seconds(), step.heapMb(),
                    i + 1 < steps.size() ? "," : ""));
        }
        return json.append("]\n").toString();
    }

    private static void execute(TenantryConfig config, String sql) throws Exception {
        BenchServer.execute(config, sql);
    }
}
