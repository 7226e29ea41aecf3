package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The template schema that new tenants are copied from and that adoption, verification and generated migrations
 * compare with: created or migrated to the latest version once per process, on first need. It is never a tenant.
 *
 * <p>A template holds the tables of the migration modules that built it, so each set of modules has a template of
 * its own: {@value TenantProvisioning#TEMPLATE_SCHEMA} for the model's module alone, and
 * {@value TenantProvisioning#TEMPLATE_SCHEMA}{@code _<hash of the modules' history tables>} once other modules
 * (the app's own migrations) come with it. Two processes on one database with different modules (the app and a
 * command line run without {@code --migrations}) then never copy each other's tables into a new tenant. A template
 * that holds the history of a module outside its set (left by a release that kept one template for every set) is
 * dropped and built again before its first use.
 */
final class TemplateSchema {

    private static final Logger LOG = LoggerFactory.getLogger(TenantProvisioning.class);

    private final Database database;
    private final SchemaMigrator migrator;
    private final SchemaName schema;
    private volatile String version;

    TemplateSchema(Database database, SchemaMigrator migrator) {
        this.database = database;
        this.migrator = migrator;
        this.schema = nameFor(migrator.modules());
    }

    /** The template of these modules, in their order. */
    static SchemaName nameFor(List<MigrationModule> modules) {
        List<String> tables = modules.stream().map(MigrationModule::historyTable).toList();
        if (tables.equals(List.of(MigrationModule.DEFAULT_HISTORY_TABLE))) {
            return SchemaName.of(TenantProvisioning.TEMPLATE_SCHEMA);
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(String.join(",", tables).getBytes(StandardCharsets.UTF_8));
            return SchemaName.of(TenantProvisioning.TEMPLATE_SCHEMA + "_" + HexFormat.of().formatHex(digest, 0, 4));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether {@code schema} is a template of some set of modules: never a tenant's schema. */
    static boolean isTemplate(String schema) {
        return schema != null && (schema.equals(TenantProvisioning.TEMPLATE_SCHEMA)
                || schema.matches(TenantProvisioning.TEMPLATE_SCHEMA + "_[0-9a-f]{8}"));
    }

    /** The template's schema for this process's modules. */
    SchemaName schema() {
        return schema;
    }

    /** Creates or migrates the template, the first time only; returns its version. */
    String prepare() {
        String prepared = version;
        if (prepared == null) {
            synchronized (this) {
                if (version == null) {
                    discardIfBuiltByOtherModules();
                    version = migrator.provision(null, schema).targetVersion();
                }
                prepared = version;
            }
        }
        return prepared;
    }

    /** Drops the template if it holds the history table of a module this set does not have: it would copy its tables. */
    private void discardIfBuiltByOtherModules() {
        try (Connection connection = database.admin().getConnection()) {
            List<String> foreign = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = ? AND table_name LIKE 'flyway\\_schema\\_history%' ORDER BY 1")) {
                query.setString(1, schema.value());
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        if (!migrator.historyTables().contains(rows.getString(1))) {
                            foreign.add(rows.getString(1));
                        }
                    }
                }
            }
            if (!foreign.isEmpty()) {
                LOG.warn("The template schema {} holds the history of migration modules this process does not have ({}),"
                        + " so new tenants would get their tables: it is dropped and built again", schema.quoted(),
                        String.join(", ", foreign));
                try (Statement drop = connection.createStatement()) {
                    drop.execute("DROP SCHEMA IF EXISTS " + schema.quoted() + " CASCADE");
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Could not check the template schema " + schema.quoted() + " before its first use: "
                    + e.getMessage(), e);
        }
    }
}
