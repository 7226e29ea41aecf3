package dev.tenantry.core;

/**
 * A validated PostgreSQL schema name: 1 to 63 lowercase ASCII letters, digits and underscores, not
 * reserved by PostgreSQL ({@code pg_*}, {@code information_schema}). It is the only way a schema name
 * reaches SQL in Tenantry, and it is always rendered quoted, so {@code 00_personal_todo} works.
 *
 * <p>{@link #of(String)} accepts {@code public} (the per-deployment default); {@link #ofTenant(String)}
 * does not, since {@code public} can never be created, dropped or chosen as a tenant.
 */
public final class SchemaName implements Comparable<SchemaName> {

    /** PostgreSQL truncates identifiers longer than this, so longer names are refused instead. */
    public static final int MAX_LENGTH = 63;

    /** The schema a deployment uses when {@code DATABASE_SCHEMA} is unset or empty. */
    public static final SchemaName PUBLIC = new SchemaName("public");

    private final String value;
    private final String quoted;

    private SchemaName(String value) {
        this.value = value;
        this.quoted = '"' + value + '"';
    }

    /** Validates any schema Tenantry may use, {@code public} included. */
    public static SchemaName of(String value) {
        String problem = problemWith(value);
        if (problem != null) {
            throw new InvalidSchemaNameException(value, problem);
        }
        return PUBLIC.value.equals(value) ? PUBLIC : new SchemaName(value);
    }

    /** Validates a schema that a tenant may own: everything {@link #of} checks, and never {@code public}. */
    public static SchemaName ofTenant(String value) {
        SchemaName name = of(value);
        if (name.isPublic()) {
            throw new InvalidSchemaNameException(value,
                    "public is only the per-deployment default; it cannot be created, dropped or chosen as a tenant");
        }
        return name;
    }

    /** Returns why {@code value} is not a valid schema name, or {@code null} when it is. */
    public static String problemWith(String value) {
        if (value == null || value.isEmpty()) {
            return "it is empty";
        }
        if (value.length() > MAX_LENGTH) {
            return "it is " + value.length() + " characters long; at most " + MAX_LENGTH + " are allowed";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            if (!allowed) {
                return "character " + describeChar(c) + " at position " + (i + 1)
                        + " is not allowed; use lowercase ASCII letters, digits and underscores";
            }
        }
        if (value.startsWith("pg_")) {
            return "names starting with pg_ are reserved by PostgreSQL";
        }
        if (value.equals("information_schema")) {
            return "information_schema is reserved by PostgreSQL";
        }
        return null;
    }

    /** The bare name, as stored in {@code pg_namespace}. */
    public String value() {
        return value;
    }

    /** The name as an SQL identifier, always double-quoted (validation guarantees no quote inside). */
    public String quoted() {
        return quoted;
    }

    public boolean isPublic() {
        return this == PUBLIC;
    }

    /** Any other identifier (a table, a role) as SQL: double-quoted, inner quotes doubled. */
    public static String quoteIdentifier(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    @Override
    public int compareTo(SchemaName other) {
        return value.compareTo(other.value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SchemaName && ((SchemaName) other).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }

    /** Renders an untrusted value for an error message: quoted, escaped, and cut to a readable length. */
    static String describe(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("'");
        int shown = Math.min(value.length(), 80);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f && c != '\'' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        out.append('\'');
        if (value.length() > shown) {
            out.append("... (").append(value.length()).append(" characters)");
        }
        return out.toString();
    }

    private static String describeChar(char c) {
        return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
