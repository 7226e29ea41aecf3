package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.InvalidConfigurationException;
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
import dev.tenantry.tenancy.internal.TenantConnection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import jakarta.persistence.EntityManagerFactory;
import javax.sql.DataSource;
import org.hibernate.boot.model.naming.PhysicalNamingStrategy;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.cfg.AvailableSettings;

/**
 * Tenantry started without an EntityManagerFactory of its own: the pool, the tenant registry and
 * provisioning, and what a factory built elsewhere needs to work per tenant, namely the Hibernate settings
 * ({@link #hibernateSettings(PhysicalNamingStrategy)}) and a {@link TenantDataSource} for hand-written SQL.
 * For frameworks that build the factory themselves, such as Spring Boot; {@link TenantryPersistence} is this
 * plus a factory. Open one with {@link TenantryPersistence.Builder#open()} and close it at shutdown.
 */
public final class TenantryRuntime implements AutoCloseable {

    private final TenantryConfig config;
    private final Database database;
    private final TenantProvisioning provisioning;
    /** Per request: the provider of every tenant's connections; per deployment: {@code null}. */
    private final SchemaPerTenantConnectionProvider tenantConnections;
    /** Per deployment: the provider of the deployment schema's connections; per request: {@code null}. */
    private final DeploymentSchemaConnectionProvider deploymentConnections;
    private final TenantDataSource dataSource;

    private TenantryRuntime(TenantryConfig config, Database database, TenantProvisioning provisioning,
                            Function<SchemaName, String> roles) {
        this.config = config;
        this.database = database;
        this.provisioning = provisioning;
        if (config.mode() == TenancyMode.PER_REQUEST) {
            this.tenantConnections = new SchemaPerTenantConnectionProvider(database.pool(), provisioning.registry()::schemaOf,
                    roles, SchemaPerTenantConnectionProvider.RESOLVED_TEXTS);
            this.deploymentConnections = null;
            this.dataSource = new TenantDataSource(database.pool(), () -> {
                String tenant = Tenants.currentOrNull();
                return tenant == null ? TenantConnection.withoutTenant(database.pool().getConnection())
                        : tenantConnections.getConnection(tenant);
            });
        } else {
            SchemaName schema = config.deploymentSchema();
            this.tenantConnections = null;
            this.deploymentConnections = new DeploymentSchemaConnectionProvider(database.pool(), schema,
                    roles == null ? null : roles.apply(schema));
            this.dataSource = new TenantDataSource(database.pool(), deploymentConnections::getConnection);
        }
    }

    /**
     * Opens the pool, checks the connection, installs the registry (per request) or provisions the deployment
     * schema when the settings ask for it (per deployment), and installs the mapping for tenant scopes. On any
     * failure the pool is closed again.
     */
    static TenantryRuntime open(TenantryConfig config, List<MigrationModule> modules, ClassLoader classLoader,
                                TenantSchemaMapping mapping) {
        TenantryRuntime runtime = connect(config, modules, classLoader, mapping);
        try {
            runtime.prepare();
            return runtime;
        } catch (RuntimeException e) {
            runtime.close();
            throw e;
        }
    }

    /** Opens and checks the pool and reads what the settings need, writing nothing; {@link #prepare()} writes. */
    static TenantryRuntime connect(TenantryConfig config, List<MigrationModule> modules, ClassLoader classLoader,
                                   TenantSchemaMapping mapping) {
        TenantSchemaMapping effectiveMapping = config.mode() == TenancyMode.PER_DEPLOYMENT
                ? TenantSchemaMapping.identity() : mapping;
        Database database = Database.open(config);
        try {
            database.checkConnection();
            TenantProvisioning provisioning = TenantProvisioning.open(database,
                    TenantProvisioning.migrator(database, modules, classLoader), classLoader, effectiveMapping);
            return new TenantryRuntime(config, database, provisioning, roles(config, database));
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /** Installs the registry (per request) or prepares the deployment schema, and the mapping for tenant scopes. */
    void prepare() {
        if (config.mode() == TenancyMode.PER_REQUEST) {
            provisioning.installRegistry();
        } else {
            prepareDeploymentSchema(config, database, provisioning);
        }
        Tenants.useMapping(provisioning.mapping());
    }

    private static void prepareDeploymentSchema(TenantryConfig config, Database database, TenantProvisioning provisioning) {
        SchemaName schema = config.deploymentSchema();
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
    private static Function<SchemaName, String> roles(TenantryConfig config, Database database) {
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

    /** Runs a job in every ready tenant, inside its scope (scheduled work). */
    public AllTenants allTenants() {
        return new AllTenants(provisioning);
    }

    /**
     * The pool as a DataSource whose connections work in the tenant in scope (per request) or the deployment's
     * schema (per deployment); see {@link TenantDataSource}.
     */
    public DataSource dataSource() {
        return dataSource;
    }

    /** {@link #hibernateSettings(PhysicalNamingStrategy)} with Hibernate's standard naming, which changes no name. */
    public Map<String, Object> hibernateSettings() {
        return hibernateSettings(PhysicalNamingStrategyStandardImpl.INSTANCE);
    }

    /**
     * The Hibernate settings that make a factory work per tenant (per request) or in the deployment's schema:
     * Tenantry's connection provider over the pool, the tenant resolver of {@link Tenants} scopes, the tenant's
     * placeholder as the default schema of every table and sequence that names none, the naming strategy that maps
     * {@code TenantSchema.LOGICAL} to it, and no schema generation (tables come from migrations). Every call returns
     * a new map holding the same provider, so that all factories built from it share one pool and one set of
     * resolved texts. Use {@link #layOver} to apply them to a factory's own settings, and {@link #verify} the factory.
     *
     * @param names the naming strategy for every other name (Spring Boot's snake case, for instance)
     */
    public Map<String, Object> hibernateSettings(PhysicalNamingStrategy names) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put(AvailableSettings.PHYSICAL_NAMING_STRATEGY, new TenantSchemaNamingStrategy(Objects.requireNonNull(names, "names")));
        settings.put(AvailableSettings.JAKARTA_HBM2DDL_DATABASE_ACTION, "none");
        settings.put(AvailableSettings.HBM2DDL_AUTO, "none");
        if (tenantConnections != null) {
            settings.put(AvailableSettings.MULTI_TENANT_CONNECTION_PROVIDER, tenantConnections);
            settings.put(AvailableSettings.MULTI_TENANT_IDENTIFIER_RESOLVER, new ScopedTenantResolver());
        } else {
            settings.put(AvailableSettings.CONNECTION_PROVIDER, deploymentConnections);
        }
        settings.putAll(FactoryBootstrap.tenantSettings());
        return settings;
    }

    /**
     * Lays {@link #hibernateSettings(PhysicalNamingStrategy)} over a factory's own settings. A default schema of the
     * factory's own is refused: it would decide where every table naming no schema lives, for all tenants at once.
     *
     * @param where how the user set them, for the message (such as {@code spring.jpa.properties})
     * @throws InvalidConfigurationException for a default schema other than the tenant's
     */
    public void layOver(Map<String, Object> factorySettings, PhysicalNamingStrategy names, String where) {
        FactoryBootstrap.refuseOwnDefaultSchema(factorySettings, where);
        factorySettings.putAll(hibernateSettings(names));
    }

    /**
     * Checks a factory built with these settings once it stands: reads where its tables and sequences went, refuses
     * what cannot be made safe and reports what all tenants share, as {@link TenantryPersistence.Builder#start()} does.
     *
     * @throws SchemaMappingException naming each entity that cannot be placed safely
     */
    public TenantMapping verify(EntityManagerFactory factory) {
        return FactoryBootstrap.verify(config, factory);
    }

    /** Closes the pool. Close the factories built with {@link #hibernateSettings} first. */
    @Override
    public void close() {
        database.close();
    }

    @Override
    public String toString() {
        return "TenantryRuntime[" + config + "]";
    }
}
