package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.core.CitusMode;
import dev.tenantry.core.Pooler;
import dev.tenantry.core.TenancyMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Tenantry's settings in a Spring Boot app, under {@code tenantry.*}. The connection comes from
 * {@code spring.datasource.url}, {@code username} and {@code password} (or {@code DATABASE_URL},
 * {@code DATABASE_USER}, {@code DATABASE_PASSWORD}); every other setting of {@code TenantryConfig} is here, and
 * its environment variable ({@code TENANTRY_POOL_MAX_SIZE}, {@code DATABASE_SCHEMA}, ...) still works, with the
 * property taking precedence. Unset properties keep Tenantry's defaults.
 */
@ConfigurationProperties("tenantry")
public class TenantryProperties {

    /** Whether Tenantry provides the DataSource and plugs into Boot's JPA. */
    private boolean enabled = true;

    /** per-deployment (one schema for the whole process) or per-request (the tenant of each request). Default per-deployment. */
    private TenancyMode mode;

    /** The schema of a per-deployment process (DATABASE_SCHEMA). Default public. */
    private String schema;

    /** Whether a per-deployment process creates and migrates its schema at start-up. Default true. */
    private Boolean autoProvision;

    /** The schema holding the tenant registry. Default tenantry. */
    private String sharedSchema;

    /** Where schema changes connect (provisioning, migrations), when not the DataSource's URL, e.g. past PgBouncer. */
    private String adminDatabaseUrl;

    /** Statements each pooled connection keeps prepared on the server; 0 prepares none. Default depends on the mode. */
    private Integer statementCache;

    /** How long opening one connection may take. Default 10s. */
    private Duration connectTimeout;

    /** Shown in pg_stat_activity. Default spring.application.name, else tenantry. */
    private String applicationName;

    /** Whether each tenant schema gets its own role that its transactions run as. Default false. */
    private Boolean tenantRoles;

    /** Whether every entity must name its schema (the tenant's or a shared one); refused at start-up otherwise. Default false. */
    private Boolean requireSchema;

    /** What sits between Tenantry and PostgreSQL: detect, session, transaction, transaction-with-prepared-statements. Default detect. */
    private Pooler pooler;

    /** Schemas kept on pooled connections' search_path after the tenant's, for extensions' functions, types and operators. */
    private List<String> extensionSchemas = new ArrayList<>();

    /** On a Citus coordinator: auto (when the database has the citus extension), on (required) or off. Default auto. */
    private CitusMode citus;

    /** Whether tenants (per request) are migrated at start-up, before the app takes requests. */
    private boolean migrateOnStart = true;

    /** Tenants to provision at start-up, before the app takes requests (idempotent); for development and tests. */
    private List<String> provisionOnStart = new ArrayList<>();

    private final Pool pool = new Pool();

    private final Migrations migrations = new Migrations();

    private final Model model = new Model();

    private final Web web = new Web();

    private final Metrics metrics = new Metrics();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public TenancyMode getMode() {
        return mode;
    }

    public void setMode(TenancyMode mode) {
        this.mode = mode;
    }

    public String getSchema() {
        return schema;
    }

    public void setSchema(String schema) {
        this.schema = schema;
    }

    public Boolean getAutoProvision() {
        return autoProvision;
    }

    public void setAutoProvision(Boolean autoProvision) {
        this.autoProvision = autoProvision;
    }

    public String getSharedSchema() {
        return sharedSchema;
    }

    public void setSharedSchema(String sharedSchema) {
        this.sharedSchema = sharedSchema;
    }

    public String getAdminDatabaseUrl() {
        return adminDatabaseUrl;
    }

    public void setAdminDatabaseUrl(String adminDatabaseUrl) {
        this.adminDatabaseUrl = adminDatabaseUrl;
    }

    public Integer getStatementCache() {
        return statementCache;
    }

    public void setStatementCache(Integer statementCache) {
        this.statementCache = statementCache;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public String getApplicationName() {
        return applicationName;
    }

    public void setApplicationName(String applicationName) {
        this.applicationName = applicationName;
    }

    public Boolean getTenantRoles() {
        return tenantRoles;
    }

    public void setTenantRoles(Boolean tenantRoles) {
        this.tenantRoles = tenantRoles;
    }

    public Boolean getRequireSchema() {
        return requireSchema;
    }

    public void setRequireSchema(Boolean requireSchema) {
        this.requireSchema = requireSchema;
    }

    public Pooler getPooler() {
        return pooler;
    }

    public void setPooler(Pooler pooler) {
        this.pooler = pooler;
    }

    public List<String> getExtensionSchemas() {
        return extensionSchemas;
    }

    public void setExtensionSchemas(List<String> extensionSchemas) {
        this.extensionSchemas = extensionSchemas;
    }

    public CitusMode getCitus() {
        return citus;
    }

    public void setCitus(CitusMode citus) {
        this.citus = citus;
    }

    public boolean isMigrateOnStart() {
        return migrateOnStart;
    }

    public void setMigrateOnStart(boolean migrateOnStart) {
        this.migrateOnStart = migrateOnStart;
    }

    public List<String> getProvisionOnStart() {
        return provisionOnStart;
    }

    public void setProvisionOnStart(List<String> provisionOnStart) {
        this.provisionOnStart = provisionOnStart;
    }

    public Pool getPool() {
        return pool;
    }

    public Migrations getMigrations() {
        return migrations;
    }

    public Model getModel() {
        return model;
    }

    public Web getWeb() {
        return web;
    }

    public Metrics getMetrics() {
        return metrics;
    }

    /** The shared pool. */
    public static class Pool {

        /** Connections at most. Default 30. */
        private Integer maxSize;

        /** Idle connections kept open. Default 2. */
        private Integer minIdle;

        /** How long work waits for a connection. Default 30s. */
        private Duration acquireTimeout;

        /** Connections are retired after this. Default 1h. */
        private Duration maxLifetime;

        /** Idle connections are pinged this often. Default 2m. */
        private Duration keepalive;

        /** Idle connections above the minimum close after this. Default 10m. */
        private Duration idleTimeout;

        /**
         * Per request, the lanes the pool is divided into: each tenant's work goes to its lane's connections. 1 lets every
         * connection serve every tenant. Default: the square root of max-size, with 4 connections per lane at least.
         */
        private Integer lanes;

        /** Distinct tenants a pooled connection serves before it is retired, bounding its backend's memory. Default 0: never. */
        private Integer tenantsPerConnection;

        /**
         * Per request, how long work waits for a connection of its own lane while another lane has an idle one before
         * it takes that one (spills over). Default 20ms; 0 spills over as soon as the lane is full.
         */
        private Duration spillAfter;

        public Integer getMaxSize() {
            return maxSize;
        }

        public void setMaxSize(Integer maxSize) {
            this.maxSize = maxSize;
        }

        public Integer getMinIdle() {
            return minIdle;
        }

        public void setMinIdle(Integer minIdle) {
            this.minIdle = minIdle;
        }

        public Duration getAcquireTimeout() {
            return acquireTimeout;
        }

        public void setAcquireTimeout(Duration acquireTimeout) {
            this.acquireTimeout = acquireTimeout;
        }

        public Duration getMaxLifetime() {
            return maxLifetime;
        }

        public void setMaxLifetime(Duration maxLifetime) {
            this.maxLifetime = maxLifetime;
        }

        public Duration getKeepalive() {
            return keepalive;
        }

        public void setKeepalive(Duration keepalive) {
            this.keepalive = keepalive;
        }

        public Duration getIdleTimeout() {
            return idleTimeout;
        }

        public void setIdleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
        }

        public Integer getLanes() {
            return lanes;
        }

        public void setLanes(Integer lanes) {
            this.lanes = lanes;
        }

        public Integer getTenantsPerConnection() {
            return tenantsPerConnection;
        }

        public void setTenantsPerConnection(Integer tenantsPerConnection) {
            this.tenantsPerConnection = tenantsPerConnection;
        }

        public Duration getSpillAfter() {
            return spillAfter;
        }

        public void setSpillAfter(Duration spillAfter) {
            this.spillAfter = spillAfter;
        }
    }

    /** The tenant migrations. */
    public static class Migrations {

        /**
         * The application's own Flyway locations, run in every tenant schema after the model's, with a history table of
         * their own (e.g. classpath:db/tenant); or several modules in the syntax of TENANTRY_MIGRATIONS
         * (billing=classpath:db/billing;app=classpath:db/app).
         */
        private List<String> locations = new ArrayList<>();

        /** How many tenants migrate at once at start-up. */
        private int parallelism = 4;

        /** How long a migration transaction waits for a lock that requests hold before it is rolled back and retried. Default 2s; 0 waits. */
        private Duration lockTimeout;

        /** How often a tenant rolled back on the lock timeout is tried again in the same run. Default 3. */
        private Integer retries;

        public Duration getLockTimeout() {
            return lockTimeout;
        }

        public void setLockTimeout(Duration lockTimeout) {
            this.lockTimeout = lockTimeout;
        }

        public Integer getRetries() {
            return retries;
        }

        public void setRetries(Integer retries) {
            this.retries = retries;
        }

        public List<String> getLocations() {
            return locations;
        }

        public void setLocations(List<String> locations) {
            this.locations = locations;
        }

        public int getParallelism() {
            return parallelism;
        }

        public void setParallelism(int parallelism) {
            this.parallelism = parallelism;
        }
    }

    /** Tenantry's model: users and anon_sessions. */
    public static class Model {

        /** Whether the model's entities join the EntityManagerFactory and its migrations run in every tenant. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Tenant resolution for Spring MVC requests (per-request mode). */
    public static class Web {

        /** Whether a filter opens the tenant of each request. */
        private boolean enabled = true;

        /** Where the tenant comes from: header, subdomain, path or jwt. An application's own RequestTenantResolver bean replaces it. */
        private Resolver resolver = Resolver.HEADER;

        /** The header that names the tenant (resolver header). */
        private String header = "X-Tenant-Id";

        /** The domain under which the first label names the tenant, e.g. example.com for acme.example.com (resolver subdomain). */
        private String domain;

        /** The path before the tenant's segment, e.g. /t for /t/acme/todos (resolver path). */
        private String pathPrefix = "/";

        /** The JWT claim that names the tenant (resolver jwt, and the principal check). */
        private String jwtClaim = "tenant";

        /** Whether the authenticated principal must belong to the request's tenant (a JWT claim or a TENANT_<id> authority). */
        private boolean requirePrincipalTenant = false;

        /** Paths that need no tenant, as Ant-style patterns. */
        private List<String> excludedPaths = new ArrayList<>(List.of("/actuator/**", "/error"));

        /** Order of the tenant filter; after Spring Security's filter chain (-100) by default. */
        private int filterOrder = -50;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Resolver getResolver() {
            return resolver;
        }

        public void setResolver(Resolver resolver) {
            this.resolver = resolver;
        }

        public String getHeader() {
            return header;
        }

        public void setHeader(String header) {
            this.header = header;
        }

        public String getDomain() {
            return domain;
        }

        public void setDomain(String domain) {
            this.domain = domain;
        }

        public String getPathPrefix() {
            return pathPrefix;
        }

        public void setPathPrefix(String pathPrefix) {
            this.pathPrefix = pathPrefix;
        }

        public String getJwtClaim() {
            return jwtClaim;
        }

        public void setJwtClaim(String jwtClaim) {
            this.jwtClaim = jwtClaim;
        }

        public boolean isRequirePrincipalTenant() {
            return requirePrincipalTenant;
        }

        public void setRequirePrincipalTenant(boolean requirePrincipalTenant) {
            this.requirePrincipalTenant = requirePrincipalTenant;
        }

        public List<String> getExcludedPaths() {
            return excludedPaths;
        }

        public void setExcludedPaths(List<String> excludedPaths) {
            this.excludedPaths = excludedPaths;
        }

        public int getFilterOrder() {
            return filterOrder;
        }

        public void setFilterOrder(int filterOrder) {
            this.filterOrder = filterOrder;
        }

        /** Where a request's tenant comes from. */
        public enum Resolver {
            /** A request header, X-Tenant-Id by default. */
            HEADER,
            /** The first label of the host under tenantry.web.domain. */
            SUBDOMAIN,
            /** The first path segment after tenantry.web.path-prefix. */
            PATH,
            /** A claim of the request's JWT (Spring Security's resource server). */
            JWT
        }
    }

    /** Micrometer meters. */
    public static class Metrics {

        /** Whether http.server.requests carries a tenant tag; off by default, as every tenant is a new time series. */
        private boolean tenantTag = false;

        public boolean isTenantTag() {
            return tenantTag;
        }

        public void setTenantTag(boolean tenantTag) {
            this.tenantTag = tenantTag;
        }
    }
}
