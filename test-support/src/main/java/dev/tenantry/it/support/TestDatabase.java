package dev.tenantry.it.support;

import dev.tenantry.core.TenantryConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A database of its own for one test class, created on the shared {@link PostgresServer} with a unique
 * name and dropped afterwards, so runs never see each other's leftovers.
 */
public final class TestDatabase {

    private final PostgresServer server;
    private final String name;

    TestDatabase(PostgresServer server, String name) {
        this.server = server;
        this.name = name;
    }

    static TestDatabase create(PostgresServer server, String label) throws SQLException {
        String safe = label.toLowerCase().replaceAll("[^a-z0-9]", "_");
        if (safe.length() > 30) {
            safe = safe.substring(safe.length() - 30);
        }
        String name = "tenantry_it_" + safe + "_" + UUID.randomUUID().toString().substring(0, 8);
        server.execute("CREATE DATABASE \"" + name + "\"");
        return new TestDatabase(server, name);
    }

    void drop() throws SQLException {
        server.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    }

    public String name() {
        return name;
    }

    public PostgresServer server() {
        return server;
    }

    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    /** The environment a Tenantry process would see for this database. */
    public Map<String, String> environment() {
        Map<String, String> env = new java.util.HashMap<>();
        env.put(TenantryConfig.DATABASE_URL, jdbcUrl());
        env.put(TenantryConfig.DATABASE_USER, server.user());
        if (server.password() != null) {
            env.put(TenantryConfig.DATABASE_PASSWORD, server.password());
        }
        return env;
    }

    /**
     * The settings a Spring Boot app needs for this database, as {@code name=value} pairs: {@code spring.datasource.*}
     * and a small pool, so that test contexts do not hold many connections.
     */
    public String[] springProperties() {
        return new String[] {"spring.datasource.url=" + jdbcUrl(), "spring.datasource.username=" + server.user(),
                "spring.datasource.password=" + (server.password() == null ? "" : server.password()),
                "tenantry.pool.max-size=4", "tenantry.pool.min-idle=0"};
    }

    /** A configuration builder pointed at this database, with a small pool; tests set the mode. */
    public TenantryConfig.Builder config() {
        return TenantryConfig.builder().environment(environment()).poolMaxSize(8).poolMinIdle(0);
    }

    /** A plain JDBC connection, outside Tenantry, for checking what is really in the database. */
    public Connection connect() throws SQLException {
        return server.connect(name);
    }

    /** Runs a query and returns the first column of every row as text. */
    public List<String> column(String sql, Object... parameters) {
        return Sql.column(this::connect, sql, parameters);
    }

    public void execute(String sql) {
        Sql.execute(this::connect, sql);
    }

    /**
     * Sets the {@code search_path} that new sessions of the test user start with in this database, as Tenantry asks
     * of a database it reaches through a transaction-mode pooler, where it cannot set the path itself. Sessions
     * already open (a pooler's server connections among them) keep theirs.
     */
    public void setRoleSearchPath(String path) {
        execute("ALTER ROLE \"" + server.user() + "\" IN DATABASE \"" + name + "\" SET search_path = " + path);
    }

    /** Every schema in the database except PostgreSQL's own, sorted. */
    public List<String> schemas() {
        return column("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
                + " ORDER BY nspname");
    }

    /** {@code table option=value,...} for every relation of {@code schema} with storage parameters, sorted. */
    public List<String> storageParameters(String schema) {
        return column("SELECT c.relname || ' ' || array_to_string(c.reloptions, ',') FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.reloptions IS NOT NULL ORDER BY 1",
                schema);
    }

    /** {@code schema.table} for every table in the database outside PostgreSQL's own schemas, sorted. */
    public List<String> tables() {
        return column("SELECT schemaname || '.' || tablename FROM pg_tables"
                + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
    }
}
