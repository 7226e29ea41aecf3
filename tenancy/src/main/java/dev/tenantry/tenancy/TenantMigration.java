package dev.tenantry.tenancy;

/**
 * The outcome of migrating one tenant in a {@link MigrationReport}.
 *
 * @param status             {@link Status#MIGRATED}, {@link Status#CURRENT} (nothing to do) or {@link Status#FAILED}
 * @param fromVersion        the version before, or {@code null} for an empty schema
 * @param toVersion          the version after (unchanged on failure), or {@code null}
 * @param migrationsExecuted how many migrations ran, or with {@code undone} how many were undone
 * @param error              why it failed, or {@code null}
 * @param lockTimeouts       how many attempts were rolled back on the lock timeout before this outcome
 * @param snapshot           the snapshot taken before migrating ({@code migrate --snapshot}), or {@code null}
 * @param undone             true when the tenant went down to a target version with down scripts
 */
public record TenantMigration(String tenant, String schema, Status status, String fromVersion, String toVersion,
                              int migrationsExecuted, String error, int lockTimeouts, String snapshot, boolean undone) {

    /** How one tenant's migration ended. */
    public enum Status { MIGRATED, CURRENT, FAILED }

    /** An outcome without lock timeouts or snapshot. */
    public TenantMigration(String tenant, String schema, Status status, String fromVersion, String toVersion,
                           int migrationsExecuted, String error) {
        this(tenant, schema, status, fromVersion, toVersion, migrationsExecuted, error, 0, null, false);
    }

    public boolean failed() {
        return status == Status.FAILED;
    }

    /** This outcome after {@code count} lock timeouts. */
    TenantMigration afterLockTimeouts(int count) {
        return new TenantMigration(tenant, schema, status, fromVersion, toVersion, migrationsExecuted, error, count, snapshot, undone);
    }

}
