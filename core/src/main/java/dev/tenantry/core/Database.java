package dev.tenantry.core;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The connections of one Tenantry process: the shared HikariCP pool that application work borrows
 * from, and an unpooled data source for schema changes (provisioning, migrations), so that whatever
 * session state a migration tool leaves behind dies with its connection instead of returning to the pool.
 */
public final class Database implements AutoCloseable {

    private final TenantryConfig config;
    private final HikariDataSource pool;
    private final DataSource admin;
    private volatile Citus citus;

    private Database(TenantryConfig config, HikariDataSource pool, DataSource admin) {
        this.config = config;
        this.pool = pool;
        this.admin = admin;
    }

    /**
     * Opens the pool. The pool opens its first connection lazily, so a wrong password surfaces at
     * first use; call {@link #checkConnection()} to fail at start-up instead.
     */
    public static Database open(TenantryConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("tenantry");
        hikari.setJdbcUrl(config.databaseUrl().jdbcUrl());
        if (config.user() != null) {
            hikari.setUsername(config.user());
        }
        if (config.password() != null) {
            hikari.setPassword(config.password());
        }
        hikari.setMaximumPoolSize(config.poolMaxSize());
        hikari.setMinimumIdle(config.poolMinIdle());
        hikari.setConnectionTimeout(config.acquireTimeout().toMillis());
        hikari.setMaxLifetime(config.maxLifetime().toMillis());
        hikari.setKeepaliveTime(config.keepalive().toMillis());
        hikari.setIdleTimeout(config.idleTimeout().toMillis());
        // Fail lazily rather than in the constructor: start-up checks are explicit (checkConnection).
        hikari.setInitializationFailTimeout(-1);
        hikari.setDataSourceProperties(driverProperties(config));
        return new Database(config, new HikariDataSource(hikari), adminDataSource(config));
    }

    /**
     * The driver settings of pooled connections. Parameters in {@code DATABASE_URL} take precedence over these:
     * pgjdbc reads the URL last.
     */
    static Properties driverProperties(TenantryConfig config) {
        Properties properties = new Properties();
        properties.setProperty("connectTimeout", Long.toString(Math.max(1, config.connectTimeout().toSeconds())));
        properties.setProperty("ApplicationName", config.applicationName());
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

    private static DataSource adminDataSource(TenantryConfig config) {
        return unpooled(config, config.adminDatabaseUrl(), "-admin");
    }

    /** A data source opening one fresh connection per call, with the configuration's credentials and timeouts. */
    private static PGSimpleDataSource unpooled(TenantryConfig config, DatabaseUrl url, String applicationSuffix) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url.jdbcUrl());
        boolean ownCredentials = url != config.databaseUrl();
        String user = ownCredentials && url.user() != null ? url.user() : config.user();
        String password = ownCredentials && url.password() != null ? url.password() : config.password();
        if (user != null) {
            dataSource.setUser(user);
        }
        if (password != null) {
            dataSource.setPassword(password);
        }
        dataSource.setConnectTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
        dataSource.setApplicationName(config.applicationName() + applicationSuffix);
        return dataSource;
    }

    /**
     * Opens and closes one unpooled connection, so that a wrong host, user or password fails now with the
     * server's own reason, instead of after the pool's acquire timeout.
     */
    public void checkConnection() {
        check(unpooled(config, config.databaseUrl(), "-check"), config.databaseUrl());
        if (config.adminDatabaseUrl() != config.databaseUrl()) {
            check(admin, config.adminDatabaseUrl());
        }
    }

    private static void check(DataSource dataSource, DatabaseUrl url) {
        try (Connection connection = dataSource.getConnection()) {
            connection.isValid(5);
        } catch (SQLException e) {
            Throwable cause = e.getCause();
            String detail = cause == null || cause.getMessage() == null || e.getMessage().contains(cause.getMessage())
                    ? "" : " (" + cause.getMessage() + ")";
            throw new TenantryException("Cannot connect to " + url + ": " + e.getMessage() + detail, e);
        }
    }

    public TenantryConfig config() {
        return config;
    }

    /** The shared pool that application work borrows from. */
    public DataSource pool() {
        return pool;
    }

    /** Unpooled connections for schema changes; each is closed after one job. */
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
