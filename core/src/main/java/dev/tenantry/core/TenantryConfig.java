package dev.tenantry.core;

import dev.tenantry.core.internal.SettingParsers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every Tenantry setting, validated once at start-up. Build it from the environment
 * ({@link #fromEnvironment()}), from code ({@link #builder()}), or both: code overrides the
 * environment when it is applied after {@link Builder#environment(Map)}. A bad value fails in the
 * setter or in {@link Builder#build()} with an {@link InvalidConfigurationException} that names the
 * setting by its environment variable.
 */
public final class TenantryConfig {

    public static final String DATABASE_URL = "DATABASE_URL";
    public static final String DATABASE_USER = "DATABASE_USER";
    public static final String DATABASE_PASSWORD = "DATABASE_PASSWORD";
    public static final String DATABASE_SCHEMA = "DATABASE_SCHEMA";
    public static final String MODE = "TENANTRY_MODE";
    public static final String AUTO_PROVISION = "TENANTRY_AUTO_PROVISION";
    public static final String SHARED_SCHEMA = "TENANTRY_SHARED_SCHEMA";
    public static final String POOL_MAX_SIZE = "TENANTRY_POOL_MAX_SIZE";
    public static final String POOL_MIN_IDLE = "TENANTRY_POOL_MIN_IDLE";
    public static final String POOL_ACQUIRE_TIMEOUT = "TENANTRY_POOL_ACQUIRE_TIMEOUT";
    public static final String POOL_MAX_LIFETIME = "TENANTRY_POOL_MAX_LIFETIME";
    public static final String POOL_KEEPALIVE = "TENANTRY_POOL_KEEPALIVE";
    public static final String POOL_IDLE_TIMEOUT = "TENANTRY_POOL_IDLE_TIMEOUT";
    public static final String POOL_LANES = "TENANTRY_POOL_LANES";
    public static final String POOL_TENANTS_PER_CONNECTION = "TENANTRY_POOL_TENANTS_PER_CONNECTION";
    public static final String POOL_SPILL_AFTER = "TENANTRY_POOL_SPILL_AFTER";
    public static final String CONNECT_TIMEOUT = "TENANTRY_CONNECT_TIMEOUT";
    public static final String APPLICATION_NAME = "TENANTRY_APPLICATION_NAME";
    public static final String TENANT_ROLES = "TENANTRY_TENANT_ROLES";
    public static final String ADMIN_DATABASE_URL = "TENANTRY_ADMIN_DATABASE_URL";
    public static final String STATEMENT_CACHE = "TENANTRY_STATEMENT_CACHE";
    public static final String CITUS = "TENANTRY_CITUS";
    public static final String MIGRATIONS = "TENANTRY_MIGRATIONS";
    public static final String MIGRATION_LOCK_TIMEOUT = "TENANTRY_MIGRATION_LOCK_TIMEOUT";
    public static final String MIGRATION_RETRIES = "TENANTRY_MIGRATION_RETRIES";

    /** How long a migration waits for a table lock before it is rolled back and retried, unless set. */
    public static final Duration DEFAULT_MIGRATION_LOCK_TIMEOUT = Duration.ofSeconds(2);
    /** How often a migration run retries a tenant that hit the lock timeout, unless set. */
    public static final int DEFAULT_MIGRATION_RETRIES = 3;
    public static final String REQUIRE_SCHEMA = "TENANTRY_REQUIRE_SCHEMA";
    public static final String POOLER = "TENANTRY_POOLER";
    public static final String EXTENSION_SCHEMAS = "TENANTRY_EXTENSION_SCHEMAS";

    /** Statements a pooled connection keeps prepared in per-request mode at most, unless set: 1,000 tenants' worth of 4. */
    public static final int PER_REQUEST_STATEMENT_CACHE = 4096;
    /**
     * Statements the whole pool keeps prepared in per-request mode at most, unless set: at about 20 KiB of server
     * memory each (plan, query tree and source, measured on PostgreSQL 15), some 640 MiB.
     */
    public static final int PER_REQUEST_POOL_STATEMENT_BUDGET = 32_768;
    /** Statements each pooled connection keeps prepared in per-deployment mode, unless set: pgjdbc's own default. */
    public static final int PER_DEPLOYMENT_STATEMENT_CACHE = 256;
    /** How long work waits for its own busy lane, by default, before it takes another lane's idle connection. */
    public static final long DEFAULT_POOL_SPILL_AFTER_MILLIS = 20;

    /** Connections each lane gets at least when the number of lanes is derived from the pool size. */
    public static final int MIN_CONNECTIONS_PER_LANE = 4;
    /** Statements one tenant's work is counted as keeping prepared, when a connection's tenants size its cache. */
    static final int STATEMENTS_PER_TENANT = 4;

    private final DatabaseUrl databaseUrl;
    private final String user;
    private final String password;
    private final TenancyMode mode;
    private final SchemaName deploymentSchema;
    private final boolean autoProvision;
    private final SchemaName sharedSchema;
    private final int poolMaxSize;
    private final int poolMinIdle;
    private final Integer poolLanes;
    private final int tenantsPerConnection;
    private final Duration poolSpillAfter;
    private final Duration acquireTimeout;
    private final Duration maxLifetime;
    private final Duration keepalive;
    private final Duration idleTimeout;
    private final Duration connectTimeout;
    private final String applicationName;
    private final boolean tenantRoles;
    private final DatabaseUrl adminDatabaseUrl;
    private final Integer statementCache;
    private final CitusMode citus;
    private final List<MigrationModule> migrations;
    private final Duration migrationLockTimeout;
    private final int migrationRetries;
    private final boolean requireSchema;
    private final Pooler pooler;
    private final List<SchemaName> extensionSchemas;

    private TenantryConfig(Builder b) {
        this.databaseUrl = b.databaseUrl;
        this.user = b.user != null ? b.user : b.databaseUrl.user();
        this.password = b.password != null ? b.password : b.databaseUrl.password();
        this.mode = b.mode;
        this.deploymentSchema = b.deploymentSchema;
        this.autoProvision = b.autoProvision;
        this.sharedSchema = b.sharedSchema;
        this.poolMaxSize = b.poolMaxSize;
        this.poolMinIdle = b.effectiveMinIdle();
        this.poolLanes = b.poolLanes;
        this.tenantsPerConnection = b.tenantsPerConnection;
        this.poolSpillAfter = b.poolSpillAfter;
        this.acquireTimeout = b.acquireTimeout;
        this.maxLifetime = b.maxLifetime;
        this.keepalive = b.keepalive;
        this.idleTimeout = b.idleTimeout;
        this.connectTimeout = b.connectTimeout;
        this.applicationName = b.applicationName;
        this.tenantRoles = b.tenantRoles;
        this.adminDatabaseUrl = b.adminDatabaseUrl;
        this.statementCache = b.statementCache;
        this.citus = b.citus;
        this.migrations = b.migrations;
        this.migrationLockTimeout = b.migrationLockTimeout;
        this.migrationRetries = b.migrationRetries;
        this.requireSchema = b.requireSchema;
        this.pooler = b.pooler;
        this.extensionSchemas = b.extensionSchemas;
    }

    /** Settings read from the process environment, validated. */
    public static TenantryConfig fromEnvironment() {
        return builder().environment(System.getenv()).build();
    }

    /** A builder holding the defaults; nothing is read from the environment unless asked. */
    public static Builder builder() {
        return new Builder();
    }

    public DatabaseUrl databaseUrl() {
        return databaseUrl;
    }

    /** The user from {@code DATABASE_USER}, else from the URL; {@code null} lets the driver decide. */
    public String user() {
        return user;
    }

    /** The password; never logged or printed by Tenantry. */
    public String password() {
        return password;
    }

    public TenancyMode mode() {
        return mode;
    }

    /** The schema a per-deployment process works in: {@code DATABASE_SCHEMA}, else {@code public}. */
    public SchemaName deploymentSchema() {
        return deploymentSchema;
    }

    /** Whether a per-deployment process creates and migrates its schema at start-up. */
    public boolean autoProvision() {
        return autoProvision;
    }

    /** The schema holding what all tenants share: the tenant registry. */
    public SchemaName sharedSchema() {
        return sharedSchema;
    }

    public int poolMaxSize() {
        return poolMaxSize;
    }

    public int poolMinIdle() {
        return poolMinIdle;
    }

    /**
     * How many lanes the pool is divided into ({@code TENANTRY_POOL_LANES}): per request each tenant's work goes to
     * the connections of one lane, so each PostgreSQL backend caches the catalog of a share of the tenants only.
     * Unless set, {@link #defaultLanes(int) derived from the pool size}; always 1 per deployment, where every
     * connection serves one schema.
     */
    public int poolLanes() {
        if (mode != TenancyMode.PER_REQUEST) {
            return 1;
        }
        return poolLanes != null ? poolLanes : defaultLanes(poolMaxSize);
    }

    /**
     * The lanes of a per-request pool of {@code poolMaxSize} connections unless set: the square root of the pool size,
     * rounded down, but no more than leave {@value #MIN_CONNECTIONS_PER_LANE} connections to each lane, so that one
     * busy tenant still has a few connections of its own lane; a pool of fewer than 8 is one lane. Pool 10: 2 lanes
     * of 5; 16: 4 of 4; 30: 5 of 6; 100: 10 of 10.
     */
    public static int defaultLanes(int poolMaxSize) {
        int root = (int) Math.sqrt(poolMaxSize);
        return Math.max(1, Math.min(root, poolMaxSize / MIN_CONNECTIONS_PER_LANE));
    }

    /**
     * How many distinct tenants one pooled connection serves before it is retired and replaced by a fresh one
     * ({@code TENANTRY_POOL_TENANTS_PER_CONNECTION}), which bounds the catalog cache that its PostgreSQL backend
     * keeps whatever the traffic; 0 (the default) never retires a connection for this.
     */
    public int tenantsPerConnection() {
        return tenantsPerConnection;
    }

    /**
     * How long, per request, work waits for a connection of its own lane while another lane has an idle one
     * ({@code TENANTRY_POOL_SPILL_AFTER}, default {@value #DEFAULT_POOL_SPILL_AFTER_MILLIS}ms) before it spills over
     * to that lane. Work never waits at all when its lane's queue already holds as many borrows as the lane has
     * connections; 0 spills over as soon as the lane is full. With one lane it has no effect.
     */
    public Duration poolSpillAfter() {
        return poolSpillAfter;
    }

    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    public Duration maxLifetime() {
        return maxLifetime;
    }

    public Duration keepalive() {
        return keepalive;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public String applicationName() {
        return applicationName;
    }

    /**
     * Whether each tenant schema gets its own PostgreSQL role that its transactions run as, so that the
     * database itself refuses SQL naming another tenant's schema (see {@code TenantRoles}).
     */
    public boolean tenantRoles() {
        return tenantRoles;
    }

    /**
     * Where schema changes (provisioning, migrations, copies) connect: {@code TENANTRY_ADMIN_DATABASE_URL},
     * else {@code DATABASE_URL}. Behind PgBouncer in transaction mode, point it at PostgreSQL itself (or a
     * session-mode pool): migrations hold session-level locks and settings that a transaction-mode pooler
     * would spread over several server sessions.
     */
    public DatabaseUrl adminDatabaseUrl() {
        return adminDatabaseUrl != null ? adminDatabaseUrl : databaseUrl;
    }

    /**
     * How many statements each pooled connection keeps prepared on the server ({@code TENANTRY_STATEMENT_CACHE}),
     * unless set: per deployment {@value #PER_DEPLOYMENT_STATEMENT_CACHE}, pgjdbc's default; per request, where
     * every tenant's statements are texts of their own, {@value #PER_REQUEST_STATEMENT_CACHE}, but no more than
     * {@value #PER_REQUEST_POOL_STATEMENT_BUDGET} over the whole pool (1,092 per connection for a pool of 30) and
     * never fewer than pgjdbc's 256; with {@link #tenantsPerConnection()} set, no more than
     * {@value #STATEMENTS_PER_TENANT} for each tenant a connection may serve (and again never fewer than 256). With
     * lanes, each connection sees only its lane's tenants, so the same cache holds {@link #poolLanes()} times as many
     * tenants' statements. {@code 0} prepares nothing on the server. Behind a pooler that does not carry
     * prepared statements nothing is prepared on the server whatever this says: see {@link #pooler()}.
     */
    public int statementCache() {
        if (statementCache != null) {
            return statementCache;
        }
        if (mode != TenancyMode.PER_REQUEST) {
            return PER_DEPLOYMENT_STATEMENT_CACHE;
        }
        int statements = Math.min(PER_REQUEST_STATEMENT_CACHE,
                Math.max(PER_DEPLOYMENT_STATEMENT_CACHE, PER_REQUEST_POOL_STATEMENT_BUDGET / poolMaxSize));
        if (tenantsPerConnection > 0) {
            // A connection never serves more tenants than this, so it never needs more of their statements.
            statements = Math.min(statements, Math.max(PER_DEPLOYMENT_STATEMENT_CACHE,
                    tenantsPerConnection * STATEMENTS_PER_TENANT));
        }
        return statements;
    }

    /**
     * How many tenants' statements one pooled connection's statement cache holds, counting
     * {@value #STATEMENTS_PER_TENANT} statements a tenant: per request, each lane's connections prepare statements on
     * the server only while the lane's recent tenants are no more than this (see {@link PoolLane#preparesStatements()}).
     * 0 where Tenantry leaves the driver's prepare threshold alone: per deployment (one tenant's texts), with
     * {@link #statementCache()} 0, or with {@code prepareThreshold} set in {@code DATABASE_URL}.
     */
    public int statementCacheTenants() {
        if (mode != TenancyMode.PER_REQUEST || statementCache() == 0
                || databaseUrl.parameters().containsKey("prepareThreshold")) {
            return 0;
        }
        return Math.max(1, statementCache() / STATEMENTS_PER_TENANT);
    }

    /**
     * Whether Tenantry works with Citus ({@code TENANTRY_CITUS}): {@code auto} (the default) when the database
     * has the {@code citus} extension; see {@link Citus} for what changes.
     */
    public CitusMode citus() {
        return citus;
    }

    /**
     * The application's migration modules ({@code TENANTRY_MIGRATIONS}), migrated after the model's in every tenant
     * schema, each with a history table of its own; empty unless set.
     */
    public List<MigrationModule> migrations() {
        return migrations;
    }

    /**
     * How long each migration transaction waits for a lock that other work holds before it is rolled back
     * ({@code TENANTRY_MIGRATION_LOCK_TIMEOUT}, default 2s); {@link Duration#ZERO} waits as long as it takes.
     */
    public Duration migrationLockTimeout() {
        return migrationLockTimeout;
    }

    /** How often a migration run tries a tenant again after a lock timeout ({@code TENANTRY_MIGRATION_RETRIES}, default 3). */
    public int migrationRetries() {
        return migrationRetries;
    }

    /**
     * Whether every entity must name its schema ({@code TENANTRY_REQUIRE_SCHEMA}): the tenant's,
     * {@code TenantSchema.LOGICAL}, or a shared one. Off by default, and then an entity that names no schema
     * belongs to the tenant; on, such an entity is refused when the persistence layer starts.
     */
    public boolean requireSchema() {
        return requireSchema;
    }

    /**
     * What sits between Tenantry and PostgreSQL ({@code TENANTRY_POOLER}, default {@link Pooler#DETECT}): decides
     * whether pooled connections keep statements prepared on the server, and whether schema changes may go through
     * the pooler.
     */
    public Pooler pooler() {
        return pooler;
    }

    /**
     * Schemas that stay on the {@code search_path} of pooled connections after the tenant's
     * ({@code TENANTRY_EXTENSION_SCHEMAS}), for the functions, types and operators of PostgreSQL extensions installed
     * there; empty unless set. SQL that names no schema also finds the tables of these schemas, for every tenant.
     */
    public List<SchemaName> extensionSchemas() {
        return extensionSchemas;
    }

    /** A copy of this configuration with some settings changed. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.databaseUrl = databaseUrl;
        b.user = user;
        b.password = password;
        b.mode = mode;
        b.deploymentSchema = deploymentSchema;
        b.deploymentSchemaSetting = deploymentSchema.isPublic() ? null : deploymentSchema.value();
        b.autoProvision = autoProvision;
        b.sharedSchema = sharedSchema;
        b.poolMaxSize = poolMaxSize;
        b.poolMinIdle = poolMinIdle == Builder.defaultMinIdle(poolMaxSize) ? null : poolMinIdle;
        b.poolLanes = poolLanes;
        b.tenantsPerConnection = tenantsPerConnection;
        b.poolSpillAfter = poolSpillAfter;
        b.acquireTimeout = acquireTimeout;
        b.maxLifetime = maxLifetime;
        b.keepalive = keepalive;
        b.idleTimeout = idleTimeout;
        b.connectTimeout = connectTimeout;
        b.applicationName = applicationName;
        b.tenantRoles = tenantRoles;
        b.adminDatabaseUrl = adminDatabaseUrl;
        b.statementCache = statementCache;
        b.citus = citus;
        b.migrations = migrations;
        b.migrationLockTimeout = migrationLockTimeout;
        b.migrationRetries = migrationRetries;
        b.requireSchema = requireSchema;
        b.pooler = pooler;
        b.extensionSchemas = extensionSchemas;
        return b;
    }

    @Override
    public String toString() {
        return "TenantryConfig{url=" + databaseUrl + ", mode=" + mode.setting()
                + (mode == TenancyMode.PER_DEPLOYMENT ? ", schema=" + deploymentSchema : "")
                + ", sharedSchema=" + sharedSchema + ", pool=" + poolMinIdle + ".." + poolMaxSize
                + (poolLanes() > 1 ? " in " + poolLanes() + " lanes" : "")
                + (poolLanes() > 1 ? ", spillAfter=" + poolSpillAfter : "")
                + (tenantsPerConnection > 0 ? ", tenantsPerConnection=" + tenantsPerConnection : "")
                + ", acquireTimeout=" + acquireTimeout + ", maxLifetime=" + maxLifetime + ", pooler=" + pooler.setting() + "}";
    }

    /** Collects settings; every setter validates its value at once. */
    public static final class Builder {

        private DatabaseUrl databaseUrl;
        private String user;
        private String password;
        private TenancyMode mode = TenancyMode.PER_DEPLOYMENT;
        private SchemaName deploymentSchema = SchemaName.PUBLIC;
        private String deploymentSchemaSetting;
        private boolean autoProvision = true;
        private SchemaName sharedSchema = SchemaName.of("tenantry");
        private int poolMaxSize = 30;
        /** Null means the default: 2, or the pool size when that is smaller. */
        private Integer poolMinIdle;
        /** Null means the default: derived from the pool size per request, 1 per deployment. */
        private Integer poolLanes;
        private int tenantsPerConnection;
        private Duration poolSpillAfter = Duration.ofMillis(DEFAULT_POOL_SPILL_AFTER_MILLIS);
        private Duration acquireTimeout = Duration.ofSeconds(30);
        private Duration maxLifetime = Duration.ofHours(1);
        private Duration keepalive = Duration.ofMinutes(2);
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private String applicationName = "tenantry";
        private boolean tenantRoles;
        private DatabaseUrl adminDatabaseUrl;
        /** Null means the default of the mode. */
        private Integer statementCache;
        private CitusMode citus = CitusMode.AUTO;
        private List<MigrationModule> migrations = List.of();
        private Duration migrationLockTimeout = DEFAULT_MIGRATION_LOCK_TIMEOUT;
        private int migrationRetries = DEFAULT_MIGRATION_RETRIES;
        private boolean requireSchema;
        private Pooler pooler = Pooler.DETECT;
        private List<SchemaName> extensionSchemas = List.of();

        private Builder() {
        }

        /** Applies every Tenantry variable present in {@code env}; empty values count as unset. */
        public Builder environment(Map<String, String> env) {
            Objects.requireNonNull(env, "env");
            ifSet(env, DATABASE_URL, this::databaseUrl);
            ifSet(env, DATABASE_USER, this::user);
            ifSet(env, DATABASE_PASSWORD, this::password);
            ifSet(env, MODE, v -> mode(TenancyMode.parse(MODE, v)));
            ifSet(env, DATABASE_SCHEMA, this::deploymentSchema);
            ifSet(env, AUTO_PROVISION, v -> autoProvision(SettingParsers.bool(AUTO_PROVISION, v)));
            ifSet(env, SHARED_SCHEMA, this::sharedSchema);
            ifSet(env, POOL_MAX_SIZE, v -> poolMaxSize(SettingParsers.integer(POOL_MAX_SIZE, v, 1, 10_000)));
            ifSet(env, POOL_MIN_IDLE, v -> poolMinIdle(SettingParsers.integer(POOL_MIN_IDLE, v, 0, 10_000)));
            ifSet(env, POOL_LANES, v -> poolLanes(SettingParsers.integer(POOL_LANES, v, 1, 10_000)));
            ifSet(env, POOL_TENANTS_PER_CONNECTION, v -> tenantsPerConnection(
                    SettingParsers.integer(POOL_TENANTS_PER_CONNECTION, v, 0, 1_000_000)));
            ifSet(env, POOL_SPILL_AFTER, v -> poolSpillAfter(SettingParsers.duration(POOL_SPILL_AFTER, v)));
            ifSet(env, POOL_ACQUIRE_TIMEOUT, v -> acquireTimeout(SettingParsers.duration(POOL_ACQUIRE_TIMEOUT, v)));
            ifSet(env, POOL_MAX_LIFETIME, v -> maxLifetime(SettingParsers.duration(POOL_MAX_LIFETIME, v)));
            ifSet(env, POOL_KEEPALIVE, v -> keepalive(SettingParsers.duration(POOL_KEEPALIVE, v)));
            ifSet(env, POOL_IDLE_TIMEOUT, v -> idleTimeout(SettingParsers.duration(POOL_IDLE_TIMEOUT, v)));
            ifSet(env, CONNECT_TIMEOUT, v -> connectTimeout(SettingParsers.duration(CONNECT_TIMEOUT, v)));
            ifSet(env, APPLICATION_NAME, this::applicationName);
            ifSet(env, TENANT_ROLES, v -> tenantRoles(SettingParsers.bool(TENANT_ROLES, v)));
            ifSet(env, ADMIN_DATABASE_URL, this::adminDatabaseUrl);
            ifSet(env, STATEMENT_CACHE, v -> statementCache(SettingParsers.integer(STATEMENT_CACHE, v, 0, 1_000_000)));
            ifSet(env, CITUS, v -> citus(CitusMode.parse(CITUS, v)));
            ifSet(env, MIGRATIONS, v -> migrations(MigrationModule.parse(MIGRATIONS, v)));
            ifSet(env, MIGRATION_LOCK_TIMEOUT, v -> migrationLockTimeout("0".equals(v) ? Duration.ZERO
                    : SettingParsers.duration(MIGRATION_LOCK_TIMEOUT, v)));
            ifSet(env, MIGRATION_RETRIES, v -> migrationRetries(SettingParsers.integer(MIGRATION_RETRIES, v, 0, 100)));
            ifSet(env, REQUIRE_SCHEMA, v -> requireSchema(SettingParsers.bool(REQUIRE_SCHEMA, v)));
            ifSet(env, POOLER, v -> pooler(Pooler.parse(POOLER, v)));
            ifSet(env, EXTENSION_SCHEMAS, v -> extensionSchemas(v.split(",")));
            return this;
        }

        private static void ifSet(Map<String, String> env, String name, java.util.function.Consumer<String> apply) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                apply.accept(value.strip());
            }
        }

        /** {@code DATABASE_URL}: {@code jdbc:postgresql://...} or {@code postgresql://user:pass@host/db}. */
        public Builder databaseUrl(String url) {
            this.databaseUrl = DatabaseUrl.parse(url);
            return this;
        }

        /** {@code DATABASE_USER}: overrides the user named in the URL. */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** {@code DATABASE_PASSWORD}: overrides the password in the URL. */
        public Builder password(String password) {
            this.password = password;
            return this;
        }

        /** {@code TENANTRY_MODE}: {@code per-deployment} (the default) or {@code per-request}. */
        public Builder mode(TenancyMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /** Per-request mode: one shared pool, the tenant of each unit of work picks the schema. */
        public Builder perRequest() {
            return mode(TenancyMode.PER_REQUEST);
        }

        /** Per-deployment mode pinned to {@code schema}; {@code null} or empty means {@code public}. */
        public Builder perDeployment(String schema) {
            mode(TenancyMode.PER_DEPLOYMENT);
            return deploymentSchema(schema);
        }

        /** {@code DATABASE_SCHEMA}: the schema of a per-deployment process; empty means {@code public}. */
        public Builder deploymentSchema(String schema) {
            if (schema == null || schema.isBlank()) {
                this.deploymentSchema = SchemaName.PUBLIC;
                this.deploymentSchemaSetting = null;
                return this;
            }
            String problem = SchemaName.problemWith(schema);
            if (problem != null) {
                throw new InvalidConfigurationException(DATABASE_SCHEMA, "'" + schema + "' is not a valid schema name: " + problem);
            }
            this.deploymentSchema = SchemaName.of(schema);
            this.deploymentSchemaSetting = schema;
            return this;
        }

        /** {@code TENANTRY_AUTO_PROVISION}: create and migrate the deployment schema at start-up (default true). */
        public Builder autoProvision(boolean autoProvision) {
            this.autoProvision = autoProvision;
            return this;
        }

        /** {@code TENANTRY_SHARED_SCHEMA}: where the tenant registry lives (default {@code tenantry}). */
        public Builder sharedSchema(String schema) {
            String problem = SchemaName.problemWith(schema);
            if (problem != null || "public".equals(schema)) {
                throw new InvalidConfigurationException(SHARED_SCHEMA, "'" + schema + "' is not a valid schema name: "
                        + (problem != null ? problem : "the shared schema must be a schema of its own, not public"));
            }
            this.sharedSchema = SchemaName.of(schema);
            return this;
        }

        /** {@code TENANTRY_POOL_MAX_SIZE}: connections at most (default 30). */
        public Builder poolMaxSize(int size) {
            this.poolMaxSize = requireRange(POOL_MAX_SIZE, size, 1, 10_000);
            return this;
        }

        /** {@code TENANTRY_POOL_MIN_IDLE}: idle connections kept ready (default 2, at most the pool size). */
        public Builder poolMinIdle(int size) {
            this.poolMinIdle = requireRange(POOL_MIN_IDLE, size, 0, 10_000);
            return this;
        }

        /**
         * {@code TENANTRY_POOL_LANES}: per request, the lanes the pool is divided into, each tenant's work going to
         * its own lane's connections (default {@link TenantryConfig#defaultLanes(int) from the pool size}; 1 lets
         * every connection serve every tenant). At most the pool size; per deployment only 1.
         */
        public Builder poolLanes(int lanes) {
            this.poolLanes = requireRange(POOL_LANES, lanes, 1, 10_000);
            return this;
        }

        /**
         * {@code TENANTRY_POOL_TENANTS_PER_CONNECTION}: retire a pooled connection once it has served this many distinct
         * tenants, to bound its backend's memory (default 0: never).
         */
        public Builder tenantsPerConnection(int tenants) {
            this.tenantsPerConnection = requireRange(POOL_TENANTS_PER_CONNECTION, tenants, 0, 1_000_000);
            return this;
        }

        /**
         * {@code TENANTRY_POOL_SPILL_AFTER}: per request, how long work waits for its own lane, while another lane has
         * an idle connection, before it spills over there (default {@value TenantryConfig#DEFAULT_POOL_SPILL_AFTER_MILLIS}ms;
         * 0: as soon as its lane is full). See {@link TenantryConfig#poolSpillAfter()}.
         */
        public Builder poolSpillAfter(Duration wait) {
            this.poolSpillAfter = requireAtLeast(POOL_SPILL_AFTER, wait, Duration.ZERO);
            return this;
        }

        /** {@code TENANTRY_POOL_ACQUIRE_TIMEOUT}: how long work waits for a connection (default 30s, at least 250ms). */
        public Builder acquireTimeout(Duration timeout) {
            this.acquireTimeout = requireAtLeast(POOL_ACQUIRE_TIMEOUT, timeout, Duration.ofMillis(250));
            return this;
        }

        /** {@code TENANTRY_POOL_MAX_LIFETIME}: a connection is retired after this long (default 1h, at least 30s). */
        public Builder maxLifetime(Duration lifetime) {
            this.maxLifetime = requireAtLeast(POOL_MAX_LIFETIME, lifetime, Duration.ofSeconds(30));
            return this;
        }

        /** {@code TENANTRY_POOL_KEEPALIVE}: idle connections are pinged this often (default 2m, at least 30s). */
        public Builder keepalive(Duration keepalive) {
            this.keepalive = requireAtLeast(POOL_KEEPALIVE, keepalive, Duration.ofSeconds(30));
            return this;
        }

        /** {@code TENANTRY_POOL_IDLE_TIMEOUT}: idle connections above the minimum close after this (default 10m). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = requireAtLeast(POOL_IDLE_TIMEOUT, timeout, Duration.ofSeconds(10));
            return this;
        }

        /** {@code TENANTRY_CONNECT_TIMEOUT}: how long opening one connection may take (default 10s). */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requireAtLeast(CONNECT_TIMEOUT, timeout, Duration.ofSeconds(1));
            return this;
        }

        /** {@code TENANTRY_APPLICATION_NAME}: shown in {@code pg_stat_activity} (default {@code tenantry}). */
        public Builder applicationName(String name) {
            if (name == null || name.isBlank() || name.length() > 63) {
                throw new InvalidConfigurationException(APPLICATION_NAME, "must be 1 to 63 characters");
            }
            this.applicationName = name;
            return this;
        }

        /**
         * {@code TENANTRY_TENANT_ROLES}: give each tenant schema its own role and run its transactions as
         * that role (default false; costs one round trip per transaction, needs CREATEROLE).
         */
        public Builder tenantRoles(boolean tenantRoles) {
            this.tenantRoles = tenantRoles;
            return this;
        }

        /**
         * {@code TENANTRY_ADMIN_DATABASE_URL}: where schema changes connect, when not through {@code DATABASE_URL}
         * (for example straight to PostgreSQL when the application goes through PgBouncer in transaction mode).
         * Either URL form; the user and password come from it, else from {@code DATABASE_USER} / {@code DATABASE_PASSWORD}.
         */
        public Builder adminDatabaseUrl(String url) {
            try {
                this.adminDatabaseUrl = DatabaseUrl.parse(url);
            } catch (InvalidConfigurationException e) {
                throw new InvalidConfigurationException(ADMIN_DATABASE_URL, e.getMessage().replaceFirst("^DATABASE_URL: ", ""));
            }
            return this;
        }

        /**
         * {@code TENANTRY_STATEMENT_CACHE}: statements each pooled connection keeps prepared on the server (default
         * per request: {@value #PER_REQUEST_POOL_STATEMENT_BUDGET} over the pool, at most
         * {@value #PER_REQUEST_STATEMENT_CACHE} per connection; per deployment {@value #PER_DEPLOYMENT_STATEMENT_CACHE};
         * {@code 0} prepares none).
         */
        public Builder statementCache(int statements) {
            this.statementCache = requireRange(STATEMENT_CACHE, statements, 0, 1_000_000);
            return this;
        }

        /**
         * {@code TENANTRY_CITUS}: {@code auto} (the default) uses Citus where the database has the extension,
         * {@code on} requires it, {@code off} never calls it.
         */
        public Builder citus(CitusMode citus) {
            this.citus = Objects.requireNonNull(citus, "citus");
            return this;
        }

        /**
         * {@code TENANTRY_MIGRATIONS}: the application's migration modules, migrated after the model's in every tenant
         * schema (see {@link MigrationModule#parse}).
         */
        public Builder migrations(List<MigrationModule> modules) {
            try {
                this.migrations = MigrationModule.merge(List.of(modules));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(MIGRATIONS, e.getMessage());
            }
            return this;
        }

        /**
         * {@code TENANTRY_REQUIRE_SCHEMA}: refuse, when the persistence layer starts, every entity that names no
         * schema (default false: such an entity belongs to the tenant, as if it named {@code TenantSchema.LOGICAL}).
         */
        public Builder requireSchema(boolean requireSchema) {
            this.requireSchema = requireSchema;
            return this;
        }

        /**
         * {@code TENANTRY_MIGRATION_LOCK_TIMEOUT}: how long a migration waits for a lock before it is rolled back and
         * retried (default 2s, at least 10ms); {@link Duration#ZERO} ({@code 0}) waits as long as it takes.
         */
        public Builder migrationLockTimeout(Duration timeout) {
            if (timeout == null || !timeout.isZero() && timeout.compareTo(Duration.ofMillis(10)) < 0) {
                throw new InvalidConfigurationException(MIGRATION_LOCK_TIMEOUT, timeout
                        + " is neither 0 (no timeout) nor at least 10ms");
            }
            this.migrationLockTimeout = timeout;
            return this;
        }

        /** {@code TENANTRY_MIGRATION_RETRIES}: how often a run retries a tenant after a lock timeout (default 3). */
        public Builder migrationRetries(int retries) {
            this.migrationRetries = requireRange(MIGRATION_RETRIES, retries, 0, 100);
            return this;
        }

        /**
         * {@code TENANTRY_POOLER}: what sits between Tenantry and PostgreSQL (default {@link Pooler#DETECT}: each new
         * connection is checked, and behind a pooler nothing is prepared on the server).
         */
        public Builder pooler(Pooler pooler) {
            this.pooler = Objects.requireNonNull(pooler, "pooler");
            return this;
        }

        /**
         * {@code TENANTRY_EXTENSION_SCHEMAS} (comma-separated): schemas kept on the {@code search_path} of pooled
         * connections after the tenant's, for extensions' functions, types and operators (default none).
         */
        public Builder extensionSchemas(String... schemas) {
            List<SchemaName> names = new ArrayList<>();
            for (String schema : schemas) {
                String name = schema.strip();
                String problem = SchemaName.problemWith(name);
                if (problem != null) {
                    throw new InvalidConfigurationException(EXTENSION_SCHEMAS, "'" + name + "' is not a valid schema name: "
                            + problem);
                }
                if (!names.contains(SchemaName.of(name))) {
                    names.add(SchemaName.of(name));
                }
            }
            this.extensionSchemas = List.copyOf(names);
            return this;
        }

        /** Checks the settings against each other and freezes them. */
        public TenantryConfig build() {
            if (databaseUrl == null) {
                throw new InvalidConfigurationException(DATABASE_URL, "is not set; set it to jdbc:postgresql://host:port/db"
                        + " or postgresql://user:password@host:port/db");
            }
            if (mode == TenancyMode.PER_REQUEST && deploymentSchemaSetting != null) {
                throw new InvalidConfigurationException(DATABASE_SCHEMA, "pins one schema per deployment ('"
                        + deploymentSchemaSetting + "'); it cannot be combined with " + MODE + "=per-request");
            }
            if (mode == TenancyMode.PER_DEPLOYMENT && deploymentSchema.equals(sharedSchema)) {
                throw new InvalidConfigurationException(DATABASE_SCHEMA, "'" + deploymentSchema
                        + "' is the shared schema (" + SHARED_SCHEMA + "); choose another schema");
            }
            if (databaseUrl.parameters().containsKey("currentSchema")) {
                throw new InvalidConfigurationException(DATABASE_URL, "sets currentSchema, which Tenantry sets itself on"
                        + " every pooled connection (the deployment's schema, or none per request); remove it");
            }
            if (extensionSchemas.contains(sharedSchema)) {
                throw new InvalidConfigurationException(EXTENSION_SCHEMAS, "names the shared schema '" + sharedSchema
                        + "' (" + SHARED_SCHEMA + "); list only schemas that hold extensions");
            }
            if (effectiveMinIdle() > poolMaxSize) {
                throw new InvalidConfigurationException(POOL_MIN_IDLE, poolMinIdle + " is larger than "
                        + POOL_MAX_SIZE + " (" + poolMaxSize + ")");
            }
            if (poolLanes != null && poolLanes > poolMaxSize) {
                throw new InvalidConfigurationException(POOL_LANES, poolLanes + " lanes are more than the "
                        + poolMaxSize + " connections of the pool (" + POOL_MAX_SIZE + "); each lane needs one at least");
            }
            if (poolLanes != null && poolLanes > 1 && mode != TenancyMode.PER_REQUEST) {
                throw new InvalidConfigurationException(POOL_LANES, poolLanes + " lanes divide a per-request pool among"
                        + " tenants; per deployment every connection serves one schema, so remove it or set it to 1");
            }
            if (pooler.transactionMode() && adminDatabaseUrl == null) {
                throw new InvalidConfigurationException(ADMIN_DATABASE_URL, "is not set, so schema changes (provisioning,"
                        + " migrations) would go through the transaction-mode pooler at DATABASE_URL (" + POOLER + "="
                        + pooler.setting() + "), which spreads their session-level locks and settings over several server"
                        + " sessions; set it to a URL of PostgreSQL itself");
            }
            if (keepalive.compareTo(maxLifetime) >= 0) {
                throw new InvalidConfigurationException(POOL_KEEPALIVE, keepalive + " must be shorter than "
                        + POOL_MAX_LIFETIME + " (" + maxLifetime + ")");
            }
            return new TenantryConfig(this);
        }

        static int defaultMinIdle(int poolMaxSize) {
            return Math.min(2, poolMaxSize);
        }

        private int effectiveMinIdle() {
            return poolMinIdle == null ? defaultMinIdle(poolMaxSize) : poolMinIdle;
        }

        private static int requireRange(String setting, int value, int min, int max) {
            if (value < min || value > max) {
                throw new InvalidConfigurationException(setting, value + " is not from " + min + " to " + max);
            }
            return value;
        }

        private static Duration requireAtLeast(String setting, Duration value, Duration min) {
            if (value == null || value.compareTo(min) < 0) {
                throw new InvalidConfigurationException(setting, value + " is shorter than the minimum " + min);
            }
            return value;
        }
    }
}
