package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.TenancyMode;
import dev.tenantry.core.TenantryConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Builds the {@link TenantryConfig} of a Boot app through the library's own parsing and checks, from three
 * layers, later ones winning: Tenantry's environment variables ({@code DATABASE_URL}, {@code TENANTRY_*}, read
 * from Spring's {@link Environment}, so they also work as properties), then {@code spring.datasource.*}, then
 * {@code tenantry.*}. A bad value fails with an {@link InvalidConfigurationException} that names the property
 * the user wrote, not the variable it stands for.
 */
final class TenantryConfigBinding {

    static final String URL = "spring.datasource.url";
    static final String USERNAME = "spring.datasource.username";
    static final String PASSWORD = "spring.datasource.password";
    static final String HIKARI = "spring.datasource.hikari";

    /** One setting: its environment variable, its property, and how to read that property from the bound properties. */
    private record Setting(String variable, String property, Function<TenantryProperties, Object> value) {
    }

    private static final List<Setting> SETTINGS = List.of(
            new Setting(TenantryConfig.MODE, "tenantry.mode", p -> p.getMode() == null ? null : p.getMode().setting()),
            new Setting(TenantryConfig.DATABASE_SCHEMA, "tenantry.schema", TenantryProperties::getSchema),
            new Setting(TenantryConfig.AUTO_PROVISION, "tenantry.auto-provision", TenantryProperties::getAutoProvision),
            new Setting(TenantryConfig.SHARED_SCHEMA, "tenantry.shared-schema", TenantryProperties::getSharedSchema),
            new Setting(TenantryConfig.POOL_MAX_SIZE, "tenantry.pool.max-size", p -> p.getPool().getMaxSize()),
            new Setting(TenantryConfig.POOL_MIN_IDLE, "tenantry.pool.min-idle", p -> p.getPool().getMinIdle()),
            new Setting(TenantryConfig.POOL_ACQUIRE_TIMEOUT, "tenantry.pool.acquire-timeout", p -> p.getPool().getAcquireTimeout()),
            new Setting(TenantryConfig.POOL_MAX_LIFETIME, "tenantry.pool.max-lifetime", p -> p.getPool().getMaxLifetime()),
            new Setting(TenantryConfig.POOL_KEEPALIVE, "tenantry.pool.keepalive", p -> p.getPool().getKeepalive()),
            new Setting(TenantryConfig.POOL_IDLE_TIMEOUT, "tenantry.pool.idle-timeout", p -> p.getPool().getIdleTimeout()),
            new Setting(TenantryConfig.POOL_LANES, "tenantry.pool.lanes", p -> p.getPool().getLanes()),
            new Setting(TenantryConfig.POOL_TENANTS_PER_CONNECTION, "tenantry.pool.tenants-per-connection",
                    p -> p.getPool().getTenantsPerConnection()),
            new Setting(TenantryConfig.POOL_SPILL_AFTER, "tenantry.pool.spill-after", p -> p.getPool().getSpillAfter()),
            new Setting(TenantryConfig.CONNECT_TIMEOUT, "tenantry.connect-timeout", TenantryProperties::getConnectTimeout),
            new Setting(TenantryConfig.APPLICATION_NAME, "tenantry.application-name", TenantryProperties::getApplicationName),
            new Setting(TenantryConfig.TENANT_ROLES, "tenantry.tenant-roles", TenantryProperties::getTenantRoles),
            new Setting(TenantryConfig.ADMIN_DATABASE_URL, "tenantry.admin-database-url", TenantryProperties::getAdminDatabaseUrl),
            new Setting(TenantryConfig.STATEMENT_CACHE, "tenantry.statement-cache", TenantryProperties::getStatementCache),
            new Setting(TenantryConfig.REQUIRE_SCHEMA, "tenantry.require-schema", TenantryProperties::getRequireSchema),
            new Setting(TenantryConfig.POOLER, "tenantry.pooler", p -> p.getPooler() == null ? null : p.getPooler().setting()),
            new Setting(TenantryConfig.EXTENSION_SCHEMAS, "tenantry.extension-schemas", p -> joined(p.getExtensionSchemas(), ",")),
            new Setting(TenantryConfig.CITUS, "tenantry.citus", p -> p.getCitus() == null ? null : p.getCitus().setting()),
            new Setting(TenantryConfig.MIGRATIONS, "tenantry.migrations.locations", p -> joined(p.getMigrations().getLocations(), ",")),
            new Setting(TenantryConfig.MIGRATION_LOCK_TIMEOUT, "tenantry.migrations.lock-timeout", p -> p.getMigrations().getLockTimeout()),
            new Setting(TenantryConfig.MIGRATION_RETRIES, "tenantry.migrations.retries", p -> p.getMigrations().getRetries()));

    private static String joined(List<String> values, String separator) {
        return values == null || values.isEmpty() ? null : String.join(separator, values);
    }

    /** The connection's variables; every other one has its setting above. */
    private static final List<String> CONNECTION = List.of(TenantryConfig.DATABASE_URL, TenantryConfig.DATABASE_USER,
            TenantryConfig.DATABASE_PASSWORD);

    private TenantryConfigBinding() {
    }

    static TenantryConfig config(TenantryProperties properties, Environment environment) {
        boolean hikariSettings = Binder.get(environment)
                .bind(HIKARI, Bindable.mapOf(String.class, Object.class)).map(map -> !map.isEmpty()).orElse(false);
        if (hikariSettings) {
            throw new InvalidConfigurationException(HIKARI, "is not read: Tenantry's pool is configured with tenantry.pool.*"
                    + " (max-size, min-idle, acquire-timeout, max-lifetime, keepalive, idle-timeout, lanes, tenants-per-connection,"
                    + " spill-after); move the settings there");
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (String variable : variables()) {
            put(values, origins, variable, environment.getProperty(variable), variable);
        }
        put(values, origins, TenantryConfig.DATABASE_URL, environment.getProperty(URL), URL);
        put(values, origins, TenantryConfig.DATABASE_USER, environment.getProperty(USERNAME), USERNAME);
        put(values, origins, TenantryConfig.DATABASE_PASSWORD, environment.getProperty(PASSWORD), PASSWORD);
        if (!values.containsKey(TenantryConfig.APPLICATION_NAME)) {
            put(values, origins, TenantryConfig.APPLICATION_NAME, environment.getProperty("spring.application.name"),
                    "spring.application.name");
        }
        for (Setting setting : SETTINGS) {
            Object value = setting.value().apply(properties);
            put(values, origins, setting.variable(), value == null ? null : value.toString(), setting.property());
        }
        if (!properties.isMigrateOnStart() && properties.getAutoProvision() == null
                && !values.containsKey(TenantryConfig.AUTO_PROVISION)) {
            // Per deployment, "migrate on start" is the library's auto-provisioning of the deployment schema.
            put(values, origins, TenantryConfig.AUTO_PROVISION, "false", "tenantry.migrate-on-start");
        }
        if (!values.containsKey(TenantryConfig.DATABASE_URL)) {
            throw new InvalidConfigurationException(URL, "is not set; set spring.datasource.url (or DATABASE_URL) to"
                    + " jdbc:postgresql://host:port/db, or set tenantry.enabled=false to configure the DataSource yourself");
        }
        try {
            return TenantryConfig.builder().environment(values).build();
        } catch (InvalidConfigurationException e) {
            String origin = origins.get(e.setting());
            if (origin == null || origin.equals(e.setting())) {
                throw e;
            }
            String problem = e.getMessage().startsWith(e.setting() + ": ")
                    ? e.getMessage().substring(e.setting().length() + 2) : e.getMessage();
            throw new InvalidConfigurationException(origin, problem);
        }
    }

    /** Every variable of {@code TenantryConfig}: the connection's, and one per setting. */
    static List<String> variables() {
        List<String> variables = new java.util.ArrayList<>(CONNECTION);
        SETTINGS.forEach(setting -> variables.add(setting.variable()));
        return variables;
    }

    /** The mode the configuration will have, read without building it (for conditions). */
    static TenancyMode mode(Environment environment) {
        String mode = environment.getProperty("tenantry.mode", environment.getProperty(TenantryConfig.MODE, ""));
        String normalized = mode.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        return normalized.equals(TenancyMode.PER_REQUEST.setting()) ? TenancyMode.PER_REQUEST : TenancyMode.PER_DEPLOYMENT;
    }

    private static void put(Map<String, String> values, Map<String, String> origins, String variable, String value,
                            String origin) {
        if (value != null && !value.isBlank()) {
            values.put(variable, value);
            origins.put(variable, Objects.requireNonNull(origin));
        }
    }
}
