package dev.tenantry.bench;

import dev.tenantry.core.SchemaName;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import javax.sql.DataSource;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;

/**
 * The pattern most blog posts teach, written out so it can be measured: one shared pool,
 * {@code SET search_path} to the tenant's schema when Hibernate takes a connection, and back to
 * {@code public} when it gives the connection back. Each costs one round trip.
 */
public final class SearchPathConnectionProvider implements MultiTenantConnectionProvider<String> {

    private static final long serialVersionUID = 1L;

    private final transient DataSource pool;

    public SearchPathConnectionProvider(DataSource pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    @Override
    public Connection getConnection(String tenant) throws SQLException {
        Connection connection = pool.getConnection();
        try {
            execute(connection, "SET search_path TO " + SchemaName.ofTenant(tenant).quoted());
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    @Override
    public void releaseConnection(String tenant, Connection connection) throws SQLException {
        try {
            execute(connection, "SET search_path TO public");
        } finally {
            connection.close();
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Override
    public Connection getAnyConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public void releaseAnyConnection(Connection connection) throws SQLException {
        connection.close();
    }

    @Override
    public boolean supportsAggressiveRelease() {
        return false;
    }

    @Override
    public boolean isUnwrappableAs(Class<?> type) {
        return false;
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        throw new IllegalArgumentException("Cannot unwrap " + getClass().getName() + " as " + type.getName());
    }
}
