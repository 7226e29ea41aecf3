package dev.tenantry.bench;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The strategies the bench compares, by the names used in options and JSON. */
public enum StrategyName {

    BASELINE("baseline", false, "plain Hibernate + HikariCP, one schema, no multi-tenancy"),
    TENANTRY_PER_REQUEST("tenantry-per-request", true,
            "Tenantry, tenant per request, schema rendered into the SQL, pool lanes as the pool size gives"),
    /** Tenantry per request with {@code TENANTRY_POOL_LANES=1}: every connection serves every tenant. */
    TENANTRY_UNROUTED("tenantry-unrouted", true, "Tenantry per request with one pool lane: every connection serves every tenant"),
    /**
     * Not in the default run: lanes as {@link #TENANTRY_PER_REQUEST}, with {@code TENANTRY_POOL_SPILL_AFTER=0}, so
     * work spills over to another lane as soon as its own is full (lanes as they were before spill-over was bounded).
     */
    TENANTRY_SPILL_AT_ONCE("tenantry-spill-at-once", true,
            "Tenantry per request with lanes that spill over as soon as the own lane is full (TENANTRY_POOL_SPILL_AFTER=0)"),
    /**
     * Not in the default run: {@link #TENANTRY_PER_REQUEST} with the memory backstop on, each connection retired once
     * it has served {@value Strategies#BACKSTOP_TENANTS} distinct tenants.
     */
    TENANTRY_BACKSTOP("tenantry-backstop", true, "Tenantry per request with TENANTRY_POOL_TENANTS_PER_CONNECTION="
            + Strategies.BACKSTOP_TENANTS + ": a connection retires after serving that many tenants"),
    TENANTRY_PER_DEPLOYMENT("tenantry-per-deployment", false, "Tenantry, one fixed schema (DATABASE_SCHEMA)"),
    HIBERNATE_SCHEMA_MAPPER("hibernate-schema-mapper", true, "Hibernate 7 TenantSchemaMapper (Connection.setSchema), one pool"),
    SEARCH_PATH_PROVIDER("search-path-provider", true, "MultiTenantConnectionProvider: SET search_path on checkout, reset on release"),
    POOL_PER_TENANT("pool-per-tenant", true, "one HikariCP pool per tenant (currentSchema), opened on first use"),
    RAW_JDBC("raw-jdbc", true, "raw JDBC over HikariCP, schema-qualified SQL: the floor"),
    /**
     * Not in the default run: raw JDBC over the one schema the baseline reads. Against {@link #RAW_JDBC} it
     * measures what the tenants' schemas cost the database and the driver, with no ORM and no tenant scope.
     */
    RAW_JDBC_ONE_SCHEMA("raw-jdbc-one-schema", false, "raw JDBC as raw-jdbc, over the baseline's one schema"),
    /** Not in the default run: name it with --strategies to measure the opt-in defence in depth. */
    TENANTRY_TENANT_ROLES("tenantry-tenant-roles", true,
            "Tenantry per request with a PostgreSQL role per tenant (SET LOCAL ROLE in each transaction)");

    private final String key;
    private final boolean switchesTenants;
    private final String description;

    StrategyName(String key, boolean switchesTenants, String description) {
        this.key = key;
        this.switchesTenants = switchesTenants;
        this.description = description;
    }

    public String key() {
        return key;
    }

    /** Whether requests go to a tenant chosen at random; otherwise every request uses one schema. */
    public boolean switchesTenants() {
        return switchesTenants;
    }

    public String description() {
        return description;
    }

    /** The strategies a run measures when --strategies does not name them: all but the opt-in ones. */
    public static java.util.List<StrategyName> byDefault() {
        return Arrays.stream(values())
                .filter(name -> name != TENANTRY_TENANT_ROLES && name != RAW_JDBC_ONE_SCHEMA && name != TENANTRY_SPILL_AT_ONCE
                        && name != TENANTRY_BACKSTOP)
                .toList();
    }

    /** The strategy named {@code key}. */
    public static StrategyName of(String key) {
        for (StrategyName name : values()) {
            if (name.key.equals(key)) {
                return name;
            }
        }
        throw new IllegalArgumentException("Unknown strategy '" + key + "'; known: "
                + Arrays.stream(values()).map(StrategyName::key).collect(Collectors.joining(", ")));
    }
}
