package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Hands a tenant's schema to a role, as a create-schemas script would: ownership, or the use of it. */
final class SchemaGrants {

    private final Database database;
    private final TenantRegistry registry;

    SchemaGrants(Database database, TenantRegistry registry) {
        this.database = database;
        this.registry = registry;
    }

    /** See {@link TenantProvisioning#grantSchema(String, String, boolean)}. */
    void grant(String tenant, String role, boolean owner) {
        SchemaName schema = registry.schemaOf(tenant);
        if (role == null || role.isEmpty() || role.length() > SchemaName.MAX_LENGTH || role.indexOf('\0') >= 0) {
            throw new TenantryException("Not a role name: " + (role == null ? "null" : "'" + role + "'"));
        }
        String quotedRole = SchemaName.quoteIdentifier(role);
        try (Connection connection = database.admin().getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
                    exists.setString(1, role);
                    try (ResultSet rows = exists.executeQuery()) {
                        if (!rows.next()) {
                            throw new TenantryException("Role '" + role + "' does not exist; create it first, then grant"
                                    + " schema " + schema.quoted() + " of tenant '" + tenant + "' to it");
                        }
                    }
                }
                try (Statement statement = connection.createStatement()) {
                    if (owner) {
                        statement.execute("ALTER SCHEMA " + schema.quoted() + " OWNER TO " + quotedRole);
                    }
                    statement.execute("GRANT USAGE, CREATE ON SCHEMA " + schema.quoted() + " TO " + quotedRole);
                }
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new TenantryException("Granting schema " + schema.quoted() + " of tenant '" + tenant + "' to role '" + role
                    + "' failed: " + e.getMessage(), e);
        }
    }
}
