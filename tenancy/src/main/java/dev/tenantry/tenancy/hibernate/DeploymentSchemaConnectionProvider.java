package dev.tenantry.tenancy.hibernate;

import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.tenancy.internal.ResolvedSql;
import dev.tenantry.tenancy.internal.TenantConnection;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;

/**
 * Per-deployment mode: every connection resolves tenant-scoped SQL to the one schema the process is
 * pinned to ({@code DATABASE_SCHEMA}, else {@code public}). The same entities serve both modes.
 */
public final class DeploymentSchemaConnectionProvider implements ConnectionProvider {

    private static final long serialVersionUID = 1L;

    private final transient DataSource pool;
    private final SchemaName schema;
    private final String quotedRole;
    /** One schema: as many texts as a connection keeps prepared, so the driver's cache finds each one at once. */
    private final transient ResolvedSql texts = new ResolvedSql(TenantryConfig.PER_REQUEST_STATEMENT_CACHE);

    public DeploymentSchemaConnectionProvider(DataSource pool, SchemaName schema) {
        this(pool, schema, null);
    }

    /** @param quotedRole with tenant roles on, the role the schema's transactions run as; else {@code null} */
    public DeploymentSchemaConnectionProvider(DataSource pool, SchemaName schema, String quotedRole) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.schema = Objects.requireNonNull(schema, "schema");
        this.quotedRole = quotedRole;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return new TenantConnection(SchemaPerTenantConnectionProvider.borrow(pool, null, schema), schema.quoted(),
                quotedRole, texts);
    }

    @Override
    public void closeConnection(Connection connection) throws SQLException {
        connection.close();
    }

    @Override
    public boolean supportsAggressiveRelease() {
        return false;
    }

    @Override
    public boolean handlesConnectionSchema() {
        return true;
    }

    /** Hibernate may ask for this provider or for the pool behind it. */
    @Override
    public boolean isUnwrappableAs(Class<?> type) {
        return Unwrapping.canUnwrap(type, this, pool);
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        return Unwrapping.unwrap(type, this, pool);
    }
}
