package dev.tenantry.bench;

import dev.tenantry.core.TenantryConfig;
import java.time.Duration;
import java.util.List;

/**
 * Where and how every strategy connects: the same database through the round-trip counter, the same
 * pool size, the same pool settings.
 *
 * @param jdbcUrl      a URL through the {@link RoundTripCounter}
 * @param sharedSchema the schema of the bench's tenant registry
 * @param tenants      the tenant ids (which are also their schema names) in use
 * @param fixedSchema  the schema of the strategies that use one (baseline, per-deployment), holding the rows of
 *                     all the tenants
 * @param spillAfter   how long work waits on its own full lane before it spills over, where there are lanes
 * @param lanes        the lanes of the Tenantry strategies that have them; 0 for Tenantry's default for the pool size
 */
record Target(String jdbcUrl, String user, String password, int poolSize, String sharedSchema, List<String> tenants,
              String fixedSchema, Duration spillAfter, int lanes) {

    /** What {@code pg_stat_activity.application_name} shows for every measured connection. */
    static final String APPLICATION_NAME = "tenantry-bench";

    /** Per request, with the lanes asked for ({@code --lanes}) or Tenantry's default for the pool size. */
    TenantryConfig.Builder perRequestWithLanes() {
        TenantryConfig.Builder builder = config().perRequest();
        return lanes > 0 ? builder.poolLanes(lanes) : builder;
    }

    /** Tenantry's settings for every pool of every strategy; the caller picks the mode. */
    TenantryConfig.Builder config() {
        return configFor(jdbcUrl);
    }

    /**
     * The same settings for a pool whose connections work in {@code schema}: per deployment, so that each connection
     * gets it as its {@code search_path} when the pool opens it.
     */
    TenantryConfig.Builder config(String schema) {
        return configFor(jdbcUrl).perDeployment(schema);
    }

    private TenantryConfig.Builder configFor(String url) {
        TenantryConfig.Builder builder = TenantryConfig.builder()
                .databaseUrl(url)
                .poolMaxSize(poolSize)
                .poolSpillAfter(spillAfter)
                .poolMinIdle(0)
                .acquireTimeout(Duration.ofSeconds(3))
                // No keepalive pings while the bench runs: a ping of an idle pool would be counted as a round
                // trip of whichever strategy is being measured at that moment.
                .keepalive(Duration.ofMinutes(59))
                .sharedSchema(sharedSchema)
                .applicationName(APPLICATION_NAME);
        if (user != null) {
            builder.user(user);
        }
        if (password != null) {
            builder.password(password);
        }
        return builder;
    }
}
