package dev.tenantry.bench;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.hibernate.ScopedTenantResolver;
import jakarta.persistence.EntityManagerFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.context.spi.TenantSchemaMapper;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;
import org.hibernate.jpa.HibernatePersistenceConfiguration;

/**
 * EntityManagerFactories over Tenantry's entities without Tenantry: the same classes, mapped by
 * {@link FixedSchemaNaming}, with Hibernate's defaults otherwise. The strategies that are not
 * Tenantry's are built here, so the bench and {@code RoundTripTest} measure the same code.
 */
public final class PlainHibernate {

    private PlainHibernate() {
    }

    /** The baseline: plain Hibernate over {@code pool}, every entity in {@code schema}, no multi-tenancy at all. */
    public static EntityManagerFactory oneSchema(DataSource pool, String schema) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(AvailableSettings.PHYSICAL_NAMING_STRATEGY, new FixedSchemaNaming(schema));
        settings.put(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, pool);
        return build("baseline", settings);
    }

    /**
     * Hibernate's own multi-tenancy over a connection provider ({@code SET search_path}, a pool per
     * tenant, ...): unqualified SQL, the tenant of each session from the current {@code Tenants} scope.
     */
    public static EntityManagerFactory multiTenant(MultiTenantConnectionProvider<String> provider) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(AvailableSettings.PHYSICAL_NAMING_STRATEGY, FixedSchemaNaming.unqualified());
        settings.put(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER, provider);
        settings.put(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new ScopedTenantResolver());
        return build("multi-tenant-provider", settings);
    }

    /**
     * Hibernate 7's schema-based multi-tenancy ({@code hibernate.multi_tenant.schema_mapper}) on one
     * shared pool: Hibernate calls {@code Connection.setSchema} with the mapper's schema when a session
     * takes a connection, and sets the previous schema back when it releases it.
     */
    public static EntityManagerFactory schemaMapper(DataSource pool, TenantSchemaMapper<String> mapper) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(AvailableSettings.PHYSICAL_NAMING_STRATEGY, FixedSchemaNaming.unqualified());
        settings.put(AvailableSettings.JAKARTA_NON_JTA_DATASOURCE, pool);
        settings.put(AvailableSettings.MULTI_TENANT_SCHEMA_MAPPER, mapper);
        settings.put(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new ScopedTenantResolver());
        return build("schema-mapper", settings);
    }

    private static EntityManagerFactory build(String name, Map<String, Object> settings) {
        return new HibernatePersistenceConfiguration(name)
                .managedClasses(Tenantry.ENTITIES)
                .property(AvailableSettings.JAKARTA_HBM2DDL_DATABASE_ACTION, "none")
                .property(AvailableSettings.HBM2DDL_AUTO, "none")
                .properties(settings)
                .createEntityManagerFactory();
    }
}
