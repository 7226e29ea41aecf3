package dev.tenantry.core;

/**
 * Migrating or provisioning one schema failed; that schema's transaction was rolled back. The cause
 * carries Flyway's or PostgreSQL's own explanation.
 */
public class MigrationFailedException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public MigrationFailedException(String tenant, String schema, String what, Throwable cause) {
        super(what + " failed for " + (tenant == null ? "" : "tenant '" + tenant + "' ") + "schema \"" + schema
                + "\": " + withRepairCommand(firstLine(cause), tenant), tenant, schema, cause);
    }

    /** Flyway's advice to "run repair" names Flyway's command; say how Tenantry runs it. */
    private static String withRepairCommand(String message, String tenant) {
        String who = tenant == null ? "<tenant>" : tenant;
        return message.replace("run repair", "run repair ('tenantry migrate --repair " + who + "' or provisioning().repair(\""
                + who + "\"))");
    }

    /** Flyway spreads the useful part (which migration, why) over several lines: keep them, on one line. */
    private static String firstLine(Throwable cause) {
        String message = cause == null ? null : cause.getMessage();
        if (message == null) {
            return cause == null ? "unknown cause" : cause.getClass().getSimpleName();
        }
        String joined = message.strip().replaceAll("\\s*\\R[\\s-]*", "; ").replaceAll(";\\s*;", ";");
        return joined.length() <= 600 ? joined : joined.substring(0, 600) + "...";
    }
}
