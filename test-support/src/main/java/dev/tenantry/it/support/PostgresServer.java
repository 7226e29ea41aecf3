package dev.tenantry.it.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one PostgreSQL server the test JVM uses, chosen once: the server named by
 * {@code TEST_DATABASE_URL} if set, else a Testcontainers container when a Docker engine answers, else
 * an embedded PostgreSQL started from a Maven dependency. Stopped when the JVM exits.
 */
public final class PostgresServer {

    /** The application name of the tests' own connections, which go straight to PostgreSQL (outside Tenantry). */
    public static final String APPLICATION_NAME = "tenantry-test";

    /** Names a server the tests may create databases on, in either URL form Tenantry accepts. */
    public static final String TEST_DATABASE_URL = "TEST_DATABASE_URL";

    private static PostgresServer instance;

    private final String source;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final String maintenanceDatabase;
    private final String query;

    private PostgresServer(String source, String host, int port, String user, String password,
                           String maintenanceDatabase, String query) {
        this.source = source;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.maintenanceDatabase = maintenanceDatabase;
        this.query = query;
    }

    /** The server for this JVM, started on first use. */
    public static synchronized PostgresServer get() {
        if (instance == null) {
            instance = start();
            System.out.println("[tenantry-it] PostgreSQL from " + instance.source + " at " + instance.host + ":" + instance.port);
        }
        return instance;
    }

    private static PostgresServer start() {
        String url = System.getenv(TEST_DATABASE_URL);
        if (url != null && !url.isBlank()) {
            return fromUrl(url.strip());
        }
        if (dockerAnswers()) {
            PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return new PostgresServer("Testcontainers", container.getHost(), container.getMappedPort(5432),
                    container.getUsername(), container.getPassword(), container.getDatabaseName(), "");
        }
        System.out.println("[tenantry-it] TEST_DATABASE_URL is unset and no Docker engine answered: starting embedded PostgreSQL");
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "300")
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (IOException e) {
                    // the JVM is exiting; the temporary data directory goes with it
                }
            }));
            return new PostgresServer("embedded PostgreSQL", "localhost", embedded.getPort(), "postgres", null, "postgres", "");
        } catch (IOException e) {
            throw new IllegalStateException("Could not start embedded PostgreSQL", e);
        }
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** Parses TEST_DATABASE_URL with the same parser Tenantry uses for DATABASE_URL. */
    private static PostgresServer fromUrl(String url) {
        dev.tenantry.core.DatabaseUrl parsed = dev.tenantry.core.DatabaseUrl.parse(url);
        java.util.Map<String, String> parameters = new java.util.LinkedHashMap<>(parsed.parameters());
        String urlUser = parameters.remove("user");
        String urlPassword = parameters.remove("password");
        String user = parsed.user() != null ? parsed.user() : urlUser;
        String password = parsed.password() != null ? parsed.password() : urlPassword;
        String query = String.join("&", parameters.entrySet().stream().map(p -> p.getKey() + "=" + p.getValue()).toList());
        return new PostgresServer(TEST_DATABASE_URL, parsed.host(), parsed.port(), user == null ? "postgres" : user, password,
                parsed.database().isEmpty() ? "postgres" : parsed.database(), query);
    }

    public String source() {
        return source;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** A JDBC URL for {@code database} on this server, without credentials. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + (query.isEmpty() ? "" : "?" + query);
    }

    /** A connection to the maintenance database, for creating and dropping test databases. */
    public Connection connectMaintenance() throws SQLException {
        return connect(maintenanceDatabase);
    }

    public Connection connect(String database) throws SQLException {
        return connect(jdbcUrl(database), user, password);
    }

    /** A plain connection as {@code user}, with {@code password} unless it is {@code null}. */
    static Connection connect(String jdbcUrl, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("ApplicationName", APPLICATION_NAME);
        if (password != null) {
            properties.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    void execute(String sql) throws SQLException {
        try (Connection connection = connectMaintenance(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
