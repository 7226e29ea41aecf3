package dev.tenantry.core;

/**
 * A setting is missing or malformed. Thrown at start-up, before the first connection is opened; the
 * message names the setting (by its environment variable) and never contains a password.
 */
public class InvalidConfigurationException extends TenantryException {

    private static final long serialVersionUID = 1L;

    private final String setting;

    public InvalidConfigurationException(String setting, String problem) {
        super(setting + ": " + problem);
        this.setting = setting;
    }

    /** The environment variable that names the bad setting, such as {@code DATABASE_URL}. */
    public String setting() {
        return setting;
    }
}
