package dev.tenantry.it.support;

import dev.tenantry.core.Citus;
import dev.tenantry.core.DatabaseUrl;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The Citus cluster named by {@code TEST_CITUS_URL}: a coordinator with at least two workers, checked once per
 * JVM. Citus does not propagate {@code CREATE DATABASE}, so tests work in the coordinator's own database (the
 * URL's) and keep apart by schema names ({@link CitusSandbox}).
 */
public final class CitusCluster {

    /** Names the coordinator, in either URL form Tenantry accepts, such as {@code postgresql://postgres@127.0.0.1:9700/postgres}. */
    public static final String TEST_CITUS_URL = "TEST_CITUS_URL";

    private static CitusCluster instance;
    private static String unavailable;

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final List<Citus.Node> workers;
    private final String version;

    private CitusCluster(String host, int port, String database, String user, String password, List<Citus.Node> workers,
                         String version) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.workers = List.copyOf(workers);
        this.version = version;
    }

    /**
     * Why the Citus suite cannot run here, or {@code null} when it can. An unset {@code TEST_CITUS_URL} is a reason
     * to skip; a set one that names no usable coordinator fails {@link #get()} instead, since someone asked for it.
     */
    public static synchronized String whyUnavailable() {
        String url = System.getenv(TEST_CITUS_URL);
        if (url == null || url.isBlank()) {
            return TEST_CITUS_URL + " is not set: the Citus suite needs a coordinator with two workers"
                    + " (for example /work/shared/citus/cluster.sh start, then"
                    + " TEST_CITUS_URL=postgresql://postgres@127.0.0.1:9700/postgres; see docs/scale-out.md)";
        }
        return null;
    }

    /** The cluster, checked on first use: reachable, the citus extension installed, two active workers. */
    public static synchronized CitusCluster get() {
        if (instance != null) {
            return instance;
        }
        if (unavailable != null) {
            throw new IllegalStateException(unavailable);
        }
        String url = System.getenv(TEST_CITUS_URL).strip();
        DatabaseUrl parsed = DatabaseUrl.parse(url);
        String user = parsed.user() != null ? parsed.user() : parsed.parameters().getOrDefault("user", "postgres");
        String password = parsed.password() != null ? parsed.password() : parsed.parameters().get("password");
        String database = parsed.database().isEmpty() ? "postgres" : parsed.database();
        CitusCluster candidate = new CitusCluster(parsed.host(), parsed.port(), database, user, password, List.of(), null);
        try (Connection connection = candidate.connect(); Statement statement = connection.createStatement()) {
            String version;
            try (ResultSet rows = statement.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'citus'")) {
                if (!rows.next()) {
                    throw new IllegalStateException("no citus extension in database " + database);
                }
                version = rows.getString(1);
            }
            Citus citus = Citus.detect(connection, dev.tenantry.core.CitusMode.ON);
            List<Citus.Node> workers = new ArrayList<>(citus.workers(connection));
            if (workers.size() < 2) {
                throw new IllegalStateException("it has " + workers.size() + " active worker(s) holding shards; the suite needs two");
            }
            instance = new CitusCluster(parsed.host(), parsed.port(), database, user, password, workers, version);
            System.out.println("[tenantry-it] Citus " + version + " coordinator at " + parsed.host() + ":" + parsed.port()
                    + ", workers " + workers);
            return instance;
        } catch (SQLException | RuntimeException e) {
            unavailable = TEST_CITUS_URL + " names " + DatabaseUrl.redact(url) + ", which is not a usable Citus coordinator: "
                    + e.getMessage();
            throw new IllegalStateException(unavailable, e);
        }
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

    public String version() {
        return version;
    }

    /** The active workers that hold shards, in host and port order. */
    public List<Citus.Node> workers() {
        return workers;
    }

    /** A JDBC URL for the coordinator's database, without credentials. */
    public String jdbcUrl() {
        return jdbcUrl(host, port, database);
    }

    private static String jdbcUrl(String host, int port, String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A plain connection to the coordinator, outside Tenantry. */
    public Connection connect() throws SQLException {
        return connect(host, port, database);
    }

    /** A plain connection straight to a node, to see what it holds itself. */
    public Connection connect(Citus.Node node) throws SQLException {
        return connect(node.host(), node.port(), database);
    }

    /** A plain connection to another database on the coordinator. */
    public Connection connect(String otherDatabase) throws SQLException {
        return connect(host, port, otherDatabase);
    }

    private Connection connect(String host, int port, String database) throws SQLException {
        return PostgresServer.connect(jdbcUrl(host, port, database), user, password);
    }
}
