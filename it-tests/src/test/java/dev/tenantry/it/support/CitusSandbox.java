package dev.tenantry.it.support;

import dev.tenantry.core.Citus;
import dev.tenantry.core.CitusMode;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.tenancy.TenantProvisioning;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One test class's share of the Citus coordinator's database: every tenant it creates, and its own tenant registry,
 * are schemas named with a prefix of its own ({@code cit_<random>}), and they are dropped when the class is done,
 * distributed or not, with the tenant roles named after them. Runs never see each other's leftovers, however dirty
 * the cluster. The template schemas (one per set of migration modules, their names fixed) are shared by every class;
 * each is dropped again by the class that created it.
 */
public final class CitusSandbox {

    private final CitusCluster cluster;
    private final String prefix;
    private final List<String> templatesBefore;

    private CitusSandbox(CitusCluster cluster, String prefix, List<String> templatesBefore) {
        this.cluster = cluster;
        this.prefix = prefix;
        this.templatesBefore = templatesBefore;
    }

    static CitusSandbox create(CitusCluster cluster) throws SQLException {
        CitusSandbox sandbox = new CitusSandbox(cluster, "cit_" + UUID.randomUUID().toString().substring(0, 8), List.of());
        return new CitusSandbox(cluster, sandbox.prefix, sandbox.templates());
    }

    /** Every template schema in the database, of whatever set of migration modules. */
    private List<String> templates() throws SQLException {
        return column("SELECT nspname FROM pg_namespace WHERE nspname LIKE ?", TenantProvisioning.TEMPLATE_SCHEMA + "%")
                .stream().filter(TenantProvisioning::isTemplateSchema).toList();
    }

    public CitusCluster cluster() {
        return cluster;
    }

    /** What every schema of this sandbox starts with. */
    public String prefix() {
        return prefix;
    }

    /** A tenant id of this sandbox: {@code <prefix>_<name>}. */
    public String tenant(String name) {
        return prefix + "_" + name;
    }

    /** Tenant ids {@code <prefix>_<name>_0 .. count-1}. */
    public List<String> tenants(String name, int count) {
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tenants.add(tenant(name + "_" + i));
        }
        return tenants;
    }

    /** This sandbox's own tenant registry schema ({@code TENANTRY_SHARED_SCHEMA}). */
    public String sharedSchema() {
        return prefix + "_registry";
    }

    /** The environment a Tenantry process on the coordinator would see, with this sandbox's registry. */
    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put(TenantryConfig.DATABASE_URL, cluster.jdbcUrl());
        env.put(TenantryConfig.DATABASE_USER, cluster.user());
        if (cluster.password() != null) {
            env.put(TenantryConfig.DATABASE_PASSWORD, cluster.password());
        }
        env.put(TenantryConfig.SHARED_SCHEMA, sharedSchema());
        return env;
    }

    /** A per-request configuration builder on the coordinator with this sandbox's registry and a small pool. */
    public TenantryConfig.Builder config() {
        return TenantryConfig.builder().environment(environment()).perRequest().poolMaxSize(8).poolMinIdle(0);
    }

    /** A plain connection to the coordinator, outside Tenantry. */
    public Connection connect() throws SQLException {
        return cluster.connect();
    }

    /** Runs a query on the coordinator and returns the first column of every row as text. */
    public List<String> column(String sql, Object... parameters) {
        return Sql.column(this::connect, sql, parameters);
    }

    public void execute(String sql) {
        Sql.execute(this::connect, sql);
    }

    /** Where each of these schemas lives, as Citus's catalog says; schemas that do not exist are left out. */
    public Map<String, Citus.Placement> placements(List<String> schemas) {
        try (Connection connection = connect()) {
            return Citus.detect(connection, CitusMode.ON).placements(connection, schemas);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node one schema's tables live on, or {@code null} when it is not distributed or has no tables. */
    public Citus.Node nodeOf(String schema) {
        Citus.Placement placement = placements(List.of(schema)).get(schema);
        return placement == null ? null : placement.node();
    }

    /** Whether Citus distributes the schema. */
    public boolean distributed(String schema) {
        return !column("SELECT 1 FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid WHERE n.nspname = ?",
                schema).isEmpty();
    }

    /** Drops every schema of this sandbox and the roles named after them, and the template if this sandbox made it. */
    void drop() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            List<String> schemas = new ArrayList<>();
            // its tenants and registry, and the snapshots of its tenants (tenantry_snap_<time>_<tenant>)
            try (ResultSet rows = statement.executeQuery("SELECT nspname FROM pg_namespace WHERE nspname LIKE '"
                    + prefix + "\\_%' OR nspname LIKE 'tenantry\\_snap\\_%\\_" + prefix + "\\_%' ORDER BY 1")) {
                while (rows.next()) {
                    schemas.add(rows.getString(1));
                }
            }
            templates().stream().filter(template -> !templatesBefore.contains(template)).forEach(schemas::add);
            for (String schema : schemas) {
                statement.execute("DROP SCHEMA IF EXISTS " + SchemaName.of(schema).quoted() + " CASCADE");
            }
            List<String> roles = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT quote_ident(rolname) FROM pg_roles WHERE rolname LIKE 't:"
                    + prefix + "\\_%'")) {
                while (rows.next()) {
                    roles.add(rows.getString(1));
                }
            }
            for (String role : roles) {
                statement.execute("DROP OWNED BY " + role);
                statement.execute("DROP ROLE " + role);
            }
        }
    }
}
