package dev.tenantry.tenancy;

import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * Defence in depth, opt-in ({@code TENANTRY_TENANT_ROLES=true}): each tenant schema gets a PostgreSQL role
 * that may use that schema and no other, and each transaction of the tenant runs as that role
 * ({@code SET LOCAL ROLE}, which ends with the transaction). Then even hand-written SQL naming another
 * tenant's schema is refused by the database itself. It costs one round trip per transaction, needs
 * the login role to be allowed to create roles ({@code CREATEROLE}), and work must run in transactions.
 *
 * <p>Roles are named {@code t:<schema>@<database hash>}: roles belong to the whole server, so the
 * database is part of the name, and no application role is likely to be called that.
 *
 * <p>In a database with the {@code citus} extension the roles may log in ({@code LOGIN}, without a password):
 * Citus opens its connections to the worker holding a distributed schema as the current role, so a
 * {@code NOLOGIN} role set with {@code SET LOCAL ROLE} would be turned away there. Without a password such a role
 * passes only authentication methods that need none ({@code trust}), which let any role in already.
 */
public final class TenantRoles {

    private TenantRoles() {
    }

    /** The role of {@code schema} in {@code database}, quoted, at most 63 characters. */
    public static String quotedRoleFor(SchemaName schema, String database) {
        String databaseHash = hash(database).substring(0, 6);
        String name = schema.value();
        if (2 + name.length() + 1 + databaseHash.length() > SchemaName.MAX_LENGTH) {
            name = name.substring(0, 44) + "~" + hash(name).substring(0, 8);
        }
        return "\"t:" + name + "@" + databaseHash + "\"";
    }

    /**
     * Creates the tenant's role if missing, lets the login role act as it, and grants it the use of the
     * schema's tables and sequences, now and for tables later migrations create.
     */
    public static void grant(Connection connection, SchemaName schema) {
        try (Statement statement = connection.createStatement()) {
            String role = roleIn(connection, schema);
            String literal = "'" + role.substring(1, role.length() - 1) + "'";
            String login = hasCitus(connection) ? "LOGIN" : "NOLOGIN";
            statement.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = " + literal
                    + ") THEN CREATE ROLE " + role + " " + login + "; END IF; END $$");
            if (login.equals("LOGIN")) {
                statement.execute("ALTER ROLE " + role + " LOGIN"); // a role made before Citus was added
            }
            statement.execute("GRANT " + role + " TO CURRENT_USER");
            String quoted = schema.quoted();
            statement.execute("GRANT USAGE ON SCHEMA " + quoted + " TO " + role);
            statement.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + quoted + " TO " + role);
            statement.execute("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA " + quoted + " TO " + role);
            statement.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + quoted
                    + " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO " + role);
            statement.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA " + quoted
                    + " GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO " + role);
        } catch (SQLException e) {
            throw new TenantryException("Cannot set up the tenant role of schema \"" + schema + "\" (TENANTRY_TENANT_ROLES"
                    + " needs a login role with CREATEROLE): " + e.getMessage(), e);
        }
    }

    /**
     * The role of {@code schema} in the connection's database, quoted, if the server has it; else {@code null}.
     */
    static String existingRole(Connection connection, SchemaName schema) throws SQLException {
        String role = roleIn(connection, schema);
        try (var exists = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
            exists.setString(1, role.substring(1, role.length() - 1));
            try (var found = exists.executeQuery()) {
                return found.next() ? role : null;
            }
        }
    }

    /** Whether the connection's database has the citus extension, which connects to workers as the current role. */
    private static boolean hasCitus(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus'")) {
            return rows.next();
        }
    }

    /** The role of {@code schema} in the connection's database, quoted. */
    private static String roleIn(Connection connection, SchemaName schema) throws SQLException {
        try (Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT current_database()")) {
            rows.next();
            return quotedRoleFor(schema, rows.getString(1));
        }
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
