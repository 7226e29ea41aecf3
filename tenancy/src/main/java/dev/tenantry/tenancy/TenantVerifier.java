package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.hibernate.engine.spi.SessionFactoryImplementor;

/**
 * Checks tenants the way a person would by hand: the schema exists; every table the entity model maps
 * is there, with the columns the model needs, of the types the migrations create (read from the
 * migrated template schema); nothing extra drifted in; no migration is pending or failed. Reads the
 * catalog for all tenants in one query.
 */
public final class TenantVerifier {

    private static final String COLUMNS =
            "SELECT n.nspname, c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)"
            + " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = ANY (?) AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped";

    private final Database database;
    private final TenantProvisioning provisioning;
    private final Map<String, Set<String>> model;

    /**
     * @param model the tenant tables the entity model maps, each with its columns; see {@link #modelOf}
     */
    public TenantVerifier(Database database, TenantProvisioning provisioning, Map<String, Set<String>> model) {
        this.database = database;
        this.provisioning = provisioning;
        this.model = new TreeMap<>(model);
    }

    /** The tables (and their columns) that entities in the logical tenant schema map to. */
    public static Map<String, Set<String>> modelOf(EntityManagerFactory emf) {
        Map<String, Set<String>> tables = new TreeMap<>();
        String prefix = TenantSchema.PLACEHOLDER + ".";
        emf.unwrap(SessionFactoryImplementor.class).getMappingMetamodel().forEachEntityDescriptor(entity ->
                entity.forEachSelectable((index, column) -> {
                    String table = column.getContainingTableExpression();
                    if (table.startsWith(prefix)) {
                        tables.computeIfAbsent(unquote(table.substring(prefix.length())), t -> new TreeSet<>())
                                .add(unquote(column.getSelectionExpression()));
                    }
                }));
        return tables;
    }

    /** Verifies the named tenants, or every tenant in the registry when {@code tenants} is empty. */
    public List<TenantVerification> verify(List<String> tenants) {
        Map<String, TenantInfo> registered = new LinkedHashMap<>();
        provisioning.list().forEach(info -> registered.put(info.tenant(), info));
        List<String> names = tenants.isEmpty() ? new ArrayList<>(registered.keySet()) : tenants;
        Map<String, String> schemas = new LinkedHashMap<>();
        List<TenantVerification> results = new ArrayList<>();
        for (String tenant : names) {
            SchemaName schema = provisioning.checkTenant(tenant);
            schemas.put(tenant, schema.value());
        }
        String template = provisioning.templateSchema().value();
        provisioning.prepareTemplate();
        Set<String> wanted = new LinkedHashSet<>(schemas.values());
        wanted.add(template);
        Map<String, Map<String, Map<String, String>>> catalog = columnsOf(wanted);
        Map<String, TenantStatus> statuses = new LinkedHashMap<>();
        provisioning.status().forEach(status -> statuses.put(status.tenant(), status));
        Map<String, Map<String, String>> expected = catalog.getOrDefault(template, Map.of());
        for (String tenant : names) {
            String schema = schemas.get(tenant);
            List<String> findings = new ArrayList<>();
            TenantInfo info = registered.get(tenant);
            if (info == null) {
                findings.add("tenant is not in the registry");
            } else if (!info.ready()) {
                findings.add("tenant is " + info.state() + (info.lastError() == null ? "" : ": " + info.lastError()));
            }
            Map<String, Map<String, String>> actual = catalog.get(schema);
            if (actual == null && !schemaExists(schema)) {
                findings.add("schema \"" + schema + "\" does not exist");
            } else {
                compare(expected, actual == null ? Map.of() : actual, findings);
            }
            TenantStatus status = statuses.get(tenant);
            if (status != null && status.pending() > 0) {
                findings.add(status.pending() + " migration" + (status.pending() == 1 ? "" : "s") + " pending (at version "
                        + (status.version() == null ? "none" : status.version()) + ")");
            }
            if (status != null && status.failedInHistory() > 0) {
                findings.add(status.failedInHistory() + " failed migration" + (status.failedInHistory() == 1 ? "" : "s")
                        + " in the history");
            }
            Map<String, String> where = new TreeMap<>();
            for (String table : model.keySet()) {
                where.put(table, actual != null && actual.containsKey(table) ? schema : null);
            }
            results.add(new TenantVerification(tenant, schema, where, findings));
        }
        return results;
    }

    private void compare(Map<String, Map<String, String>> expected, Map<String, Map<String, String>> actual,
                         List<String> findings) {
        for (Map.Entry<String, Set<String>> table : model.entrySet()) {
            Map<String, String> columns = actual.get(table.getKey());
            if (columns == null) {
                findings.add("table " + table.getKey() + " is missing");
                continue;
            }
            Map<String, String> expectedColumns = expected.getOrDefault(table.getKey(), Map.of());
            for (String column : table.getValue()) {
                String type = columns.get(column);
                String expectedType = expectedColumns.get(column);
                if (type == null) {
                    findings.add("column " + table.getKey() + "." + column + " is missing");
                } else if (expectedType != null && !expectedType.equals(type)) {
                    findings.add("column " + table.getKey() + "." + column + " is " + type + ", the migrations make it "
                            + expectedType);
                }
            }
            for (String column : columns.keySet()) {
                if (!expectedColumns.isEmpty() && !expectedColumns.containsKey(column)) {
                    findings.add("column " + table.getKey() + "." + column + " (" + columns.get(column)
                            + ") is not made by the migrations");
                }
            }
        }
        for (String table : actual.keySet()) {
            if (!expected.isEmpty() && !expected.containsKey(table)) {
                findings.add("table " + table + " is not made by the migrations");
            }
        }
    }

    /** schema -> table -> column -> type, for the given schemas, in one query. */
    private Map<String, Map<String, Map<String, String>>> columnsOf(Set<String> schemas) {
        Map<String, Map<String, Map<String, String>>> catalog = new TreeMap<>();
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement(COLUMNS)) {
            statement.setArray(1, connection.createArrayOf("text", schemas.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    catalog.computeIfAbsent(rows.getString(1), s -> new TreeMap<>())
                            .computeIfAbsent(rows.getString(2), t -> new TreeMap<>())
                            .put(rows.getString(3), rows.getString(4));
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the catalog: " + e.getMessage(), e);
        }
        return catalog;
    }

    /**
     * For each model table, every schema that holds a table of that name ({@code pg_tables}): shows at a
     * glance a table left in {@code public} or in a schema no tenant owns.
     */
    public Map<String, List<String>> tableLocations() {
        Map<String, List<String>> locations = new TreeMap<>();
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT tablename, schemaname FROM pg_catalog.pg_tables WHERE tablename = ANY (?) ORDER BY 1, 2")) {
            statement.setArray(1, connection.createArrayOf("text", model.keySet().toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    locations.computeIfAbsent(rows.getString(1), t -> new ArrayList<>()).add(rows.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read pg_tables: " + e.getMessage(), e);
        }
        return locations;
    }

    /**
     * The search_path a pooled connection has: per request none, per deployment the deployment's schema, set when the
     * connection was opened (or, behind a transaction-mode pooler, the server's default). Tenantry's SQL never relies
     * on it.
     */
    public String effectiveSearchPath() {
        try (Connection connection = database.pool().getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW search_path")) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new TenantryException("Cannot read search_path: " + e.getMessage(), e);
        }
    }

    private boolean schemaExists(String schema) {
        try (Connection connection = database.pool().getConnection()) {
            return SchemaMigrator.schemaExists(connection, SchemaName.of(schema));
        } catch (SQLException e) {
            throw new TenantryException("Cannot check schema \"" + schema + "\": " + e.getMessage(), e);
        }
    }

    private static String unquote(String identifier) {
        return identifier.startsWith("\"") && identifier.endsWith("\"")
                ? identifier.substring(1, identifier.length() - 1) : identifier;
    }
}
