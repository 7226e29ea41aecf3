package dev.tenantry.spring.boot.autoconfigure.actuate;

import dev.tenantry.core.TenancyMode;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantryRuntime;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Tenantry's health ({@code tenantry}): per request, UP while the tenant registry answers, with the tenants
 * counted by state and the ones that are failed or refused by this process named in the details (at most
 * {@value #NAMED_AT_MOST}); DOWN when the registry cannot be read. Per deployment, UP while the pool lends a valid
 * connection. The details never carry credentials, SQL or exception text; the log has the cause.
 */
public class TenantryHealthIndicator implements HealthIndicator {

    /** Failed tenants named in the details at most; the count says how many there are. */
    static final int NAMED_AT_MOST = 20;

    private static final Logger LOG = LoggerFactory.getLogger(TenantryHealthIndicator.class);

    private final TenantryRuntime runtime;

    public TenantryHealthIndicator(TenantryRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public Health health() {
        Health.Builder health = Health.up().withDetail("mode", runtime.mode().setting());
        if (runtime.mode() == TenancyMode.PER_DEPLOYMENT) {
            health.withDetail("schema", runtime.config().deploymentSchema().value());
            try (Connection connection = runtime.database().pool().getConnection()) {
                return (connection.isValid(5) ? health : health.down().withDetail("database", "invalid connection")).build();
            } catch (Exception e) {
                LOG.warn("Tenantry health: the database is unreachable: {}", e.getMessage());
                return health.down().withDetail("database", "unreachable").build();
            }
        }
        List<TenantInfo> tenants;
        try {
            tenants = runtime.provisioning().list();
        } catch (RuntimeException e) {
            LOG.warn("Tenantry health: the tenant registry is unreachable: {}", e.getMessage());
            return health.down().withDetail("registry", "unreachable").build();
        }
        Map<String, String> unavailable = runtime.provisioning().unavailable();
        Map<String, Long> byState = tenants.stream().collect(Collectors.groupingBy(TenantInfo::state, TreeMap::new,
                Collectors.counting()));
        List<String> failed = tenants.stream()
                .filter(t -> TenantInfo.FAILED.equals(t.state()) || unavailable.containsKey(t.tenant()))
                .map(TenantInfo::tenant).toList();
        health.withDetail("registry", "reachable").withDetail("tenants", byState)
                .withDetail("unavailable", unavailable.size());
        if (!failed.isEmpty()) {
            health.withDetail("failedTenants", failed.size() <= NAMED_AT_MOST ? failed : failed.subList(0, NAMED_AT_MOST));
        }
        return health.build();
    }
}
