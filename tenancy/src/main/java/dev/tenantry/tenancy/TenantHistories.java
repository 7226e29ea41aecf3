package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads where every tenant stands from the tenants' own history tables, {@value #BATCH} schemas per query
 * rather than one query per tenant: each tenant's version, its status, and which tenants a migration run can
 * skip.
 */
final class TenantHistories {

    /** How many schemas one version query reads at most. */
    static final int BATCH = 500;

    /** What one schema's history table says: its latest successful version, and how many rows failed. */
    record History(String version, int failed) {
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
        Map<String, History> histories = of(new ArrayList<>(schemasByTenant.values()));
        Map<String, String> result = new LinkedHashMap<>();
        schemasByTenant.forEach((tenant, schema) -> {
            History history = histories.get(schema);
            result.put(tenant, history == null ? null : history.version());
        });
        return result;
    }

    /** See {@link TenantProvisioning#status()}. */
    List<TenantStatus> status() {
        List<TenantInfo> tenants = registry.list();
        Map<String, History> histories = of(tenants.stream().map(TenantInfo::schema).toList());
        List<TenantStatus> result = new ArrayList<>();
        for (TenantInfo info : tenants) {
            History history = histories.get(info.schema());
            String version = history == null ? null : history.version();
            boolean schemaFound = history != null || registry.schemaExists(SchemaName.of(info.schema()));
            result.add(new TenantStatus(info.tenant(), info.schema(), info.state(), schemaFound, version,
                    migrator.pendingAfter(version), history == null ? 0 : history.failed(), info.lastError()));
        }
        return result;
    }

    /** Whether a schema with this history has nothing to apply: no failed row, and at the newest version. */
    boolean current(History history) {
        return history != null && history.failed() == 0 && migrator.isLatest(history.version());
    }

    /** The history of each of {@code schemas} that has a history table, by schema name. */
    Map<String, History> of(List<String> schemas) {
        Map<String, History> histories = new LinkedHashMap<>();
        try (Connection connection = database.pool().getConnection()) {
            for (int from = 0; from < schemas.size(); from += BATCH) {
                List<String> batch = schemas.subList(from, Math.min(schemas.size(), from + BATCH));
                Set<String> withHistory = schemasWithHistory(connection, batch);
                StringBuilder sql = new StringBuilder();
                for (String schemaName : batch) {
                    if (!withHistory.contains(schemaName)) {
                        continue;
                    }
                    SchemaName schema = SchemaName.of(schemaName);
                    String history = schema.quoted() + "." + SchemaMigrator.HISTORY_TABLE;
                    if (sql.length() > 0) {
                        sql.append(" UNION ALL ");
                    }
                    sql.append("SELECT '").append(schema.value()).append("', (SELECT version FROM ").append(history)
                            .append(" WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1),")
                            .append(" (SELECT count(*) FROM ").append(history).append(" WHERE NOT success)");
                }
                if (sql.length() == 0) {
                    continue;
                }
                try (Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery(sql.toString())) {
                    while (rows.next()) {
                        histories.put(rows.getString(1), new History(rows.getString(2), rows.getInt(3)));
                    }
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the tenants' migration histories: " + e.getMessage(), e);
        }
        return histories;
    }

    private static Set<String> schemasWithHistory(Connection connection, List<String> schemas) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT schemaname FROM pg_catalog.pg_tables WHERE tablename = ? AND schemaname = ANY (?)")) {
            statement.setString(1, SchemaMigrator.HISTORY_TABLE);
            statement.setArray(2, connection.createArrayOf("text", schemas.toArray()));
            Set<String> found = new HashSet<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    found.add(rows.getString(1));
                }
            }
            return found;
        }
    }
}
