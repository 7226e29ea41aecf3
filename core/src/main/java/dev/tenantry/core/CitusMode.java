package dev.tenantry.core;

import java.util.Locale;

/**
 * Whether Tenantry treats the database as a Citus coordinator ({@code TENANTRY_CITUS}): tenant schemas
 * distributed, Tenantry's own schemas kept on the coordinator.
 */
public enum CitusMode {

    /** Use Citus when the database has the {@code citus} extension, plain PostgreSQL otherwise (the default). */
    AUTO,

    /** Require Citus: refuse to work on a database without the {@code citus} extension. */
    ON,

    /**
     * Never call Citus: no schema is distributed or kept local by Tenantry, even where the extension is
     * installed; the server's own {@code citus.enable_schema_based_sharding} then decides.
     */
    OFF;

    /** The spelling used by {@code TENANTRY_CITUS}. */
    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }

    static CitusMode parse(String name, String value) {
        for (CitusMode mode : values()) {
            if (mode.name().equalsIgnoreCase(value.strip())) {
                return mode;
            }
        }
        throw new InvalidConfigurationException(name, "'" + value + "' is not a Citus mode; use auto, on or off");
    }
}
