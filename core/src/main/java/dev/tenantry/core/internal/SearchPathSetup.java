package dev.tenantry.core.internal;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.Pooler;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenancyMode;
import dev.tenantry.core.TenantryConfig;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each new pooled connection the {@code search_path} that SQL naming no schema meets: per request no schema
 * at all, so such SQL fails instead of reading {@code public} or another tenant; per deployment the deployment's
 * schema, as {@code DATABASE_SCHEMA} promises. Then the extension schemas ({@code TENANTRY_EXTENSION_SCHEMAS}).
 * Set once per physical connection, when the pool opens it, never per transaction; it is the same for every tenant,
 * so nothing of one tenant's work stays on the connection. Hibernate's own SQL names its schema and never depends on it.
 *
 * <p>Through a pooler in transaction mode, a session setting would land on a server session that other clients
 * share, so there nothing is set: the first connection (opened at start-up) checks that the server sessions' own
 * default meets the same rule, and refuses with the statement to run when it does not. The first connection also
 * looks for extensions installed in schemas off the path: their operators would no longer be found (a comparison of
 * {@code citext} values falls back to text's, case-sensitive), which refuses the start; other extensions are
 * reported. Not API.
 */
public final class SearchPathSetup implements ConnectionSetup {

    private static final Logger LOG = LoggerFactory.getLogger(SearchPathSetup.class);

    /** Extensions installed in a schema that the connection's path does not resolve, and whether they bring operators. */
    private static final String EXTENSIONS_OFF_THE_PATH = "SELECT e.extname, n.nspname, EXISTS (SELECT 1 FROM"
            + " pg_catalog.pg_depend d WHERE d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass"
            + " AND d.refobjid = e.oid AND d.deptype = 'e' AND d.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass)"
            + " FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace"
            + " WHERE n.nspname <> 'pg_catalog' AND n.nspname <> ALL (pg_catalog.current_schemas(false)) ORDER BY 1";

    /** What a connection's path resolves to, for the check behind a pooler, with who would have to change it. */
    private static final String RESOLVED_PATH = "SELECT pg_catalog.current_schemas(false),"
            + " pg_catalog.current_setting('search_path'), current_user, pg_catalog.current_database()";

    private final TenancyMode mode;
    private final Pooler pooler;
    private final SchemaName deploymentSchema;
    private final List<SchemaName> extensionSchemas;
    private final String path;
    private volatile boolean checked;

    public SearchPathSetup(TenantryConfig config) {
        this.mode = config.mode();
        this.pooler = config.pooler();
        this.deploymentSchema = config.deploymentSchema();
        this.extensionSchemas = config.extensionSchemas();
        this.path = path(mode, deploymentSchema, extensionSchemas);
    }

    /** The value set: {@code ''} per request without extension schemas, else the quoted schemas in order. */
    public String path() {
        return path;
    }

    static String path(TenancyMode mode, SchemaName deploymentSchema, List<SchemaName> extensionSchemas) {
        Set<SchemaName> schemas = new LinkedHashSet<>();
        if (mode == TenancyMode.PER_DEPLOYMENT) {
            schemas.add(deploymentSchema);
        }
        schemas.addAll(extensionSchemas);
        return schemas.isEmpty() ? "''" : schemas.stream().map(SchemaName::quoted).collect(Collectors.joining(", "));
    }

    /**
     * Sets the path where session settings stay with this client connection: directly connected to PostgreSQL (and
     * no transaction-mode pooler stated), or through a pooler stated to run in session mode. Elsewhere sets nothing
     * and, on the first connection, checks the server's default. One round trip per connection either way, and none
     * through a transaction-mode pooler after the first.
     */
    @Override
    public void prepare(Connection connection, ConnectionRoute route) throws SQLException {
        boolean sessionKept = pooler == Pooler.SESSION || !route.throughPooler() && !pooler.transactionMode();
        boolean first = !checked;
        if (!sessionKept && !first) {
            return;
        }
        PhysicalConnections.withUnnamedStatement(connection, statement -> {
            if (sessionKept && !first) {
                statement.execute("SET search_path = " + path);
                return null;
            }
            if (sessionKept) {
                // One round trip: the path, then what it leaves out.
                statement.execute("SET search_path = " + path + "; " + EXTENSIONS_OFF_THE_PATH);
                statement.getMoreResults();
            } else {
                checkServerDefault(statement, route.setting());
                statement.execute(EXTENSIONS_OFF_THE_PATH);
            }
            try (ResultSet rows = statement.getResultSet()) {
                checkExtensions(rows);
            }
            return null;
        });
        checked = true;
    }

    /** Behind a transaction-mode pooler: the path the server sessions start with must resolve no other schema. */
    private void checkServerDefault(Statement statement, String setting) throws SQLException {
        List<String> resolved = new ArrayList<>();
        String searchPath;
        String role;
        String database;
        try (ResultSet rows = statement.executeQuery(RESOLVED_PATH)) {
            rows.next();
            Array schemas = rows.getArray(1);
            for (Object schema : (Object[]) schemas.getArray()) {
                resolved.add((String) schema);
            }
            searchPath = rows.getString(2);
            role = rows.getString(3);
            database = rows.getString(4);
        }
        Set<String> allowed = new LinkedHashSet<>();
        if (mode == TenancyMode.PER_DEPLOYMENT) {
            allowed.add(deploymentSchema.value());
        }
        extensionSchemas.forEach(schema -> allowed.add(schema.value()));
        List<String> foreign = resolved.stream().filter(schema -> !allowed.contains(schema)).toList();
        if (foreign.isEmpty()) {
            LOG.info("{} goes through a pooler that keeps no session settings: SQL that names no schema resolves by the"
                    + " server's default search_path ({}), which Tenantry checked once and does not set", setting, searchPath);
            return;
        }
        String wanted = mode == TenancyMode.PER_REQUEST ? "no schema" : "schema \"" + deploymentSchema + "\"";
        String through = pooler.transactionMode() ? "a pooler in transaction mode (TENANTRY_POOLER=" + pooler.setting()
                + ")" : "a pooler";
        throw new InvalidConfigurationException(setting, "reaches PostgreSQL through " + through + ", so SQL that names"
                + " no schema resolves by the server sessions' own search_path, " + searchPath + ", which finds schema "
                + String.join(", ", foreign) + "; it must find " + wanted + ". Tenantry sets no session setting through a"
                + " pooler that may run in transaction mode, where it would reach the pooler's other clients."
                + " Set it for the role: ALTER ROLE " + SchemaName.quoteIdentifier(role) + " IN DATABASE "
                + SchemaName.quoteIdentifier(database) + " SET search_path = " + path + (mode == TenancyMode.PER_DEPLOYMENT
                ? " (a role of its own per deployment, or a PgBouncer database entry per deployment with"
                + " connect_query = 'SET search_path = " + path.replace("'", "''") + "')" : "")
                + ", then have the pooler open new server connections (PgBouncer: RECONNECT). If the pooler runs in"
                + " session mode, say so with TENANTRY_POOLER=session, and Tenantry sets the path itself");
    }

    private void checkExtensions(ResultSet rows) throws SQLException {
        List<String> withOperators = new ArrayList<>();
        List<String> others = new ArrayList<>();
        while (rows.next()) {
            String extension = rows.getString(1) + " (schema " + rows.getString(2) + ")";
            (rows.getBoolean(3) ? withOperators : others).add(extension);
        }
        if (!withOperators.isEmpty()) {
            throw new InvalidConfigurationException(TenantryConfig.EXTENSION_SCHEMAS, "the extensions "
                    + String.join(", ", withOperators) + " bring operators, which PostgreSQL finds only through the"
                    + " search_path, and Tenantry keeps their schema off it (search_path = " + path + "): comparisons on"
                    + " their types would silently fall back to other operators (citext's = to text's, case-sensitive)."
                    + " Put the schema on the path with " + TenantryConfig.EXTENSION_SCHEMAS + " (SQL that names no schema"
                    + " then also finds its tables, for every tenant), or move the extension to a schema of its own"
                    + " (ALTER EXTENSION ... SET SCHEMA extensions) and list that one");
        }
        if (!others.isEmpty()) {
            LOG.warn("Extensions off the search_path of pooled connections ({}): {}. SQL that names no schema does not find"
                    + " their functions and types; write them with their schema (public.uuid_generate_v4()), or list the"
                    + " schema in {}", path, String.join(", ", others), TenantryConfig.EXTENSION_SCHEMAS);
        }
    }
}
