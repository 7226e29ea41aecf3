package dev.tenantry.spring.boot.autoconfigure.actuate;

import dev.tenantry.spring.boot.autoconfigure.TenantryAutoConfiguration;
import dev.tenantry.tenancy.TenantProvisioning;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code tenants} actuator endpoint, when the actuator is there and the endpoint is exposed. */
@AutoConfiguration(after = TenantryAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint")
@ConditionalOnBean(TenantProvisioning.class)
@ConditionalOnAvailableEndpoint(TenantsEndpoint.class)
public final class TenantsEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TenantsEndpoint tenantsEndpoint(TenantProvisioning provisioning) {
        return new TenantsEndpoint(provisioning);
    }
}
