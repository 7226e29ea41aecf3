package dev.tenantry.core;

/**
 * A schema change waited longer than the lock timeout for a lock that other work held (typically a table that
 * busy requests were using), and was rolled back so that it would not stall them. Nothing in the schema changed;
 * trying again later usually succeeds.
 */
public class MigrationLockTimeoutException extends MigrationFailedException {

    private static final long serialVersionUID = 1L;

    /** PostgreSQL's SQL state for a lock not granted within {@code lock_timeout}. */
    public static final String LOCK_NOT_AVAILABLE = "55P03";

    public MigrationLockTimeoutException(String tenant, String schema, String what, Throwable cause) {
        super(tenant, schema, what, cause);
    }

    /** Whether {@code failure} or one of its causes is PostgreSQL's lock timeout. */
    public static boolean isLockTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException && LOCK_NOT_AVAILABLE.equals(((java.sql.SQLException) t).getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
