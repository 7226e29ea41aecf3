package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.tenancy.TenantryRuntime;
import java.util.Map;
import org.hibernate.boot.model.naming.PhysicalNamingStrategy;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.cfg.AvailableSettings;
import org.springframework.beans.BeanUtils;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Lays Tenantry's Hibernate settings over Boot's, last of the customizers: Tenantry's connection provider over
 * the pool, the tenant resolver of tenant scopes, the tenant's schema as the default of every table and sequence
 * that names none, and a naming strategy that maps {@code TenantSchema.LOGICAL} to the tenant's schema and hands
 * every other name to the strategy Boot chose (snake case, or the app's own). Schema generation and a default
 * schema of the app's own are refused at start-up: tables come from each tenant's migrations.
 */
public final class TenantryHibernatePropertiesCustomizer implements HibernatePropertiesCustomizer, Ordered {

    private final TenantryRuntime runtime;

    public TenantryHibernatePropertiesCustomizer(TenantryRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public void customize(Map<String, Object> properties) {
        refuseSchemaGeneration(properties, AvailableSettings.HBM2DDL_AUTO, "spring.jpa.hibernate.ddl-auto");
        refuseSchemaGeneration(properties, AvailableSettings.JAKARTA_HBM2DDL_DATABASE_ACTION,
                "spring.jpa.properties." + AvailableSettings.JAKARTA_HBM2DDL_DATABASE_ACTION);
        PhysicalNamingStrategy names = namingStrategy(properties.get(AvailableSettings.PHYSICAL_NAMING_STRATEGY));
        runtime.layOver(properties, names, "spring.jpa.properties");
    }

    private static void refuseSchemaGeneration(Map<String, Object> properties, String setting, String property) {
        Object value = properties.get(setting);
        if (value != null && !"none".equalsIgnoreCase(value.toString().strip())) {
            throw new InvalidConfigurationException(property, "'" + value + "' cannot work with Tenantry: each tenant's"
                    + " tables come from its migrations (tenantry.migrations.locations), in a schema of its own; remove it");
        }
    }

    /** The strategy Boot put in the settings: an instance, a class, or a class name. */
    private static PhysicalNamingStrategy namingStrategy(Object configured) {
        if (configured == null) {
            return PhysicalNamingStrategyStandardImpl.INSTANCE;
        }
        if (configured instanceof PhysicalNamingStrategy strategy) {
            return strategy;
        }
        Class<?> type = configured instanceof Class<?> c ? c
                : ClassUtils.resolveClassName(configured.toString(), TenantryHibernatePropertiesCustomizer.class.getClassLoader());
        if (!PhysicalNamingStrategy.class.isAssignableFrom(type)) {
            throw new InvalidConfigurationException("spring.jpa.hibernate.naming.physical-strategy",
                    type.getName() + " is not a " + PhysicalNamingStrategy.class.getName());
        }
        return (PhysicalNamingStrategy) BeanUtils.instantiateClass(type);
    }

    /** After every other customizer, so that Tenantry's settings are the ones Hibernate gets. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
