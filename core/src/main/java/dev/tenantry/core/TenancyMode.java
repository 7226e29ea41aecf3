package dev.tenantry.core;

/** How a process chooses the schema its work runs in. */
public enum TenancyMode {

    /** The whole process works in one schema, {@code DATABASE_SCHEMA} ({@code public} when unset). */
    PER_DEPLOYMENT("per-deployment"),

    /** One shared pool; each unit of work names its tenant, and the tenant picks the schema. */
    PER_REQUEST("per-request");

    private final String setting;

    TenancyMode(String setting) {
        this.setting = setting;
    }

    /** The spelling used by {@code TENANTRY_MODE}. */
    public String setting() {
        return setting;
    }

    static TenancyMode parse(String name, String value) {
        for (TenancyMode mode : values()) {
            if (mode.setting.equalsIgnoreCase(value.strip()) || mode.name().equalsIgnoreCase(value.strip())) {
                return mode;
            }
        }
        throw new InvalidConfigurationException(name, "'" + value + "' is not a mode; use per-deployment or per-request");
    }
}
