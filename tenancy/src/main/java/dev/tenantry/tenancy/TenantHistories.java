package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads where every tenant stands from the tenants' own history tables (one per migration module),
 * {@value #BATCH} schemas per query rather than one query per tenant: each tenant's version, its status, and
 * which tenants a migration run can skip.
 */
final class TenantHistories {

    /** How many schemas one version query reads at most. */
    static final int BATCH = 500;

    /** What one module's history table in one schema says: its latest successful version, and how many rows failed. */
    record History(String version, int failed) {
    }

    /** Every module's history in one schema, by module name; a module without a table is absent. */
    record Histories(Map<String, History> byModule) {

        int failed() {
            return byModule.values().stream().mapToInt(History::failed).sum();
        }
    }

    private final Database database;
    private final SchemaMigrator migrator;
    private final TenantRegistry registry;

    TenantHistories(Database database, SchemaMigrator migrator, TenantRegistry registry) {
        this.database = database;
        this.migrator = migrator;
        this.registry = registry;
    }

    /** See {@link TenantProvisioning#versions()}. */
    Map<String, String> versions() {
        Map<String, String> schemasByTenant = new LinkedHashMap<>();
        for (TenantInfo info : registry.list()) {
            if (info.ready()) {
                schemasByTenant.put(info.tenant(), info.schema());
            }
        }
        Map<String, Histories> histories = of(new ArrayList<>(schemasByTenant.values()));
        Map<String, String> result = new LinkedHashMap<>();
        schemasByTenant.forEach((tenant, schema) -> result.put(tenant, version(histories.get(schema))));
        return result;
    }

    /** See {@link TenantProvisioning#status()}. */
    List<TenantStatus> status() {
        List<TenantInfo> tenants = registry.list();
        Map<String, Histories> histories = of(tenants.stream().map(TenantInfo::schema).toList());
        List<TenantStatus> result = new ArrayList<>();
        for (TenantInfo info : tenants) {
            Histories history = histories.get(info.schema());
            boolean schemaFound = history != null || registry.schemaExists(SchemaName.of(info.schema()));
            result.add(new TenantStatus(info.tenant(), info.schema(), info.state(), schemaFound, version(history),
                    pending(history), history == null ? 0 : history.failed(), info.lastError()));
        }
        return result;
    }

    /** The schema's versions as one text ({@link SchemaMigrator#describe}); {@code null} without any history. */
    String version(Histories histories) {
        if (histories == null) {
            return null;
        }
        Map<String, String> versions = new LinkedHashMap<>();
        histories.byModule().forEach((module, history) -> versions.put(module, history.version()));
        return migrator.describe(versions);
    }

    /** How many migrations of all modules are still to apply. */
    int pending(Histories histories) {
        int pending = 0;
        for (MigrationModule module : migrator.modules()) {
            History history = histories == null ? null : histories.byModule().get(module.name());
            pending += migrator.pendingAfter(module.name(), history == null ? null : history.version());
        }
        return pending;
    }

    /** Whether a schema with these histories has nothing to apply: no failed row, every module at its newest version. */
    boolean current(Histories histories) {
        if (histories == null || histories.failed() > 0) {
            return false;
        }
        for (MigrationModule module : migrator.modules()) {
            History history = histories.byModule().get(module.name());
            if (!migrator.isLatest(module.name(), history == null ? null : history.version())) {
                return false;
            }
        }
        return true;
    }

    /** The histories of each of {@code schemas} that has at least one history table, by schema name. */
    Map<String, Histories> of(List<String> schemas) {
        Map<String, String> moduleByTable = new LinkedHashMap<>();
        migrator.modules().forEach(module -> moduleByTable.put(module.historyTable(), module.name()));
        Map<String, Histories> histories = new LinkedHashMap<>();
        try (Connection connection = database.pool().getConnection()) {
            for (int from = 0; from < schemas.size(); from += BATCH) {
                List<String> batch = schemas.subList(from, Math.min(schemas.size(), from + BATCH));
                StringBuilder sql = new StringBuilder();
                for (String[] found : historyTables(connection, batch, moduleByTable.keySet())) {
                    SchemaName schema = SchemaName.of(found[0]);
                    String history = schema.quoted() + "." + SchemaName.quoteIdentifier(found[1]);
                    if (sql.length() > 0) {
                        sql.append(" UNION ALL ");
                    }
                    sql.append("SELECT '").append(schema.value()).append("', '").append(found[1])
                            .append("', (SELECT version FROM ").append(history)
                            .append(" WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1),")
                            .append(" (SELECT count(*) FROM ").append(history).append(" WHERE NOT success)");
                }
                if (sql.length() == 0) {
                    continue;
                }
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery(sql.toString())) {
                    while (rows.next()) {
                        histories.computeIfAbsent(rows.getString(1), s -> new Histories(new LinkedHashMap<>()))
                                .byModule().put(moduleByTable.get(rows.getString(2)), new History(rows.getString(3), rows.getInt(4)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the tenants' migration histories: " + e.getMessage(), e);
        }
        return histories;
    }

    /** Each (schema, history table) pair that exists among {@code schemas}. */
    private static List<String[]> historyTables(Connection connection, List<String> schemas, Set<String> tables)
            throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT schemaname, tablename FROM pg_catalog.pg_tables WHERE tablename = ANY (?) AND schemaname = ANY (?)"
                        + " ORDER BY schemaname, tablename")) {
            statement.setArray(1, connection.createArrayOf("text", tables.toArray()));
            statement.setArray(2, connection.createArrayOf("text", schemas.toArray()));
            List<String[]> found = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.add(new String[] {rows.getString(1), rows.getString(2)});
                }
            }
            return found;
        }
    }
}
