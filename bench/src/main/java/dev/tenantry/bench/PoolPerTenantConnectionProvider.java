package dev.tenantry.bench;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import javax.sql.DataSource;
import org.hibernate.engine.jdbc.connections.spi.MultiTenantConnectionProvider;

/**
 * One HikariCP pool per tenant, opened the first time a tenant is asked for, each pinned to the tenant's
 * schema when its connections open; requests then cost no extra round trip, but every tenant in use holds
 * connections of its own, so the server's {@code max_connections} caps the number of tenants.
 */
public final class PoolPerTenantConnectionProvider implements MultiTenantConnectionProvider<String>, AutoCloseable {

    private static final long serialVersionUID = 1L;

    private final transient Function<String, HikariDataSource> poolForTenant;
    private final transient DataSource any;
    private final transient ConcurrentMap<String, HikariDataSource> pools = new ConcurrentHashMap<>();

    /**
     * @param poolForTenant opens the pool of one tenant
     * @param any           connections for Hibernate's start-up metadata
     */
    public PoolPerTenantConnectionProvider(Function<String, HikariDataSource> poolForTenant, DataSource any) {
        this.poolForTenant = Objects.requireNonNull(poolForTenant, "poolForTenant");
        this.any = Objects.requireNonNull(any, "any");
    }

    @Override
    public Connection getConnection(String tenant) throws SQLException {
        return pools.computeIfAbsent(tenant, poolForTenant).getConnection();
    }

    @Override
    public void releaseConnection(String tenant, Connection connection) throws SQLException {
        connection.close();
    }

    @Override
    public Connection getAnyConnection() throws SQLException {
        return any.getConnection();
    }

    @Override
    public void releaseAnyConnection(Connection connection) throws SQLException {
        connection.close();
    }

    /** How many tenant pools are open. */
    public int pools() {
        return pools.size();
    }

    /** The tenant pools open now. */
    public java.util.List<DataSource> poolList() {
        return java.util.List.copyOf(pools.values());
    }

    /** Connections open over all tenant pools. */
    public int openConnections() {
        int total = 0;
        for (HikariDataSource pool : pools.values()) {
            total += Strategies.connections(pool);
        }
        return total;
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

    /** Closes every tenant pool. */
    @Override
    public void close() {
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
