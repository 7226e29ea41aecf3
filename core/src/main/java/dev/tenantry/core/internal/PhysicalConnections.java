package dev.tenantry.core.internal;

import dev.tenantry.core.DatabaseUrl;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.jdbc.PgConnection;

/**
 * Opens physical pgjdbc connections and prepares each one before it is handed out: the one place that knows what
 * a new connection needs. It first finds out how the connection reaches PostgreSQL ({@link ConnectionRoute}, one
 * round trip), then runs the {@link ConnectionSetup}s in order. A HikariCP pool gets it as its data source, so the
 * work happens when the pool opens a connection and never when work borrows one; several pools may share one
 * instance. Not API.
 *
 * <p>Driver properties are passed as pgjdbc's defaults, so parameters written in the URL take precedence over them,
 * as they do when HikariCP is given the URL itself.
 */
public final class PhysicalConnections implements DataSource {

    private static final Driver DRIVER = new org.postgresql.Driver();
    private static final String LOGIN_TIMEOUT = "loginTimeout";

    private final String setting;
    private final DatabaseUrl url;
    private final Properties properties;
    private final List<ConnectionSetup> setups;
    private volatile int loginTimeoutSeconds;
    private volatile PrintWriter logWriter;

    /**
     * @param setting    the variable naming {@code url}, for messages ({@code DATABASE_URL}, ...)
     * @param properties driver properties, the user and password among them; copied
     * @param setups     run in this order on each new connection
     */
    public PhysicalConnections(String setting, DatabaseUrl url, Properties properties, List<ConnectionSetup> setups) {
        this.setting = Objects.requireNonNull(setting, "setting");
        this.url = Objects.requireNonNull(url, "url");
        this.properties = new Properties();
        this.properties.putAll(properties);
        this.setups = List.copyOf(setups);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties connect = properties;
        int loginTimeout = loginTimeoutSeconds;
        if (loginTimeout > 0 && !properties.containsKey(LOGIN_TIMEOUT)) {
            connect = new Properties();
            connect.putAll(properties);
            connect.setProperty(LOGIN_TIMEOUT, Integer.toString(loginTimeout));
        }
        Connection connection = DRIVER.connect(url.jdbcUrl(), connect);
        if (connection == null) {
            throw new SQLException("pgjdbc does not accept the URL " + url); // DatabaseUrl only lets pgjdbc's own forms through
        }
        try {
            ConnectionRoute route = ConnectionRoute.inspect(setting, connection);
            for (ConnectionSetup setup : setups) {
                setup.prepare(connection, route);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Work with one JDBC statement. */
    @FunctionalInterface
    public interface StatementWork<T> {
        T run(Statement statement) throws SQLException;
    }

    /**
     * Runs {@code work} with a statement that pgjdbc sends unnamed, whatever the connection's prepare threshold: a
     * setup's statements run before the connection is known to be safe for named ones, and a name left on a server
     * session that a pooler shares collides with the next client's statement of that name.
     */
    public static <T> T withUnnamedStatement(Connection connection, StatementWork<T> work) throws SQLException {
        PgConnection driver = connection.unwrap(PgConnection.class);
        // A statement takes its threshold from the connection when it is created, and a negative one (URL parameter
        // prepareThreshold=-1) also makes it name every execution, whatever its own threshold is set to later.
        int threshold = driver.getPrepareThreshold();
        boolean forceBinary = driver.getForceBinary();
        driver.setPrepareThreshold(0);
        driver.setForceBinary(false);
        try (Statement statement = connection.createStatement()) {
            return work.run(statement);
        } finally {
            driver.setPrepareThreshold(threshold);
            driver.setForceBinary(forceBinary);
        }
    }

    /** Not supported: the user and password are part of the configuration. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the user and password of " + setting + " come from its configuration");
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    /** HikariCP sets this from its acquire timeout; a {@code loginTimeout} in the URL or the properties wins. */
    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("pgjdbc logs through java.util.logging under org.postgresql");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException(getClass().getName() + " is not a " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "PhysicalConnections[" + setting + "=" + url + "]";
    }
}
