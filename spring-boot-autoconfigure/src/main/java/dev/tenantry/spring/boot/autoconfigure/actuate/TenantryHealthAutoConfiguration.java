package dev.tenantry.spring.boot.autoconfigure.actuate;

import dev.tenantry.spring.boot.autoconfigure.TenantryAutoConfiguration;
import dev.tenantry.tenancy.TenantryRuntime;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/** The {@code tenantry} health indicator; off with {@code management.health.tenantry.enabled=false}. */
@AutoConfiguration(after = TenantryAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator")
@ConditionalOnBean(TenantryRuntime.class)
@ConditionalOnEnabledHealthIndicator("tenantry")
public final class TenantryHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "tenantryHealthIndicator")
    TenantryHealthIndicator tenantryHealthIndicator(TenantryRuntime runtime) {
        return new TenantryHealthIndicator(runtime);
    }
}
