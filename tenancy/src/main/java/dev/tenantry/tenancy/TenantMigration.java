package dev.tenantry.tenancy;

/**
 * The outcome of migrating one tenant in a {@link MigrationReport}.
 *
 * @param status       {@link Status#MIGRATED}, {@link Status#CURRENT} (nothing to do) or {@link Status#FAILED}
 * @param fromVersion  the version before, or {@code null} for an empty schema
 * @param toVersion    the version after (unchanged on failure), or {@code null}
 * @param error        why it failed, or {@code null}
 */
public record TenantMigration(String tenant, String schema, Status status, String fromVersion, String toVersion,
                              int migrationsExecuted, String error) {

    /** How one tenant's migration ended. */
    public enum Status { MIGRATED, CURRENT, FAILED }

    public boolean failed() {
        return status == Status.FAILED;
    }
}
