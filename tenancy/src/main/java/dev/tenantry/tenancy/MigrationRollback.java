package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.SchemaRollback;
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
import java.util.TreeMap;

/**
 * Takes one module of many tenants to a target version, down with its down scripts. Before any tenant is touched,
 * every down script that any of them needs is checked, from all their histories read in one query per batch: one
 * missing script refuses the whole run. Each tenant then goes down in one transaction with its history.
 */
final class MigrationRollback {

    private final Database database;
    private final SchemaMigrator migrator;
    private final SchemaRollback rollback;

    MigrationRollback(Database database, SchemaMigrator migrator, SchemaRollback rollback) {
        this.database = database;
        this.migrator = migrator;
        this.rollback = rollback;
    }

    /**
     * Checks that {@code target} is a version of {@code module}, and that each tenant has a down script for every
     * applied version above it.
     *
     * @throws TenantryException naming each missing script and the tenants that need it; nothing was changed
     */
    void check(List<TenantInfo> tenants, String module, String target) {
        rollback.checkTarget(module, target);
        MigrationModule declared = migrator.module(module);
        Map<String, String> tenantBySchema = new LinkedHashMap<>();
        tenants.forEach(info -> tenantBySchema.put(info.schema(), info.tenant()));
        Map<String, List<String>> applied = appliedVersions(new ArrayList<>(tenantBySchema.keySet()), declared);
        Map<String, List<String>> tenantsByMissing = new TreeMap<>();
        applied.forEach((schema, versions) -> rollback.missingScripts(module, versions, target).forEach(version ->
                tenantsByMissing.computeIfAbsent(version, v -> new ArrayList<>()).add(tenantBySchema.get(schema))));
        if (!tenantsByMissing.isEmpty()) {
            List<String> parts = new ArrayList<>();
            tenantsByMissing.forEach((version, needing) -> parts.add("U" + version + "__<description>.sql (needed by "
                    + names(needing) + ")"));
            throw new TenantryException("Cannot take migration module '" + module + "' to version " + target
                    + ": no down script " + String.join(", ", parts) + " in " + String.join(", ", declared.locations())
                    + "; nothing was changed");
        }
    }

    /** Up to five names, then how many more. */
    private static String names(List<String> tenants) {
        String shown = String.join(", ", tenants.subList(0, Math.min(5, tenants.size())));
        return tenants.size() <= 5 ? shown : shown + " and " + (tenants.size() - 5) + " more";
    }

    /** Whether the module of this schema stands above the target, so that reaching it means going down. */
    boolean isDown(SchemaName schema, String module, String target) {
        return rollback.isAbove(schema, module, target);
    }

    MigrationResult down(String tenant, SchemaName schema, String module, String target) {
        return rollback.down(tenant, schema, module, target);
    }

    /** Each schema's successfully applied versions of the module, in one query per batch. */
    private Map<String, List<String>> appliedVersions(List<String> schemas, MigrationModule module) {
        Map<String, List<String>> applied = new LinkedHashMap<>();
        try (Connection connection = database.pool().getConnection()) {
            for (int from = 0; from < schemas.size(); from += TenantHistories.BATCH) {
                List<String> batch = schemas.subList(from, Math.min(schemas.size(), from + TenantHistories.BATCH));
                Set<String> withHistory = new HashSet<>();
                try (PreparedStatement statement = connection.prepareStatement("SELECT schemaname FROM pg_catalog.pg_tables"
                        + " WHERE tablename = ? AND schemaname = ANY (?)")) {
                    statement.setString(1, module.historyTable());
                    statement.setArray(2, connection.createArrayOf("text", batch.toArray()));
                    try (ResultSet rows = statement.executeQuery()) {
                        while (rows.next()) {
                            withHistory.add(rows.getString(1));
                        }
                    }
                }
                StringBuilder sql = new StringBuilder();
                for (String schema : batch) {
                    if (withHistory.contains(schema)) {
                        sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("SELECT '").append(SchemaName.of(schema).value())
                                .append("', version FROM ").append(SchemaName.of(schema).quoted()).append('.')
                                .append(SchemaName.quoteIdentifier(module.historyTable()))
                                .append(" WHERE success AND version IS NOT NULL");
                    }
                }
                if (sql.length() == 0) {
                    continue;
                }
                try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql.toString())) {
                    while (rows.next()) {
                        applied.computeIfAbsent(rows.getString(1), s -> new ArrayList<>()).add(rows.getString(2));
                    }
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the tenants' histories of migration module '" + module.name() + "': "
                    + e.getMessage(), e);
        }
        return applied;
    }
}
