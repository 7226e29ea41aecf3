package dev.tenantry.tenancy;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.TenancyMode;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import dev.tenantry.tenancy.internal.BootModel;
import jakarta.persistence.EntityManagerFactory;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hibernate.boot.Metadata;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.jpa.HibernatePersistenceConfiguration;
import org.hibernate.jpa.HibernatePersistenceProvider;
import org.hibernate.jpa.boot.spi.Bootstrap;
import org.hibernate.jpa.boot.spi.PersistenceUnitDescriptor;
import org.hibernate.jpa.boot.spi.PersistenceXmlParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Hibernate factory of a Tenantry persistence layer, from entity classes or from a unit of
 * {@code META-INF/persistence.xml}, with the tenant's schema as Hibernate's default schema: every table and
 * sequence whose mapping names no schema is rendered in the tenant's placeholder, exactly as if it named
 * {@link TenantSchema#LOGICAL}. Then reads where the model's tables and sequences went ({@link TenantMapping}),
 * refuses what cannot be made safe and reports what is shared.
 */
final class FactoryBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(FactoryBootstrap.class);

    /** Hibernate's default schema: Tenantry's to set. */
    static final String DEFAULT_SCHEMA = AvailableSettings.DEFAULT_SCHEMA;

    /** A factory and where its tables and sequences live. */
    record Built(EntityManagerFactory factory, TenantMapping mapping) {
    }

    private FactoryBootstrap() {
    }

    /**
     * @param settings        Tenantry's Hibernate settings with the application's own laid over them
     * @param managedClasses  the entity classes, when no persistence unit is named
     * @param persistenceUnit the unit of {@code persistence.xml} to build, or {@code null}
     */
    static Built build(TenantryConfig config, Map<String, Object> settings, List<Class<?>> managedClasses,
                       String persistenceUnit) {
        refuseOwnDefaultSchema(settings, "a property given to the builder");
        Map<String, Object> all = new LinkedHashMap<>(settings);
        all.putAll(tenantSettings());
        EntityManagerFactory factory = persistenceUnit != null ? fromPersistenceUnit(persistenceUnit, all)
                : fromClasses(managedClasses, all);
        try {
            return new Built(factory, verify(config, factory));
        } catch (RuntimeException e) {
            factory.close();
            throw e;
        }
    }

    /**
     * The settings that make the tenant's schema Hibernate's default and let Tenantry read the boot mapping: lay them
     * over a factory's settings, then {@link #verify} the factory once it is built.
     */
    static Map<String, Object> tenantSettings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(DEFAULT_SCHEMA, TenantSchema.PLACEHOLDER);
        settings.put(BootModel.SETTING, new BootModel());
        return settings;
    }

    /**
     * Reads where a factory built with {@link #tenantSettings()} put its tables and sequences, refuses what cannot be
     * made safe ({@link SchemaMappingException}) and reports what is shared.
     */
    static TenantMapping verify(TenantryConfig config, EntityManagerFactory factory) {
        Object carried = factory.getProperties().get(BootModel.SETTING);
        Metadata metadata = carried instanceof BootModel bootModel ? bootModel.take() : null;
        if (metadata == null) {
            throw new TenantryException("Hibernate did not hand Tenantry its mapping: the factory was built without"
                    + " Tenantry's settings, or the service file META-INF/services/org.hibernate.integrator.spi.Integrator"
                    + " of tenantry-tenancy is missing from the class path (a fat jar must merge service files)");
        }
        TenantMapping mapping = TenantMapping.read(metadata, factory.unwrap(SessionFactoryImplementor.class));
        check(mapping, config);
        report(mapping, config);
        return mapping;
    }

    private static EntityManagerFactory fromClasses(List<Class<?>> managedClasses, Map<String, Object> settings) {
        if (managedClasses.isEmpty()) {
            throw new IllegalStateException("No entity classes: add them with managedClasses(...) or name a persistenceUnit(...)");
        }
        return new HibernatePersistenceConfiguration("tenantry")
                .managedClasses(managedClasses)
                .properties(settings)
                .createEntityManagerFactory();
    }

    /**
     * What {@code Persistence.createEntityManagerFactory(name, settings)} does for a Hibernate unit, with the unit's
     * own properties read first, so that a setting Tenantry must own is refused rather than silently overridden.
     */
    private static EntityManagerFactory fromPersistenceUnit(String name, Map<String, Object> settings) {
        // The parser lays the settings it is given over each unit's own properties: give it none of Tenantry's.
        Map<String, Object> application = new LinkedHashMap<>(settings);
        application.remove(DEFAULT_SCHEMA);
        PersistenceXmlParser parser = PersistenceXmlParser.create(application, null, null);
        List<URL> files = parser.getClassLoaderService().locateResources("META-INF/persistence.xml");
        Map<String, PersistenceUnitDescriptor> units = files.isEmpty() ? Map.of() : parser.parse(files);
        PersistenceUnitDescriptor unit = units.get(name);
        if (unit == null) {
            throw new TenantryException("No persistence unit '" + name + "' in META-INF/persistence.xml ("
                    + (units.isEmpty() ? "none on the class path" : "found: " + String.join(", ", units.keySet())) + ")");
        }
        String provider = unit.getProviderClassName();
        if (provider != null && !provider.equals(HibernatePersistenceProvider.class.getName())) {
            throw new TenantryException("Persistence unit '" + name + "' names the provider " + provider
                    + "; Tenantry runs on Hibernate: " + HibernatePersistenceProvider.class.getName());
        }
        refuseOwnDefaultSchema(unit.getProperties(), "persistence unit '" + name + "'");
        return Bootstrap.getEntityManagerFactoryBuilder(unit, settings).build();
    }

    /**
     * An application's own default schema would decide where every unqualified table lives, for all tenants at once:
     * refused, unless it names the tenant's schema anyway.
     */
    static void refuseOwnDefaultSchema(Map<?, ?> properties, String where) {
        Object value = properties.get(DEFAULT_SCHEMA);
        String schema = value == null ? "" : value.toString().strip();
        if (schema.isEmpty() || schema.equals(TenantSchema.LOGICAL) || schema.equals(TenantSchema.PLACEHOLDER)) {
            return;
        }
        throw new InvalidConfigurationException(DEFAULT_SCHEMA, "'" + schema + "' (" + where + "): Tenantry puts every"
                + " table and sequence that names no schema in the tenant's schema, and shares only what names its schema."
                + " Remove the setting, and name the schema of entities that all tenants share in @Table(schema = \"...\")");
    }

    /** Refuses, naming each entity, what cannot be made safe, and with TENANTRY_REQUIRE_SCHEMA every entity naming no schema. */
    private static void check(TenantMapping mapping, TenantryConfig config) {
        List<String> problems = new ArrayList<>(mapping.problems());
        Set<String> entities = new LinkedHashSet<>(mapping.problemEntities());
        if (config.requireSchema()) {
            for (TenantMapping.Placement table : mapping.placements()) {
                if (table.kind() == TenantMapping.Kind.TABLE && !table.schemaNamed()) {
                    problems.add("Entity " + table.entity() + " names no schema for its table " + table.name() + ", and "
                            + TenantryConfig.REQUIRE_SCHEMA + " is on: name it in @Table(schema = TenantSchema.LOGICAL)"
                            + " for the tenant's schema, or the schema that all tenants share");
                    entities.add(table.entity());
                }
            }
        }
        if (problems.size() == 1) {
            throw new SchemaMappingException(problems.get(0), List.copyOf(entities));
        }
        if (!problems.isEmpty()) {
            throw new SchemaMappingException(problems.size() + " problems in the entity model:\n  "
                    + String.join("\n  ", problems), List.copyOf(entities));
        }
    }

    /**
     * Says at start-up which entities are the tenant's only because they name no schema, and warns of entities mapped
     * to {@code public} where {@code public} is not the tenant's schema: every tenant (or deployment) shares their rows.
     */
    private static void report(TenantMapping mapping, TenantryConfig config) {
        List<String> byDefault = mapping.entitiesWithoutSchema();
        if (!byDefault.isEmpty()) {
            LOG.info("Tenant-scoped because they name no schema: {}", String.join(", ", byDefault));
        }
        boolean publicIsShared = config.mode() == TenancyMode.PER_REQUEST || !config.deploymentSchema().isPublic();
        String inPublic = mapping.shared().stream().filter(p -> "public".equals(p.schema()))
                .map(p -> p.entity() + " (" + p.kind().label() + " public." + p.name() + ")")
                .collect(Collectors.joining(", "));
        if (publicIsShared && !inPublic.isEmpty()) {
            LOG.warn("Mapped to schema public, so every {} reads and writes the same rows: {}. If they are meant to be"
                    + " shared, nothing to do; else remove schema = \"public\" so that they follow the tenant",
                    config.mode() == TenancyMode.PER_REQUEST ? "tenant" : "deployment", inPublic);
        }
    }
}
