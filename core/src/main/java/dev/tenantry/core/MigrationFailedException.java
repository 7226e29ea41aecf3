package dev.tenantry.core;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern FLYWAY_SCRIPT = Pattern.compile("Failed to execute script (\\S+?);");
    private static final Pattern FLYWAY_MESSAGE = Pattern.compile(
            "Message\\s*:\\s*(.*?)(?:; (?:Location|Line|Statement)\\s*:|$)");
    private static final Pattern FLYWAY_LINE = Pattern.compile("; Line\\s*:\\s*(\\d+)");
    private static final Pattern FLYWAY_STATE = Pattern.compile("SQL State\\s*:\\s*(\\w+)");
    /** Flyway's validation report: the findings, without the checksums' values and the link to its blog. */
    private static final Pattern FLYWAY_VALIDATION = Pattern.compile(
            "Validate failed: Migrations have failed validation; (.*?)(?:;? Need more flexibility with validation rules\\?.*)?$");
    private static final Pattern FLYWAY_CHECKSUMS = Pattern.compile(
            "; > Applied to database\\s*:\\s*-?\\d+; > Resolved locally\\s*:\\s*-?\\d+");

    /**
     * A migration failure on one line and without the statement that failed, for a table cell, a status page or an
     * endpoint: Flyway's report of a failed script ({@code Failed to execute script V2__x.sql; SQL State : 42P07;
     * ... Message : ERROR: ...; Location : ...; Statement : ...}) becomes {@code V2__x.sql line 3: ERROR: ...
     * (SQL state 42P07)}; Flyway's validation failures become their findings ({@code Migration checksum mismatch
     * for migration version 2; Either revert ... or run repair ...}); any other message comes back on one line, as it is.
     */
    public static String summary(String message) {
        if (message == null) {
            return null;
        }
        String one = message.strip().replaceAll("\\s*\\R\\s*", " ");
        Matcher validation = FLYWAY_VALIDATION.matcher(one);
        if (validation.find()) {
            return FLYWAY_CHECKSUMS.matcher(validation.group(1)).replaceAll("").strip();
        }
        Matcher text = FLYWAY_MESSAGE.matcher(one);
        if (!text.find()) {
            return one;
        }
        StringBuilder reason = new StringBuilder();
        Matcher script = FLYWAY_SCRIPT.matcher(one);
        if (script.find()) {
            reason.append(script.group(1));
            Matcher line = FLYWAY_LINE.matcher(one);
            if (line.find()) {
                reason.append(" line ").append(line.group(1));
            }
            reason.append(": ");
        }
        reason.append(text.group(1).strip());
        Matcher state = FLYWAY_STATE.matcher(one);
        if (state.find()) {
            reason.append(" (SQL state ").append(state.group(1)).append(')');
        }
        return reason.toString();
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
