package dev.tenantry.tenancy;

import dev.tenantry.core.Citus;
import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-time move of a single-schema application's tables from {@code public} into a tenant's schema, and
 * back: {@code ALTER TABLE ... SET SCHEMA} with the history, in one transaction. On a Citus coordinator the tables
 * are moved into the tenant's schema while it is on the coordinator, and the schema is distributed whole at the end
 * of the same transaction (one table at a time, foreign keys between them would cross from a distributed schema);
 * on the way back the schema is brought to the coordinator first.
 */
final class TableAdoption {

    /** The provisioning API's one logger, whichever of its operations logs: what users configure. */
    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);

    private final Database database;
    private final SchemaMigrator migrator;
    private final TenantRegistry registry;
    private final TemplateSchema template;

    TableAdoption(Database database, SchemaMigrator migrator, TenantRegistry registry, TemplateSchema template) {
        this.database = database;
        this.migrator = migrator;
        this.registry = registry;
        this.template = template;
    }

    /** See {@link TenantProvisioning#adopt(String, boolean, List, boolean)}; {@code tenantSchema} is the tenant's checked schema. */
    Adoption adopt(String tenant, SchemaName tenantSchema, boolean toPublic, List<String> tables, boolean dryRun) {
        SchemaName from = toPublic ? tenantSchema : SchemaName.PUBLIC;
        SchemaName to = toPublic ? SchemaName.PUBLIC : tenantSchema;
        template.prepare();
        if (!toPublic && !dryRun) {
            registry.install();
        }
        Citus citus = database.citus();
        List<String> statements = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        try (Connection connection = database.admin().getConnection()) {
            connection.setAutoCommit(false);
            try {
                boolean sourceFirst = from.compareTo(to) < 0;
                SchemaMigrator.lockUntilCommit(connection, sourceFirst ? from : to);
                SchemaMigrator.lockUntilCommit(connection, sourceFirst ? to : from);
                List<String> candidates = tables.isEmpty() ? tablesOf(connection, template.schema()) : tables;
                for (String table : candidates) {
                    if (migrator.historyTables().contains(table)) {
                        continue;
                    }
                    if (!SchemaMigrator.tableExists(connection, from, table)) {
                        continue;
                    }
                    if (SchemaMigrator.tableExists(connection, to, table)) {
                        throw new TenantryException("Cannot adopt table " + table + " into " + to.quoted() + " for tenant '"
                                + tenant + "': " + to.quoted() + "." + table + " exists already; nothing was moved");
                    }
                    moved.add(table);
                }
                if (moved.isEmpty()) {
                    throw new TenantryException("Nothing to adopt for tenant '" + tenant + "': " + (tables.isEmpty()
                            ? "none of the tables the migrations create" : "none of " + String.join(", ", tables))
                            + " exists in " + from.quoted() + "; nothing was changed");
                }
                // Tables enter or leave a schema while it is on the coordinator: a distributed schema takes them one at
                // a time, and a foreign key between two of them would cross into it from another schema.
                boolean redistribute = false;
                if (citus.isDistributed(connection, from)) {
                    statements.add(citus.undistributeStatement(from));
                }
                if (!to.isPublic()) {
                    if (citus.isDistributed(connection, to)) {
                        statements.add(citus.undistributeStatement(to));
                    }
                    citus.schemaPlacement(false).ifPresent(statements::add);
                    statements.add("CREATE SCHEMA IF NOT EXISTS " + to.quoted());
                    redistribute = citus.active();
                }
                for (String table : moved) {
                    statements.add("ALTER TABLE " + from.quoted() + "." + SchemaName.quoteIdentifier(table) + " SET SCHEMA " + to.quoted());
                }
                boolean fromTemplate = false;
                for (String history : migrator.historyTables()) {
                    boolean toHasHistory = SchemaMigrator.tableExists(connection, to, history);
                    if (!toHasHistory && SchemaMigrator.tableExists(connection, from, history)) {
                        statements.add("ALTER TABLE " + from.quoted() + "." + history + " SET SCHEMA " + to.quoted());
                    } else if (!toHasHistory && !moved.isEmpty()
                            && SchemaMigrator.tableExists(connection, template.schema(), history)) {
                        String templateHistory = template.schema().quoted() + "." + history;
                        statements.add("CREATE TABLE " + to.quoted() + "." + history + " (LIKE " + templateHistory + " INCLUDING ALL)");
                        statements.add("INSERT INTO " + to.quoted() + "." + history + " SELECT * FROM " + templateHistory);
                        fromTemplate = true;
                    }
                }
                if (fromTemplate) {
                    // That history records every migration as applied: give the tables the storage parameters the
                    // migrations set on them (autovacuum thresholds, fillfactor), so that the record holds for those.
                    Map<String, String> parameters = SchemaCloner.storageParameters(connection, template.schema());
                    for (String table : moved) {
                        if (parameters.containsKey(table)) {
                            statements.add("ALTER TABLE " + to.quoted() + "." + SchemaName.quoteIdentifier(table) + " SET ("
                                    + parameters.get(table) + ")");
                        }
                    }
                }
                if (redistribute) {
                    statements.add(citus.distributeStatement(to));
                }
                if (!dryRun) {
                    try (Statement statement = connection.createStatement()) {
                        for (String sql : statements) {
                            statement.execute(sql);
                        }
                    }
                    if (redistribute) {
                        citus.freeLocalCopies(connection, to);
                    }
                    if (toPublic) {
                        registry.remove(connection, tenant);
                        try (Statement statement = connection.createStatement();
                             ResultSet left = statement.executeQuery("SELECT count(*) FROM pg_catalog.pg_class c"
                                     + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '"
                                     + from.value() + "'")) {
                            left.next();
                            if (left.getInt(1) == 0) {
                                statements.add("DROP SCHEMA " + from.quoted());
                                try (Statement drop = connection.createStatement()) {
                                    drop.execute("DROP SCHEMA " + from.quoted());
                                }
                            }
                        }
                    }
                    connection.commit();
                } else {
                    connection.rollback();
                }
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            // Citus 13 cannot undistribute a schema holding an identity column: say what that means for the way back.
            String hint = citus.active() && String.valueOf(e.getMessage()).contains("identity column")
                    ? "; Citus cannot bring a distributed schema with identity columns back to the coordinator"
                    + " (citus_schema_undistribute), so tables cannot leave " + from.quoted() + " this way: copy their rows"
                    + " out instead (tenants export, or INSERT ... SELECT)" : "";
            throw new TenantryException("Adopting tables for tenant '" + tenant + "' (" + from.quoted() + " -> " + to.quoted()
                    + ") failed and was rolled back: " + e.getMessage() + hint, e);
        }
        if (!dryRun && !toPublic) {
            registry.markProvisioning(tenant, tenantSchema);
            registry.markReady(tenant, migrator.currentVersion(tenantSchema).orElse(null));
        }
        LOG.info("{} tenant '{}': moved {} from {} to {}", dryRun ? "Planned adoption of" : "Adopted", tenant, moved,
                from.quoted(), to.quoted());
        return new Adoption(from.value(), to.value(), moved, statements, dryRun);
    }

    private static List<String> tablesOf(Connection connection, SchemaName schema) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = ? ORDER BY tablename")) {
            statement.setString(1, schema.value());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
        }
        return tables;
    }
}
