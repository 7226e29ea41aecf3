package dev.tenantry.entities;

import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.tenancy.TenantryPersistence;
import java.util.List;

/**
 * The entry point for applications using Tenantry's model ({@code users}, {@code anon_sessions}):
 * {@code Tenantry.start()} reads the environment, migrates, and returns the running persistence layer.
 * Add the application's own entities and migrations through {@link #builder(TenantryConfig)}.
 */
public final class Tenantry {

    /** Where the model's tenant migrations live. */
    public static final String MIGRATIONS = "classpath:db/tenantry/tenant";

    /**
     * The model's migrations as a module: migrated first in every tenant schema, its history in Flyway's default
     * table ({@code flyway_schema_history}), where schemas made by every earlier release keep it.
     */
    public static final MigrationModule MODULE = new MigrationModule("tenantry", List.of(MIGRATIONS),
            MigrationModule.DEFAULT_HISTORY_TABLE);

    /** The model's entity classes. */
    public static final List<Class<?>> ENTITIES = List.of(User.class, AnonSession.class);

    private Tenantry() {
    }

    /** Starts from the environment ({@code DATABASE_URL}, {@code DATABASE_SCHEMA}, ...). */
    public static TenantryPersistence start() {
        return start(TenantryConfig.fromEnvironment());
    }

    public static TenantryPersistence start(TenantryConfig config) {
        return builder(config).start();
    }

    /** A builder that already holds the model; add entities, migrations, a mapping or properties, then start. */
    public static TenantryPersistence.Builder builder(TenantryConfig config) {
        return TenantryPersistence.builder(config).managedClasses(ENTITIES).module(MODULE);
    }
}
