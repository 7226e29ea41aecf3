package dev.tenantry.spring.boot.autoconfigure.actuate;

import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantStatus;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code tenants} actuator endpoint: every tenant with its schema, state, migration version, pending
 * migrations and last failure, and whether this process serves it. Read-only; failures are summarised without the
 * statement that failed, and nothing shows credentials. Expose it like any endpoint
 * ({@code management.endpoints.web.exposure.include=health,tenants}).
 */
@Endpoint(id = "tenants")
public class TenantsEndpoint {

    private final TenantProvisioning provisioning;

    public TenantsEndpoint(TenantProvisioning provisioning) {
        this.provisioning = provisioning;
    }

    @ReadOperation
    public TenantsDescriptor tenants() {
        Map<String, String> unavailable = provisioning.unavailable();
        List<TenantDescriptor> tenants = provisioning.status().stream().map(s -> describe(s, unavailable)).toList();
        return new TenantsDescriptor(tenants.size(), tenants);
    }

    @ReadOperation
    public TenantDescriptor tenant(@Selector String tenant) {
        Map<String, String> unavailable = provisioning.unavailable();
        return provisioning.status().stream().filter(s -> s.tenant().equals(tenant)).findFirst()
                .map(s -> describe(s, unavailable)).orElse(null);
    }

    private static TenantDescriptor describe(TenantStatus status, Map<String, String> unavailable) {
        String failure = unavailable.getOrDefault(status.tenant(), status.lastError());
        return new TenantDescriptor(status.tenant(), status.schema(), status.state(), status.version(), status.pending(),
                MigrationFailedException.summary(failure), TenantInfo.READY.equals(status.state()) && status.schemaExists()
                        && !unavailable.containsKey(status.tenant()));
    }

    /** Every tenant, in tenant order. */
    public record TenantsDescriptor(int count, List<TenantDescriptor> tenants) {
    }

    /**
     * One tenant: {@code served} is whether this process takes work for it now (ready, its schema present, and
     * its migration not failed here).
     */
    public record TenantDescriptor(String tenant, String schema, String state, String version, int pendingMigrations,
                                   String lastFailure, boolean served) {
    }
}
