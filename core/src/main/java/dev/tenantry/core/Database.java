package dev.tenantry.core;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import dev.tenantry.core.internal.AdminConnectionGuard;
import dev.tenantry.core.internal.NamedStatementGuard;
import dev.tenantry.core.internal.PhysicalConnections;
import dev.tenantry.core.internal.PoolLanes;
import dev.tenantry.core.internal.SearchPathSetup;
import java.util.ArrayList;
import java.util.List;

/**
 * The connections of one Tenantry process: the shared pool that application work borrows from (per request divided
 * into lanes, one HikariCP pool each, that tenants are routed to: {@link #lanes()}), and an unpooled data source for schema changes (provisioning, migrations), so that whatever
 * session state a migration tool leaves behind dies with its connection instead of returning to the pool.
 *
 * <p>Every new physical connection, pooled or not, is checked once for a pooler between Tenantry and PostgreSQL
 * ({@code TENANTRY_POOLER}): behind one, pooled connections prepare no named statements on the server unless the
 * pooler is declared to carry them, and connections for schema changes are refused unless it is declared to run in
 * session mode.
 */
public final class Database implements AutoCloseable {

    private final TenantryConfig config;
    private final PhysicalConnections connections;
    private final PoolLanes pool;
    private final PhysicalConnections admin;
    private volatile Citus citus;

    private Database(TenantryConfig config, PhysicalConnections connections, PoolLanes pool, PhysicalConnections admin) {
        this.config = config;
        this.connections = connections;
        this.pool = pool;
        this.admin = admin;
    }

    /**
     * Opens the pool. The pool opens its first connection lazily, so a wrong password surfaces at
     * first use; call {@link #checkConnection()} to fail at start-up instead.
     */
    public static Database open(TenantryConfig config) {
        PhysicalConnections connections = new PhysicalConnections(TenantryConfig.DATABASE_URL, config.databaseUrl(),
                credentials(driverProperties(config), config.user(), config.password()),
                List.of(new NamedStatementGuard(config.pooler(), config.databaseUrl().parameters().get("prepareThreshold")),
                        new SearchPathSetup(config)));
        int lanes = config.poolLanes();
        int[] sizes = new int[lanes];
        List<HikariDataSource> pools = new ArrayList<>(lanes);
        try {
            for (int lane = 0; lane < lanes; lane++) {
                sizes[lane] = share(config.poolMaxSize(), lanes, lane);
                pools.add(new HikariDataSource(laneConfig(config, connections, lanes == 1 ? "tenantry" : "tenantry-lane-" + lane,
                        sizes[lane], share(config.poolMinIdle(), lanes, lane))));
            }
        } catch (RuntimeException e) {
            pools.forEach(HikariDataSource::close);
            throw e;
        }
        PoolLanes pool = new PoolLanes(pools, sizes, config.tenantsPerConnection(), config.poolSpillAfter(),
                config.statementCacheTenants());
        return new Database(config, connections, pool, adminConnections(config));
    }

    /** Lane {@code lane}'s part of {@code total} split over {@code lanes}: the first lanes take the remainder. */
    static int share(int total, int lanes, int lane) {
        return total / lanes + (lane < total % lanes ? 1 : 0);
    }

    private static HikariConfig laneConfig(TenantryConfig config, PhysicalConnections connections, String name, int size,
                                           int minIdle) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        // Every lane opens its connections through the same PhysicalConnections, so each gets the same set-up.
        hikari.setDataSource(connections);
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(minIdle);
        hikari.setConnectionTimeout(config.acquireTimeout().toMillis());
        hikari.setMaxLifetime(config.maxLifetime().toMillis());
        hikari.setKeepaliveTime(config.keepalive().toMillis());
        hikari.setIdleTimeout(config.idleTimeout().toMillis());
        // Fail lazily rather than in the constructor: start-up checks are explicit (checkConnection).
        hikari.setInitializationFailTimeout(-1);
        return hikari;
    }

    /**
     * The driver settings of pooled connections. Parameters in {@code DATABASE_URL} take precedence over these:
     * pgjdbc reads the URL last. Behind a pooler, the connection's prepare threshold may still be lowered to 0 when it
     * is opened (see {@link NamedStatementGuard}).
     */
    static Properties driverProperties(TenantryConfig config) {
        Properties properties = commonProperties(config, "");
        int statements = config.statementCache();
        properties.setProperty("preparedStatementCacheQueries", Integer.toString(statements));
        // pgjdbc also caps the cache by its own estimate of the statements' size (default 5 MiB); a Hibernate
        // statement is estimated at 1 to 4 KiB, so allow 4 KiB each rather than let the cap evict them first.
        properties.setProperty("preparedStatementCacheSizeMiB", Integer.toString(Math.max(5, (statements + 255) / 256)));
        if (statements == 0) {
            properties.setProperty("prepareThreshold", "0");
        }
        // Otherwise pgjdbc's threshold stays: a text is prepared on the server at its fifth execution on a
        // connection. Preparing at the first would fill the cache with texts run once, and every server-side
        // statement pgjdbc evicts costs a round trip of its own to close (measured: 5.76 instead of 5 on the
        // web request, with 1,000 tenants over a cache of 1,024 and a threshold of 1; 5.34 with the threshold at 5).
        return properties;
    }

    private static Properties commonProperties(TenantryConfig config, String applicationSuffix) {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
        properties.setProperty("ApplicationName", config.applicationName() + applicationSuffix);
        return properties;
    }

    private static Properties credentials(Properties properties, String user, String password) {
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        return properties;
    }

    /** Connections for schema changes, one fresh connection per call, with their own credentials when the URL has them. */
    private static PhysicalConnections adminConnections(TenantryConfig config) {
        DatabaseUrl url = config.adminDatabaseUrl();
        boolean ownUrl = url != config.databaseUrl();
        String user = ownUrl && url.user() != null ? url.user() : config.user();
        String password = ownUrl && url.password() != null ? url.password() : config.password();
        return new PhysicalConnections(ownUrl ? TenantryConfig.ADMIN_DATABASE_URL : TenantryConfig.DATABASE_URL, url,
                credentials(commonProperties(config, "-admin"), user, password),
                List.of(new AdminConnectionGuard(config.pooler(), ownUrl)));
    }

    /**
     * Opens and closes one connection of each kind, pooled and for schema changes, outside the pool: a wrong host,
     * user or password fails now with the server's own reason, instead of after the pool's acquire timeout; and what
     * sits between Tenantry and PostgreSQL is found out, logged, and refused where it would be unsafe.
     *
     * @throws InvalidConfigurationException when a pooler is in the way of a setting that cannot work through it
     */
    public void checkConnection() {
        check(connections, config.databaseUrl());
        check(admin, config.adminDatabaseUrl());
    }

    private static void check(DataSource dataSource, DatabaseUrl url) {
        try (Connection connection = dataSource.getConnection()) {
            connection.isValid(5);
        } catch (SQLException e) {
            if (e.getCause() instanceof TenantryException refusal) {
                throw refusal;
            }
            Throwable cause = e.getCause();
            String detail = cause == null || cause.getMessage() == null || e.getMessage().contains(cause.getMessage())
                    ? "" : " (" + cause.getMessage() + ")";
            throw new TenantryException("Cannot connect to " + url + ": " + e.getMessage() + detail, e);
        }
    }

    public TenantryConfig config() {
        return config;
    }

    /**
     * The shared pool that application work borrows from. SQL on its connections that names no schema finds none per
     * request, and the deployment's schema per deployment: each connection gets that {@code search_path} when the pool
     * opens it, or, behind a transaction-mode pooler, the server's default must already be that, which is checked at
     * start-up (see also {@link TenantryConfig#extensionSchemas()}).
     */
    public DataSource pool() {
        return pool;
    }

    /**
     * A pooled connection for {@code tenant}'s work, from the tenant's lane, or from another lane's idle connection when
     * that one is busy. It resolves no schema: {@code SchemaPerTenantConnectionProvider} wraps it for that.
     */
    public Connection connectionFor(String tenant) throws SQLException {
        return pool.connectionFor(tenant);
    }

    /** The lane whose connections serve {@code tenant}'s work: 0 with one lane. */
    public int laneOf(String tenant) {
        return pool.laneOf(tenant);
    }

    /** What each lane of the pool is doing now, in lane order; one lane per deployment or with {@code TENANTRY_POOL_LANES=1}. */
    public List<PoolLane> lanes() {
        return pool.lanes();
    }

    /** The HikariCP pool of each lane, in lane order, for binding their metrics or managing them. */
    public List<HikariDataSource> lanePools() {
        return pool.pools();
    }

    /**
     * Unpooled connections for schema changes; each is closed after one job. Through a pooler not declared to run in
     * session mode, each fails at once with an {@link InvalidConfigurationException} as its cause.
     */
    public DataSource admin() {
        return admin;
    }

    /**
     * Whether schema changes work with Citus here, as {@code TENANTRY_CITUS} says: found out over an admin
     * connection on first call, then remembered; {@link Citus#NONE} on plain PostgreSQL or with the setting off.
     *
     * @throws InvalidConfigurationException for {@code TENANTRY_CITUS=on} on a database without Citus
     * @throws TenantryException when the admin connection reaches a Citus worker, or cannot be opened
     */
    public Citus citus() {
        Citus known = citus;
        if (known == null) {
            synchronized (this) {
                known = citus;
                if (known == null) {
                    if (config.citus() == CitusMode.OFF) {
                        known = Citus.NONE;
                    } else {
                        try (Connection connection = admin.getConnection()) {
                            known = Citus.detect(connection, config.citus());
                        } catch (SQLException e) {
                            throw new TenantryException("Cannot find out whether " + config.adminDatabaseUrl()
                                    + " is a Citus coordinator: " + e.getMessage(), e);
                        }
                    }
                    citus = known;
                }
            }
        }
        return known;
    }

    @Override
    public void close() {
        pool.close();
    }
}
