package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.AllTenants;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantSchemaMapping;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.TenantryRuntime;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;

/**
 * Tenantry as the persistence layer of a Boot app: its pool is the {@code DataSource}, Boot's own
 * EntityManagerFactory is laid over with Tenantry's Hibernate settings ({@link TenantryJpaConfiguration}), the
 * tenants are migrated before the factory is first used ({@link TenantryMigrations}), and work on other threads
 * keeps the caller's tenant ({@link TenantTaskDecorator}). Backs off entirely when the application defines its
 * own {@code DataSource}, and with {@code tenantry.enabled=false}.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration",
        "org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration"})
@ConditionalOnClass(TenantryPersistence.class)
@ConditionalOnBooleanProperty(name = "tenantry.enabled", matchIfMissing = true)
@ConditionalOnMissingBean(DataSource.class)
@EnableConfigurationProperties(TenantryProperties.class)
@Import(TenantryJpaConfiguration.class)
public final class TenantryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TenantryConfig tenantryConfig(TenantryProperties properties, Environment environment) {
        return TenantryConfigBinding.config(properties, environment);
    }

    /**
     * Opens the pool and checks the connection; installs the registry (per request) or provisions the deployment
     * schema (per deployment). An application's {@link TenantSchemaMapping} bean maps tenant ids to schemas.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    TenantryRuntime tenantryRuntime(TenantryConfig config, TenantryProperties properties,
                                    ObjectProvider<TenantSchemaMapping> mapping) {
        TenantryPersistence.Builder builder = TenantryPersistence.builder(config);
        if (properties.getModel().isEnabled()) {
            builder.module(Tenantry.MODULE);
        }
        // The app's own locations (tenantry.migrations.locations) reach the builder through the configuration
        // (TENANTRY_MIGRATIONS): a module with a history table of its own, migrated after the model's.
        mapping.ifAvailable(builder::mapping);
        return builder.open();
    }

    /** Tenantry's pool: connections work in the tenant in scope (per request) or the deployment's schema. */
    @Bean
    DataSource dataSource(TenantryRuntime runtime) {
        return runtime.dataSource();
    }

    @Bean
    @ConditionalOnMissingBean
    TenantProvisioning tenantProvisioning(TenantryRuntime runtime) {
        return runtime.provisioning();
    }

    @Bean
    @ConditionalOnMissingBean
    AllTenants allTenants(TenantryRuntime runtime) {
        return runtime.allTenants();
    }

    @Bean
    @ConditionalOnMissingBean
    TenantryMigrations tenantryMigrations(TenantryRuntime runtime, TenantryProperties properties) {
        return new TenantryMigrations(runtime, properties);
    }

    /** Makes the EntityManagerFactory, JdbcTemplates and the rest wait for {@link TenantryMigrations}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer")
    @Import(DatabaseInitializationDependencyConfigurer.class)
    static class MigrationsFirstConfiguration {
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(TaskDecorator.class)
    static class TenantPropagationConfiguration {

        /** Boot's task executors and schedulers apply every TaskDecorator bean, so this one joins the app's own. */
        @Bean
        @ConditionalOnMissingBean
        TenantTaskDecorator tenantTaskDecorator() {
            return new TenantTaskDecorator();
        }
    }
}
