package dev.tenantry.core;

/**
 * Migrating or provisioning one schema failed; that schema's transaction was rolled back. The cause
 * carries Flyway's or PostgreSQL's own explanation.
 */
public class MigrationFailedException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public MigrationFailedException(String tenant, String schema, String what, Throwable cause) {
        super(what + " failed for " + (tenant == null ? "" : "tenant '" + tenant + "' ") + "schema \"" + schema
                + "\": " + firstLine(cause), tenant, schema, cause);
    }

    private static String firstLine(Throwable cause) {
        String message = cause == null ? null : cause.getMessage();
        if (message == null) {
            return cause == null ? "unknown cause" : cause.getClass().getSimpleName();
        }
        String trimmed = message.strip();
        int newline = trimmed.indexOf('\n');
        return newline < 0 ? trimmed : trimmed.substring(0, newline).strip();
    }
}
