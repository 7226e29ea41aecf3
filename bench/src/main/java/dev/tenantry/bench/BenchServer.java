package dev.tenantry.bench;

import dev.tenantry.core.DatabaseUrl;
import dev.tenantry.core.TenantryConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * The PostgreSQL server the bench measures: the one {@code DATABASE_URL} names, else an embedded
 * PostgreSQL started with the default {@code max_connections} of 100 and discarded at the end.
 */
final class BenchServer implements AutoCloseable {

    /** PostgreSQL's own default; the embedded server is started with it so that pool-per-tenant meets the real limit. */
    static final String DEFAULT_MAX_CONNECTIONS = "100";

    private final String description;
    private final String host;
    private final int port;
    private final String database;
    private final String query;
    private final String user;
    private final String password;
    private final EmbeddedPostgres embedded;

    private BenchServer(String description, String host, int port, String database, String query, String user,
                        String password, EmbeddedPostgres embedded) {
        this.description = description;
        this.host = host;
        this.port = port;
        this.database = database;
        this.query = query;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    /**
     * @param settings settings for the embedded server, over PostgreSQL's defaults; {@code Bench.run} refuses
     *                 them with {@code DATABASE_URL}, whose server the bench does not reconfigure
     */
    static BenchServer start(Map<String, String> env, Map<String, String> settings) throws IOException {
        String url = env.get(TenantryConfig.DATABASE_URL);
        if (url != null && !url.isBlank()) {
            return fromConfig(TenantryConfig.builder().environment(env).build());
        }
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setServerConfig("max_connections", DEFAULT_MAX_CONNECTIONS);
        settings.forEach(builder::setServerConfig);
        EmbeddedPostgres embedded = builder.start();
        return new BenchServer("embedded PostgreSQL (discarded at the end)", "localhost", embedded.getPort(), "postgres",
                "", "postgres", null, embedded);
    }

    private static BenchServer fromConfig(TenantryConfig config) {
        DatabaseUrl url = config.databaseUrl();
        if (url.multipleHosts()) {
            throw new IllegalArgumentException("DATABASE_URL names several hosts; the bench needs one server");
        }
        Map<String, String> parameters = new LinkedHashMap<>(url.parameters());
        String urlUser = parameters.remove("user");
        String urlPassword = parameters.remove("password");
        String user = config.user() != null ? config.user() : urlUser;
        String password = config.password() != null ? config.password() : urlPassword;
        String kept = parameters.entrySet().stream().map(p -> p.getKey() + "=" + p.getValue())
                .collect(Collectors.joining("&"));
        return new BenchServer("DATABASE_URL " + url, url.host(), url.port(),
                url.database().isEmpty() ? "postgres" : url.database(), kept, user, password, null);
    }

    String description() {
        return description;
    }

    boolean embedded() {
        return embedded != null;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String database() {
        return database;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    /** A URL straight to the server, for setup work that is not measured. */
    String directJdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database + (query.isEmpty() ? "" : "?" + query);
    }

    /** A URL whose connections {@code counter} sees, for everything measured: plain, unencrypted connections. */
    String countedJdbcUrl(RoundTripCounter counter) {
        return counter.jdbcUrl(database);
    }

    /** A plain connection to where {@code config}'s {@code DATABASE_URL} points, with its credentials: setup work. */
    static Connection connect(TenantryConfig config) throws SQLException {
        Properties properties = new Properties();
        if (config.user() != null) {
            properties.setProperty("user", config.user());
        }
        if (config.password() != null) {
            properties.setProperty("password", config.password());
        }
        return DriverManager.getConnection(config.databaseUrl().jdbcUrl(), properties);
    }

    /** Runs one statement where {@code config} points. */
    static void execute(TenantryConfig config, String sql) throws SQLException {
        try (Connection connection = connect(config); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        properties.setProperty("ApplicationName", "tenantry-bench-monitor");
        return DriverManager.getConnection(directJdbcUrl(), properties);
    }

    /** {@code SHOW <setting>} on the server. */
    String setting(String name) throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW " + name)) {
            rows.next();
            return rows.getString(1);
        }
    }

    /** How often autovacuum has vacuumed and analysed tables so far, in the given schemas. */
    record Autovacuum(long vacuums, long analyzes) {

        Autovacuum since(Autovacuum earlier) {
            return new Autovacuum(vacuums - earlier.vacuums, analyzes - earlier.analyzes);
        }
    }

    /** Autovacuum's runs so far on the tables of schemas whose name starts with {@code prefix}. */
    Autovacuum autovacuum(String prefix) throws SQLException {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(
                "SELECT coalesce(sum(autovacuum_count), 0), coalesce(sum(autoanalyze_count), 0)"
                        + " FROM pg_stat_all_tables WHERE starts_with(schemaname, ?)")) {
            statement.setString(1, prefix);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return new Autovacuum(rows.getLong(1), rows.getLong(2));
            }
        }
    }

    /**
     * Waits until the server has closed the connections of strategies measured before, so that the next
     * strategy has the same connection budget; a closed pool's backends exit a moment after their sockets close.
     */
    void awaitMeasuredConnectionsClosed(Duration timeout) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
            statement.setString(1, Target.APPLICATION_NAME);
            while (true) {
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    if (rows.getInt(1) == 0 || System.nanoTime() > deadline) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }
}
