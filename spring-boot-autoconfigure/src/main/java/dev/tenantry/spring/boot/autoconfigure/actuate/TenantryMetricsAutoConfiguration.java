package dev.tenantry.spring.boot.autoconfigure.actuate;

import dev.tenantry.spring.boot.autoconfigure.TenantryAutoConfiguration;
import dev.tenantry.spring.boot.autoconfigure.TenantryMigrations;
import dev.tenantry.tenancy.TenantryRuntime;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** Tenantry's Micrometer meters ({@link TenantryMetrics}), bound by Boot to every meter registry. */
@AutoConfiguration(after = TenantryAutoConfiguration.class)
@ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
@ConditionalOnBean(TenantryRuntime.class)
public final class TenantryMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TenantryMetrics tenantryMetrics(TenantryRuntime runtime, ObjectProvider<TenantryMigrations> migrations) {
        return new TenantryMetrics(runtime, migrations.getIfAvailable());
    }
}
