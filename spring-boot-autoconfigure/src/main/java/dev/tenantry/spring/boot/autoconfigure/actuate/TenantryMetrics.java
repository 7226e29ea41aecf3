package dev.tenantry.spring.boot.autoconfigure.actuate;

import dev.tenantry.spring.boot.autoconfigure.TenantryMigrations;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantryRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Tenantry's meters. {@code tenantry.tenants} counts tenants by {@code state} (ready, provisioning, failed, and
 * unavailable: refused by this process after a failed migration), read from the registry at most every
 * {@value #REFRESH_SECONDS} seconds however often they are scraped. {@code tenantry.migrations.startup} is the
 * time the start-up migrations took, and {@code tenantry.migrations.startup.tenants} how many tenants they
 * migrated, found current, or failed ({@code outcome}). No meter is per tenant.
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
