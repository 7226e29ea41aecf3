package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.TenantryRuntime;
import jakarta.persistence.EntityManagerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.hibernate.autoconfigure.HibernatePropertiesCustomizer;
import org.springframework.boot.jpa.autoconfigure.EntityManagerFactoryBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Boot's own EntityManagerFactory, made to work per tenant: Tenantry's Hibernate settings laid over Boot's, and
 * the model's entities added to the ones Boot scanned. Nothing here builds a factory.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({HibernatePropertiesCustomizer.class, EntityManagerFactoryBuilderCustomizer.class})
class TenantryJpaConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TenantryHibernatePropertiesCustomizer tenantryHibernatePropertiesCustomizer(TenantryRuntime runtime) {
        return new TenantryHibernatePropertiesCustomizer(runtime);
    }

    /**
     * Checks each EntityManagerFactory once the context stands, before the web server takes requests: where its
     * tables and sequences went, refusing at start-up what cannot be placed in the tenant's schema safely.
     */
    @Bean
    static SmartInitializingSingleton tenantryMappingCheck(ObjectProvider<TenantryRuntime> runtime,
                                                            ObjectProvider<EntityManagerFactory> factories) {
        return () -> factories.orderedStream().forEach(factory -> runtime.getObject().verify(factory));
    }

    /** Adds {@code User} and {@code AnonSession} to whatever Boot scanned, so an app's own {@code @EntityScan} keeps them. */
    @Bean
    @ConditionalOnBooleanProperty(name = "tenantry.model.enabled", matchIfMissing = true)
    EntityManagerFactoryBuilderCustomizer tenantryModelEntities() {
        return builder -> builder.addPersistenceUnitPostProcessors(unit -> Tenantry.ENTITIES.forEach(type -> {
            if (!unit.getManagedClassNames().contains(type.getName())) {
                unit.addManagedClassName(type.getName());
            }
        }));
    }
}
