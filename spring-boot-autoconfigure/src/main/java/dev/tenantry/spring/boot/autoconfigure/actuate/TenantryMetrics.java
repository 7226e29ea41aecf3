package dev.tenantry.spring.boot.autoconfigure.actuate;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.tenantry.core.Database;
import dev.tenantry.core.PoolLane;
import dev.tenantry.spring.boot.autoconfigure.TenantryMigrations;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantryRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Tenantry's meters. {@code tenantry.tenants} counts tenants by {@code state} (ready, provisioning, failed, and
 * unavailable: refused by this process after a failed migration), read from the registry at most every
 * {@value #REFRESH_SECONDS} seconds however often they are scraped. {@code tenantry.migrations.startup} is the
 * time the start-up migrations took, and {@code tenantry.migrations.startup.tenants} how many tenants they
 * migrated, found current, or failed ({@code outcome}). No meter is per tenant.
 *
 * <p>Per lane of the pool ({@code lane} tag, 0 with one lane): {@code tenantry.pool.lane.connections} by {@code state}
 * (active, idle), {@code tenantry.pool.lane.max}, the counters {@code tenantry.pool.lane.waits} (borrows that found every
 * lane busy), {@code tenantry.pool.lane.spillovers} (borrows another lane served) and {@code tenantry.pool.lane.retired}
 * (connections retired after their tenant bound), and {@code tenantry.pool.lane.tenants.per.connection} (the most
 * tenants one open connection served, with the bound set). With several lanes Boot cannot find one HikariCP pool behind
 * the DataSource, so each lane's pool gets HikariCP's own {@code hikaricp.*} meters here, tagged {@code pool}
 * {@code tenantry-lane-N}; with one lane Boot binds them as for any HikariCP DataSource.
 */
public class TenantryMetrics implements MeterBinder {

    static final long REFRESH_SECONDS = 10;

    private static final List<String> STATES = List.of(TenantInfo.READY, TenantInfo.PROVISIONING, TenantInfo.FAILED);

    private final TenantryRuntime runtime;
    private final TenantryMigrations migrations;
    private final Supplier<Map<String, Long>> counts;

    public TenantryMetrics(TenantryRuntime runtime, TenantryMigrations migrations) {
        this.runtime = runtime;
        this.migrations = migrations;
        this.counts = new Refreshing<>(this::readCounts, Duration.ofSeconds(REFRESH_SECONDS));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String state : STATES) {
            Gauge.builder("tenantry.tenants", counts, c -> c.get().getOrDefault(state, 0L))
                    .tag("state", state).description("Tenants in the registry, by state").register(registry);
        }
        Gauge.builder("tenantry.tenants", counts, c -> c.get().getOrDefault("unavailable", 0L))
                .tag("state", "unavailable").description("Tenants this process refuses after a failed migration")
                .register(registry);
        bindLanes(registry, runtime.database());
        if (migrations != null) {
            Timer.builder("tenantry.migrations.startup").description("Start-up migrations and provisioning")
                    .register(registry).record(migrations.took());
            migrations.report().ifPresent(report -> {
                for (TenantMigration.Status status : TenantMigration.Status.values()) {
                    long tenants = report.tenants().stream().filter(t -> t.status() == status).count();
                    Gauge.builder("tenantry.migrations.startup.tenants", () -> tenants)
                            .tag("outcome", status.name().toLowerCase(java.util.Locale.ROOT))
                            .description("Tenants the start-up migrations handled, by outcome").register(registry);
                }
            });
        }
    }

    private static void bindLanes(MeterRegistry registry, Database database) {
        List<PoolLane> lanes = database.lanes();
        for (PoolLane lane : lanes) {
            String index = Integer.toString(lane.index());
            laneGauge("tenantry.pool.lane.connections", database, lane, PoolLane::active, "Connections of the lane in use")
                    .tag("state", "active").register(registry);
            laneGauge("tenantry.pool.lane.connections", database, lane, PoolLane::idle, "Idle connections of the lane")
                    .tag("state", "idle").register(registry);
            laneGauge("tenantry.pool.lane.max", database, lane, PoolLane::maxConnections,
                    "The lane's share of the pool's connections").register(registry);
            laneGauge("tenantry.pool.lane.tenants.per.connection", database, lane, PoolLane::tenantsPerConnection,
                    "The most distinct tenants one open connection of the lane has served (with the tenant bound set)")
                    .register(registry);
            laneGauge("tenantry.pool.lane.recent.tenants", database, lane, PoolLane::recentTenants,
                    "Distinct tenants among the lane's last borrows, estimated (-1 before the first count)")
                    .register(registry);
            laneGauge("tenantry.pool.lane.prepares.statements", database, lane, l -> l.preparesStatements() ? 1 : 0,
                    "1 while the lane's connections prepare statements on the server, 0 while its recent tenants"
                    + " outgrow their statement cache").register(registry);
            laneCounter("tenantry.pool.lane.waits", database, lane, PoolLane::waits,
                    "Borrows that found every lane busy and waited on their own").tag("lane", index).register(registry);
            laneCounter("tenantry.pool.lane.spillovers", database, lane, PoolLane::spillOvers,
                    "Borrows by the lane's tenants that another lane's idle connection served").tag("lane", index)
                    .register(registry);
            laneCounter("tenantry.pool.lane.retired", database, lane, PoolLane::retired,
                    "Connections retired after serving the bound of distinct tenants").tag("lane", index).register(registry);
        }
        if (lanes.size() > 1) {
            for (HikariDataSource pool : database.lanePools()) {
                if (pool.getMetricsTrackerFactory() == null) {
                    pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
                }
            }
        }
    }

    private static Gauge.Builder<Database> laneGauge(String name, Database database, PoolLane lane,
                                                     ToDoubleFunction<PoolLane> value, String description) {
        int index = lane.index();
        return Gauge.builder(name, database, d -> value.applyAsDouble(d.lanes().get(index)))
                .tag("lane", Integer.toString(index)).description(description);
    }

    private static FunctionCounter.Builder<Database> laneCounter(String name, Database database, PoolLane lane,
                                                                 ToDoubleFunction<PoolLane> value, String description) {
        int index = lane.index();
        return FunctionCounter.builder(name, database, d -> value.applyAsDouble(d.lanes().get(index))).description(description);
    }

    private Map<String, Long> readCounts() {
        Map<String, Long> byState = runtime.provisioning().list().stream()
                .collect(Collectors.groupingBy(TenantInfo::state, Collectors.counting()));
        byState.put("unavailable", (long) runtime.provisioning().unavailable().size());
        return byState;
    }

    /** A value read again once it is older than {@code maxAge}; a failed read keeps the last value (or none). */
    private static final class Refreshing<T> implements Supplier<T> {

        private final Supplier<T> read;
        private final long maxAgeNanos;
        private volatile T value;
        private volatile long readAt;

        Refreshing(Supplier<T> read, Duration maxAge) {
            this.read = read;
            this.maxAgeNanos = maxAge.toNanos();
        }

        @Override
        public synchronized T get() {
            if (value == null || System.nanoTime() - readAt > maxAgeNanos) {
                try {
                    value = read.get();
                } catch (RuntimeException e) {
                    if (value == null) {
                        throw e;
                    }
                }
                readAt = System.nanoTime();
            }
            return value;
        }
    }
}
