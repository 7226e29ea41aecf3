package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationLockTimeoutException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change to a tenant's schema (creating, copying, migrating) passes through here, so that its outcome is
 * recorded the same way: on success the schema's role is granted what the change created (with tenant roles on)
 * and the tenant is marked ready at the version it reached; on failure the registry keeps why.
 */
final class TenantChanges {

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);

    private final Database database;
    private final TenantRegistry registry;

    TenantChanges(Database database, TenantRegistry registry) {
        this.database = database;
        this.registry = registry;
    }

    /** Runs one tenant's schema change and records it: ready at the version it reached, or failed with why. */
    MigrationResult run(String tenant, Supplier<MigrationResult> change) {
        try {
            MigrationResult result = change.get();
            grantTenantRole(result.schema());
            registry.markReady(tenant, result.targetVersion());
            return result;
        } catch (RuntimeException e) {
            registry.markFailed(tenant, e.getMessage());
            throw e;
        }
    }

    /**
     * Runs one tenant's schema change as {@link #run} does, and when it is rolled back on the lock timeout, tries it
     * again after a pause, up to {@code retries} times: for operations on one tenant, such as provisioning at
     * start-up, that have no later pass to retry in.
     */
    MigrationResult runRetrying(String tenant, int retries, Duration lockTimeout, Supplier<MigrationResult> change) {
        return retryingLockTimeouts(tenant, retries, lockTimeout, () -> run(tenant, change));
    }

    /**
     * Runs a schema change, and when it is rolled back on the lock timeout, runs it again after a pause of the lock
     * timeout times the attempt, up to {@code retries} times.
     *
     * @param what the tenant or schema, for the log
     */
    static <T> T retryingLockTimeouts(String what, int retries, Duration lockTimeout, Supplier<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return change.get();
            } catch (MigrationLockTimeoutException e) {
                if (attempt > retries) {
                    throw e;
                }
                LOG.info("{}: {}; trying again ({} of {})", what, e.getMessage(), attempt, retries);
                try {
                    Thread.sleep(lockTimeout.multipliedBy(attempt).toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** With tenant roles on, (re)grants the schema's role, so tables added by migrations are covered too. */
    private void grantTenantRole(SchemaName schema) {
        if (!database.config().tenantRoles() || schema.isPublic()) {
            return;
        }
        try (Connection connection = database.admin().getConnection()) {
            prepare(connection, schema);
        } catch (SQLException e) {
            throw new TenantryException("Cannot open a connection to grant the role of schema \"" + schema + "\": "
                    + e.getMessage(), e);
        }
    }

    /**
     * What a new or changed schema gets before its tenant counts as ready, over the caller's connection (in its
     * transaction, if one is open): with tenant roles on, the grants of the schema's own role.
     */
    void prepare(Connection connection, SchemaName schema) {
        if (database.config().tenantRoles() && !schema.isPublic()) {
            TenantRoles.grant(connection, schema);
        }
    }
}
