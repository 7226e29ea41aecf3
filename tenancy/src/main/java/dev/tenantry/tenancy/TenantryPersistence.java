package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.TenancyMode;
import dev.tenantry.core.TenantryConfig;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;
import org.hibernate.cfg.AvailableSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started Tenantry persistence layer: the shared pool, the tenant registry, the migrations, and a
 * Hibernate {@link EntityManagerFactory} wired for the configured {@link TenancyMode}. Build one per
 * process with {@link #builder(TenantryConfig)} and close it at shutdown.
 */
public final class TenantryPersistence implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TenantryPersistence.class);

    private final TenantryRuntime runtime;
    private final EntityManagerFactory entityManagerFactory;
    private final TenantMapping mapping;

    private TenantryPersistence(TenantryRuntime runtime, FactoryBootstrap.Built factory) {
        this.runtime = runtime;
        this.entityManagerFactory = factory.factory();
        this.mapping = factory.mapping();
    }

    public static Builder builder(TenantryConfig config) {
        return new Builder(config);
    }

    public TenantryConfig config() {
        return runtime.config();
    }

    public TenancyMode mode() {
        return runtime.mode();
    }

    /** The pool and the admin connections. */
    public Database database() {
        return runtime.database();
    }

    /** Provision, list and migrate tenants. */
    public TenantProvisioning provisioning() {
        return runtime.provisioning();
    }

    /** The pool for hand-written SQL, in the tenant in scope or the deployment's schema; see {@link TenantDataSource}. */
    public DataSource dataSource() {
        return runtime.dataSource();
    }

    /**
     * The factory for all tenants. In per-request mode, open EntityManagers inside
     * {@link Tenants#in(String, Runnable)} or with the {@code org.hibernate.tenantId} property.
     */
    public EntityManagerFactory entityManagerFactory() {
        return entityManagerFactory;
    }

    /** Where the entity model's tables and sequences live: in the tenant's schema, or shared. */
    public TenantMapping mapping() {
        return mapping;
    }

    @Override
    public void close() {
        try {
            if (entityManagerFactory.isOpen()) {
                entityManagerFactory.close();
            }
        } finally {
            runtime.close();
        }
    }

    /** Collects the model and options, then {@link #start()}s. */
    public static final class Builder {

        private final TenantryConfig config;
        private final List<Class<?>> managedClasses = new ArrayList<>();
        private final List<MigrationModule> modules = new ArrayList<>();
        private ClassLoader classLoader;
        private final Map<String, Object> properties = new LinkedHashMap<>();
        private TenantSchemaMapping mapping = TenantSchemaMapping.identity();
        private String persistenceUnit;

        private Builder(TenantryConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /**
         * Entity classes of the model. An entity that names no schema, or {@code TenantSchema.LOGICAL}, is the tenant's;
         * one shared by all tenants names its schema.
         */
        public Builder managedClasses(Class<?>... classes) {
            managedClasses.addAll(List.of(classes));
            return this;
        }

        public Builder managedClasses(List<Class<?>> classes) {
            managedClasses.addAll(classes);
            return this;
        }

        /**
         * Flyway locations of the application's tenant migrations, such as {@code classpath:db/myapp}: the
         * {@value MigrationModule#APP} module, with its own history table ({@code flyway_schema_history_app}),
         * migrated after the modules declared before it.
         */
        public Builder migrations(String... locations) {
            return migrations(List.of(locations));
        }

        public Builder migrations(List<String> locations) {
            return module(MigrationModule.of(MigrationModule.APP, locations));
        }

        /**
         * Declares a module of tenant migrations with a history of its own; modules migrate in the order they are
         * declared, then those of {@code TENANTRY_MIGRATIONS}. A module declared twice gets the locations of both.
         */
        public Builder module(MigrationModule module) {
            modules.add(Objects.requireNonNull(module, "module"));
            return this;
        }

        /** Where {@code classpath:} migration locations are read from (default: the thread's context class loader). */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = Objects.requireNonNull(loader, "classLoader");
            return this;
        }

        /** How tenant ids map to schema names (per-request mode); the default uses the id itself. */
        public Builder mapping(TenantSchemaMapping tenantSchemaMapping) {
            this.mapping = Objects.requireNonNull(tenantSchemaMapping, "mapping");
            return this;
        }

        /**
         * Builds the factory from the named unit of {@code META-INF/persistence.xml} (its classes and
         * properties), with Tenantry's connection and tenancy settings laid over it.
         */
        public Builder persistenceUnit(String name) {
            this.persistenceUnit = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Any further Hibernate or Jakarta Persistence property. */
        public Builder property(String name, Object value) {
            properties.put(name, value);
            return this;
        }

        /**
         * Opens everything but the factory, for a framework that builds its own (Spring Boot): the pool, checked;
         * the registry (per request) or the provisioned deployment schema (per deployment); and the settings and
         * DataSource with which that factory works per tenant ({@link TenantryRuntime}). The entity classes,
         * persistence unit and properties given to this builder are for {@link #start()} only. On any failure
         * everything opened so far is closed.
         */
        public TenantryRuntime open() {
            return TenantryRuntime.open(config, allModules(), loader(), mapping);
        }

        /** The declared modules, then those of {@code TENANTRY_MIGRATIONS}. */
        private List<MigrationModule> allModules() {
            List<MigrationModule> all = MigrationModule.merge(List.of(modules, config.migrations()));
            if (all.isEmpty()) {
                throw new IllegalStateException("No migrations: declare them with module(...) or migrations(...), or set "
                        + TenantryConfig.MIGRATIONS);
            }
            return all;
        }

        private ClassLoader loader() {
            return classLoader != null ? classLoader : Thread.currentThread().getContextClassLoader();
        }

        /**
         * Opens the pool, checks the connection, builds the EntityManagerFactory and checks its mapping, then installs
         * the registry and provisions the deployment schema when the mode and settings ask for it. A mapping that is
         * refused ({@link SchemaMappingException}) is refused before anything is written to the database. On any
         * failure everything opened so far is closed again.
         */
        public TenantryPersistence start() {
            TenantryRuntime runtime = TenantryRuntime.connect(config, allModules(), loader(), mapping);
            try {
                Map<String, Object> settings = runtime.hibernateSettings();
                if (classLoader != null) {
                    // The application's entities may come from a loader Hibernate does not search by itself.
                    settings.put(AvailableSettings.CLASSLOADERS, List.of(classLoader));
                }
                settings.putAll(properties);
                FactoryBootstrap.Built factory = FactoryBootstrap.build(config, settings, managedClasses, persistenceUnit);
                try {
                    runtime.prepare();
                } catch (RuntimeException e) {
                    factory.factory().close();
                    throw e;
                }
                LOG.info("Tenantry started: {}", config);
                return new TenantryPersistence(runtime, factory);
            } catch (RuntimeException e) {
                runtime.close();
                throw e;
            }
        }
    }
}
