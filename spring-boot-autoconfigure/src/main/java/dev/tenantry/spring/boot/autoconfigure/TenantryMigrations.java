package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.core.TenancyMode;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantryRuntime;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Tenantry's start-up migrations, a database initializer in Boot's sense: the EntityManagerFactory, JdbcTemplates
 * and everything else that depends on database initialization are created after it, and the web server only
 * takes requests once the context is up, so no request meets a tenant that is still being migrated. Per request,
 * every ready tenant is migrated ({@code tenantry.migrate-on-start}, {@code tenantry.migrations.parallelism}) and
 * then the tenants of {@code tenantry.provision-on-start} are provisioned. A tenant that fails does not stop the
 * app: it is logged, refused by this process until a migration succeeds, and reported by the actuator. Per
 * deployment, the deployment schema was already migrated when the pool opened ({@code tenantry.auto-provision}).
 */
public final class TenantryMigrations implements InitializingBean {

    private static final Logger LOG = LoggerFactory.getLogger(TenantryMigrations.class);

    private final TenantryRuntime runtime;
    private final TenantryProperties properties;
    private final Map<String, String> provisioningFailures = new ConcurrentHashMap<>();
    private volatile MigrationReport report;
    private volatile Duration took = Duration.ZERO;

    public TenantryMigrations(TenantryRuntime runtime, TenantryProperties properties) {
        this.runtime = runtime;
        this.properties = properties;
    }

    @Override
    public void afterPropertiesSet() {
        if (runtime.mode() != TenancyMode.PER_REQUEST) {
            return;
        }
        TenantProvisioning provisioning = runtime.provisioning();
        long start = System.nanoTime();
        if (properties.isMigrateOnStart()) {
            report = provisioning.migrateAll(properties.getMigrations().getParallelism(), outcome -> {
                if (outcome.status() == TenantMigration.Status.FAILED) {
                    LOG.error("Tenant '{}' failed to migrate and is refused until a migration succeeds: {}",
                            outcome.tenant(), MigrationFailedException.summary(outcome.error()));
                }
            });
        }
        for (String tenant : properties.getProvisionOnStart()) {
            try {
                provisioning.provision(tenant);
            } catch (TenantryException e) {
                provisioningFailures.put(tenant, e.getMessage());
                LOG.error("Tenant '{}' of tenantry.provision-on-start could not be provisioned: {}", tenant, e.getMessage());
            }
        }
        took = Duration.ofNanos(System.nanoTime() - start);
        LOG.info("Tenantry start-up migrations done in {} ms: {}", took.toMillis(),
                report == null ? "tenants not migrated (tenantry.migrate-on-start=false)" : report);
    }

    /** What the start-up run did, if it migrated tenants. */
    public Optional<MigrationReport> report() {
        return Optional.ofNullable(report);
    }

    /** How long the start-up migrations and provisioning took. */
    public Duration took() {
        return took;
    }

    /** Tenants of {@code tenantry.provision-on-start} that failed, with why. */
    public Map<String, String> provisioningFailures() {
        return Map.copyOf(provisioningFailures);
    }
}
