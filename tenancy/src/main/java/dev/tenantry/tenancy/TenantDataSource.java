package dev.tenantry.tenancy;

import dev.tenantry.core.NoTenantInScopeException;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool as a plain {@link DataSource}, for code that writes its own SQL (JDBC, Spring's
 * {@code JdbcTemplate}): a connection works in the tenant in scope when it is borrowed (per request) or in
 * the deployment's schema (per deployment), and resolves {@link TenantSchema#PLACEHOLDER} in every text it
 * is given, as native queries through the EntityManagerFactory do. Per request with no tenant in scope,
 * the connection is still lent, for what needs no SQL (metadata, {@code isValid}), but every statement on it
 * fails with {@link NoTenantInScopeException}: nothing falls back to another schema.
 *
 * <p>{@link #unwrap(Class)} reaches the pool itself (for its metrics and management); connections borrowed
 * from it directly resolve nothing.
 */
public final class TenantDataSource implements DataSource {

    /** Where connections come from: a tenant's, the deployment's, or one lent with no tenant. */
    @FunctionalInterface
    interface Connections {
        Connection get() throws SQLException;
    }

    private final DataSource pool;
    private final Connections connections;

    TenantDataSource(DataSource pool, Connections connections) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    /**
     * A connection for the tenant in scope (per request) or the deployment's schema (per deployment).
     *
     * @throws dev.tenantry.core.UnknownTenantException when the tenant in scope was not provisioned
     */
    @Override
    public Connection getConnection() throws SQLException {
        return connections.get();
    }

    /** Refused: connections carry the pool's credentials, so that every one of them is the same kind. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("Tenantry's connections use the pool's credentials;"
                + " call getConnection() without a user and password");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || type.isInstance(pool) || pool.isWrapperFor(type);
    }

    @Override
    public String toString() {
        return "TenantDataSource[" + pool + "]";
    }
}
