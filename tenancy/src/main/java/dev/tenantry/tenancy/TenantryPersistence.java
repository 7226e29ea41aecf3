package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenancyMode;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.hibernate.DeploymentSchemaConnectionProvider;
import dev.tenantry.tenancy.hibernate.SchemaPerTenantConnectionProvider;
import dev.tenantry.tenancy.hibernate.ScopedTenantResolver;
import dev.tenantry.tenancy.hibernate.TenantSchemaNamingStrategy;
import jakarta.persistence.EntityManagerFactory;
import dev.tenantry.core.InvalidConfigurationException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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

    private final TenantryConfig config;
    private final Database database;
    private final TenantProvisioning provisioning;
    private final EntityManagerFactory entityManagerFactory;
    private final TenantMapping mapping;

    private TenantryPersistence(TenantryConfig config, Database database, TenantProvisioning provisioning,
                                FactoryBootstrap.Built factory) {
        this.config = config;
        this.database = database;
        this.provisioning = provisioning;
        this.entityManagerFactory = factory.factory();
        this.mapping = factory.mapping();
    }

    public static Builder builder(TenantryConfig config) {
        return new Builder(config);
    }

    public TenantryConfig config() {
        return config;
    }

    public TenancyMode mode() {
        return config.mode();
    }

    /** The pool and the admin connections. */
    public Database database() {
        return database;
    }

    /** Provision, list and migrate tenants. */
    public TenantProvisioning provisioning() {
        return provisioning;
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
            database.close();
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
         * Opens the pool, checks the connection, builds the EntityManagerFactory and checks its mapping, then installs
         * the registry and provisions the deployment schema when the mode and settings ask for it. A mapping that is
         * refused ({@link SchemaMappingException}) is refused before anything is written to the database. On any
         * failure everything opened so far is closed again.
         */
        public TenantryPersistence start() {
            List<MigrationModule> all = MigrationModule.merge(List.of(modules, config.migrations()));
            if (all.isEmpty()) {
                throw new IllegalStateException("No migrations: declare them with module(...) or migrations(...), or set "
                        + TenantryConfig.MIGRATIONS);
            }
            ClassLoader loader = classLoader != null ? classLoader : Thread.currentThread().getContextClassLoader();
            TenantSchemaMapping effectiveMapping = config.mode() == TenancyMode.PER_DEPLOYMENT
                    ? TenantSchemaMapping.identity() : mapping;
            Database database = Database.open(config);
            try {
                database.checkConnection();
                TenantProvisioning provisioning = TenantProvisioning.open(database,
                        TenantProvisioning.migrator(database, all, loader), loader, effectiveMapping);
                FactoryBootstrap.Built factory = FactoryBootstrap.build(config,
                        hibernateSettings(database, provisioning.registry(), roles(database)), managedClasses, persistenceUnit);
                try {
                    if (config.mode() == TenancyMode.PER_REQUEST) {
                        provisioning.installRegistry();
                    } else {
                        prepareDeploymentSchema(database, provisioning, config.deploymentSchema());
                    }
                } catch (RuntimeException e) {
                    factory.factory().close();
                    throw e;
                }
                Tenants.useMapping(provisioning.mapping());
                LOG.info("Tenantry started: {}", config);
                return new TenantryPersistence(config, database, provisioning, factory);
            } catch (RuntimeException e) {
                database.close();
                throw e;
            }
        }

        private void prepareDeploymentSchema(Database database, TenantProvisioning provisioning, SchemaName schema) {
            if (config.autoProvision()) {
                provisioning.provisionDeployment(schema);
                return;
            }
            try (Connection connection = database.pool().getConnection()) {
                if (!SchemaMigrator.schemaExists(connection, schema)) {
                    throw new TenantryException("Schema \"" + schema + "\" (DATABASE_SCHEMA) does not exist and "
                            + TenantryConfig.AUTO_PROVISION + " is false; create it with: tenantry tenants create " + schema);
                }
            } catch (SQLException e) {
                throw new TenantryException("Cannot check schema \"" + schema + "\": " + e.getMessage(), e);
            }
        }

        /** With tenant roles on, the quoted role of each schema, remembered; else {@code null}. */
        private Function<SchemaName, String> roles(Database database) {
            if (!config.tenantRoles()) {
                return null;
            }
            if (config.mode() == TenancyMode.PER_DEPLOYMENT && config.deploymentSchema().isPublic()) {
                throw new InvalidConfigurationException(TenantryConfig.TENANT_ROLES,
                        "tenant roles need a schema of their own; set DATABASE_SCHEMA or use per-request mode");
            }
            String databaseName;
            try (Connection connection = database.admin().getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT current_database()")) {
                rows.next();
                databaseName = rows.getString(1);
            } catch (SQLException e) {
                throw new TenantryException("Cannot read the database name for tenant roles: " + e.getMessage(), e);
            }
            Map<SchemaName, String> known = new ConcurrentHashMap<>();
            return schema -> known.computeIfAbsent(schema, s -> TenantRoles.quotedRoleFor(s, databaseName));
        }

        private Map<String, Object> hibernateSettings(Database database, TenantRegistry registry,
                                                      Function<SchemaName, String> roles) {
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put(AvailableSettings.PHYSICAL_NAMING_STRATEGY, new TenantSchemaNamingStrategy());
            settings.put(AvailableSettings.JAKARTA_HBM2DDL_DATABASE_ACTION, "none");
            settings.put(AvailableSettings.HBM2DDL_AUTO, "none");
            if (config.mode() == TenancyMode.PER_REQUEST) {
                settings.put(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER,
                        new SchemaPerTenantConnectionProvider(database.pool(), registry::schemaOf, roles,
                                SchemaPerTenantConnectionProvider.RESOLVED_TEXTS));
                settings.put(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new ScopedTenantResolver());
            } else {
                settings.put(AvailableSettings.CONNECTION_PROVIDER, new DeploymentSchemaConnectionProvider(database.pool(),
                        config.deploymentSchema(), roles == null ? null : roles.apply(config.deploymentSchema())));
            }
            if (classLoader != null) {
                // The application's entities may come from a loader Hibernate does not search by itself.
                settings.put(AvailableSettings.CLASSLOADERS, List.of(classLoader));
            }
            settings.putAll(properties);
            return settings;
        }
    }
}
