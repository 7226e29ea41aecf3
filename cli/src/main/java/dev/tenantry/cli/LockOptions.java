package dev.tenantry.cli;

import dev.tenantry.core.TenantryConfig;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --lock-timeout} and {@code --retries}, on the commands that change tenants' schemas: how long a migration
 * transaction may wait for a lock that busy requests hold, and how often a tenant rolled back on it is tried again.
 */
final class LockOptions {

    @Option(names = "--lock-timeout", paramLabel = "DURATION",
            description = "How long each migration transaction waits for a lock before it is rolled back and retried"
                    + " later: 500ms, 2s, 1m; 0 waits as long as it takes (default: TENANTRY_MIGRATION_LOCK_TIMEOUT, else 2s).")
    String lockTimeout;

    @Option(names = "--retries", paramLabel = "N",
            description = "How often a tenant rolled back on the lock timeout is tried again, after the others, 0 to 100"
                    + " (default: TENANTRY_MIGRATION_RETRIES, else 3).")
    Integer retries;

    /** The settings these options stand for, as {@link Cli#config(AppOptions, Map)} takes them. */
    Map<String, String[]> settings() {
        return Map.of(TenantryConfig.MIGRATION_LOCK_TIMEOUT, new String[] {"--lock-timeout", lockTimeout},
                TenantryConfig.MIGRATION_RETRIES, new String[] {"--retries", retries == null ? null : retries.toString()});
    }
}
