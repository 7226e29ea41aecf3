package dev.tenantry.tenancy;

import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.boot.registry.BootstrapServiceRegistryBuilder;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;
import org.hibernate.mapping.Table;
import org.hibernate.tool.schema.TargetType;
import org.hibernate.tool.schema.spi.ContributableMatcher;
import org.hibernate.tool.schema.spi.ExceptionHandler;
import org.hibernate.tool.schema.spi.ExecutionOptions;
import org.hibernate.tool.schema.spi.SchemaManagementTool;
import org.hibernate.tool.schema.spi.ScriptTargetOutput;
import org.hibernate.tool.schema.spi.TargetDescriptor;

/**
 * Writes the next migration of a module from the entity model, as Alembic's autogenerate does: Hibernate's schema
 * tooling compares the entities with the migrated template schema (the state every tenant reaches) and says what
 * to add; Tenantry adds the changes Hibernate's update leaves out (a column to drop, a type to change), writes
 * every statement with unqualified names so that it runs in every tenant schema, and writes the down script where
 * each statement can be undone. Destructive changes (dropping a column, narrowing or changing a type) are refused
 * unless asked for. The model's own tables are left to the model's migrations, and a table that no entity maps is
 * left alone (a table removed from the model cannot be told from one kept on purpose).
 */
public final class MigrationGenerator {

    private final Database database;
    private final TenantProvisioning provisioning;

    public MigrationGenerator(Database database, TenantProvisioning provisioning) {
        this.database = database;
        this.provisioning = provisioning;
    }

    /**
     * Compares {@code entities} with the template schema, migrated to the latest version of every module first.
     *
     * @param entities          every entity class of the application, the model's included
     * @param modelTables       the tables the model's migrations own, left out of the comparison
     * @param allowDestructive  write drops and type changes that may lose data instead of refusing them
     * @throws DestructiveMigrationException listing the destructive changes when they are not allowed; nothing is
     *                                       written then
     */
    public GeneratedMigration generate(List<Class<?>> entities, Set<String> modelTables, boolean allowDestructive) {
        provisioning.prepareTemplate();
        SchemaName template = provisioning.templateSchema();
        // Hibernate loads the entities by name again: through the loaders that know them.
        BootstrapServiceRegistryBuilder bootstrap = new BootstrapServiceRegistryBuilder();
        entities.stream().map(Class::getClassLoader).filter(java.util.Objects::nonNull).distinct().forEach(bootstrap::applyClassLoader);
        StandardServiceRegistry registry = new StandardServiceRegistryBuilder(bootstrap.build())
                .applySetting(AvailableSettings.DATASOURCE, database.admin())
                .applySetting(AvailableSettings.DEFAULT_SCHEMA, template.value())
                .applySetting(AvailableSettings.HBM2DDL_AUTO, "none")
                .applySetting(AvailableSettings.JAKARTA_HBM2DDL_DATABASE_ACTION, "none")
                .build();
        try {
            MetadataSources sources = new MetadataSources(registry);
            entities.forEach(sources::addAnnotatedClass);
            Metadata metadata = sources.getMetadataBuilder()
                    .applyPhysicalNamingStrategy(new TemplateNaming(template.value()))
                    .build();
            List<String> statements = new ArrayList<>();
            for (String statement : hibernateUpdate(metadata, registry)) {
                String unqualified = unqualified(statement, template);
                if (!touches(unqualified, modelTables)) {
                    statements.add(unqualified);
                }
            }
            Map<String, Map<String, String>> actual = columns(template);
            List<Change> changes = new ArrayList<>();
            List<Change> destructive = new ArrayList<>();
            classify(statements, actual, changes, destructive);
            droppedColumns(metadata, template, modelTables, actual, destructive);
            if (!destructive.isEmpty() && !allowDestructive) {
                throw new DestructiveMigrationException(destructive.stream().map(Change::reason).toList());
            }
            changes.addAll(destructive);
            return GeneratedMigration.of(changes.stream().map(Change::sql).toList(),
                    changes.stream().map(Change::undo).toList(),
                    destructive.stream().map(Change::reason).toList());
        } finally {
            StandardServiceRegistryBuilder.destroy(registry);
        }
    }

    /** One statement of the migration, how to undo it ({@code null}: it cannot be), and why it is destructive. */
    private record Change(String sql, String undo, String reason) {
    }

    /** What Hibernate's update would run against the template, as script lines. */
    private static List<String> hibernateUpdate(Metadata metadata, StandardServiceRegistry registry) {
        List<String> script = new ArrayList<>();
        Map<String, Object> settings = new LinkedHashMap<>(registry.getService(
                org.hibernate.engine.config.spi.ConfigurationService.class).getSettings());
        ExceptionHandler rethrow = e -> {
            throw new TenantryException("Hibernate could not compare the entities with the template schema: " + e.getMessage(), e);
        };
        ExecutionOptions options = new ExecutionOptions() {
            @Override
            public Map<String, Object> getConfigurationValues() {
                return settings;
            }

            @Override
            public boolean shouldManageNamespaces() {
                return false;
            }

            @Override
            public ExceptionHandler getExceptionHandler() {
                return rethrow;
            }
        };
        ScriptTargetOutput output = new ScriptTargetOutput() {
            @Override
            public void prepare() {
            }

            @Override
            public void accept(String command) {
                script.add(command.strip().replaceAll(";$", ""));
            }

            @Override
            public void release() {
            }
        };
        TargetDescriptor target = new TargetDescriptor() {
            @Override
            public EnumSet<TargetType> getTargetTypes() {
                return EnumSet.of(TargetType.SCRIPT);
            }

            @Override
            public ScriptTargetOutput getScriptTargetOutput() {
                return output;
            }
        };
        registry.getService(SchemaManagementTool.class).getSchemaMigrator(settings)
                .doMigration(metadata, options, ContributableMatcher.ALL, target);
        return script;
    }

    /** Maps the logical tenant schema to the template, where the comparison reads the tables. */
    private static final class TemplateNaming extends PhysicalNamingStrategyStandardImpl {

        private static final long serialVersionUID = 1L;

        private final String template;

        TemplateNaming(String template) {
            this.template = template;
        }

        @Override
        public Identifier toPhysicalSchemaName(Identifier logicalName, JdbcEnvironment jdbcEnvironment) {
            if (logicalName != null && TenantSchema.LOGICAL.equals(logicalName.getText())) {
                return Identifier.toIdentifier(template);
            }
            return super.toPhysicalSchemaName(logicalName, jdbcEnvironment);
        }
    }

    /** The statement with the template's name taken out wherever it qualifies another name. */
    static String unqualified(String sql, SchemaName template) {
        return sql.replace(template.quoted() + ".", "").replace(template.value() + ".", "");
    }

    private static final Pattern TABLE_OF = Pattern.compile(
            "(?i)^(?:create table|alter table(?: if exists)?|create (?:unique )?index \\S+ on)\\s+\"?([\\w$]+)\"?");

    /** Whether the statement changes one of {@code tables}. */
    private static boolean touches(String sql, Set<String> tables) {
        Matcher matcher = TABLE_OF.matcher(sql);
        return matcher.find() && tables.contains(matcher.group(1).toLowerCase(Locale.ROOT));
    }

    private static final Pattern CREATE_TABLE = Pattern.compile("(?i)^create table (\\S+)\\s*\\(");
    private static final Pattern ADD_COLUMN = Pattern.compile("(?i)^alter table (if exists )?(\\S+) add column (\\S+)\\s");
    private static final Pattern ADD_CONSTRAINT = Pattern.compile("(?i)^alter table (if exists )?(\\S+) add constraint (\\S+)\\s");
    private static final Pattern CREATE_SEQUENCE = Pattern.compile("(?i)^create sequence (\\S+)");
    private static final Pattern CREATE_INDEX = Pattern.compile("(?i)^create (unique )?index (\\S+) on ");

    /** The statement that undoes {@code sql}, or {@code null} when it is none of the kinds Hibernate's update writes. */
    static String undo(String sql) {
        Matcher m;
        if ((m = CREATE_TABLE.matcher(sql)).find()) {
            return "drop table " + m.group(1);
        }
        if ((m = ADD_COLUMN.matcher(sql)).find()) {
            return "alter table if exists " + m.group(2) + " drop column " + m.group(3);
        }
        if ((m = ADD_CONSTRAINT.matcher(sql)).find()) {
            return "alter table if exists " + m.group(2) + " drop constraint " + m.group(3);
        }
        if ((m = CREATE_SEQUENCE.matcher(sql)).find()) {
            return "drop sequence " + m.group(1);
        }
        if ((m = CREATE_INDEX.matcher(sql)).find()) {
            return "drop index " + m.group(2);
        }
        return null;
    }

    private static final Pattern ALTER_TYPE = Pattern.compile(
            "(?i)^alter table (?:if exists )?(\\S+) alter column (\\S+) set data type (.+)$");

    /**
     * Sorts Hibernate's statements: a column type change that only widens is safe and undone by changing it back;
     * one that narrows or changes the kind of value is destructive; one to a type PostgreSQL prints the same, or from
     * {@code text} to a {@code varchar} (text serves any string, as Hibernate's validation agrees), is left out.
     * Every other statement is safe, undone as {@link #undo} says.
     */
    private void classify(List<String> statements, Map<String, Map<String, String>> actual, List<Change> safe,
                          List<Change> destructive) {
        List<String> wantedTypes = new ArrayList<>();
        for (String sql : statements) {
            Matcher alter = ALTER_TYPE.matcher(sql);
            if (alter.matches()) {
                wantedTypes.add(alter.group(3).strip());
            }
        }
        Map<String, String> canonical = canonical(wantedTypes);
        for (String sql : statements) {
            Matcher alter = ALTER_TYPE.matcher(sql);
            if (!alter.matches()) {
                safe.add(new Change(sql, undo(sql), null));
                continue;
            }
            String table = unquote(alter.group(1));
            String column = unquote(alter.group(2));
            String was = actual.getOrDefault(table, Map.of()).get(column);
            String wanted = canonical.getOrDefault(alter.group(3).strip(), alter.group(3).strip());
            if (was != null && (was.equals(wanted) || "text".equals(was) && wanted.startsWith("character varying"))) {
                continue;
            }
            String undo = was == null ? null
                    : "alter table if exists " + alter.group(1) + " alter column " + alter.group(2) + " set data type " + was;
            if (was == null || widens(was, wanted)) {
                safe.add(new Change(sql, undo, null));
            } else {
                destructive.add(new Change(sql, undo, "change column " + table + "." + column + " from " + was + " to "
                        + wanted + ", which may not hold every value it has"));
            }
        }
    }

    /**
     * The change Hibernate's update does not make: dropping the columns of mapped tables that no entity maps any more
     * (destructive, and not undoable: the values are gone).
     */
    private static void droppedColumns(Metadata metadata, SchemaName template, Set<String> modelTables,
                                       Map<String, Map<String, String>> actual, List<Change> destructive) {
        for (Table table : metadata.collectTableMappings()) {
            String name = unquote(table.getName());
            String schema = table.getSchema() == null ? template.value() : unquote(table.getSchema());
            if (!table.isPhysicalTable() || modelTables.contains(name) || !actual.containsKey(name)
                    || !template.value().equals(schema)) {
                continue;
            }
            Set<String> mapped = new LinkedHashSet<>();
            table.getColumns().forEach(column -> mapped.add(unquote(column.getName())));
            for (Map.Entry<String, String> column : actual.get(name).entrySet()) {
                if (!mapped.contains(column.getKey())) {
                    destructive.add(new Change("alter table " + SchemaName.quoteIdentifier(name) + " drop column "
                            + SchemaName.quoteIdentifier(column.getKey()), null, "drop column " + name + "." + column.getKey()
                            + " (" + column.getValue() + "), which no entity maps any more"));
                }
            }
        }
    }

    private static String unquote(String identifier) {
        return identifier.replace("\"", "");
    }

    private static final List<String> INTEGERS = List.of("smallint", "integer", "bigint");
    private static final Pattern VARCHAR = Pattern.compile("character varying\\((\\d+)\\)");
    private static final Pattern NUMERIC = Pattern.compile("numeric\\((\\d+),(\\d+)\\)");

    /** Whether every value of type {@code was} fits in type {@code wanted}. */
    static boolean widens(String was, String wanted) {
        if (INTEGERS.contains(was) && INTEGERS.contains(wanted)) {
            return INTEGERS.indexOf(wanted) > INTEGERS.indexOf(was);
        }
        if ("real".equals(was) && "double precision".equals(wanted)) {
            return true;
        }
        Matcher from = VARCHAR.matcher(was);
        Matcher to = VARCHAR.matcher(wanted);
        if (from.matches() && (to.matches() && Integer.parseInt(to.group(1)) > Integer.parseInt(from.group(1))
                || "text".equals(wanted))) {
            return true;
        }
        from = NUMERIC.matcher(was);
        to = NUMERIC.matcher(wanted);
        return from.matches() && to.matches() && Integer.parseInt(to.group(2)) >= Integer.parseInt(from.group(2))
                && Integer.parseInt(to.group(1)) - Integer.parseInt(to.group(2))
                >= Integer.parseInt(from.group(1)) - Integer.parseInt(from.group(2));
    }

    /** table -> column -> type, as PostgreSQL prints it, of the template's tables. */
    private Map<String, Map<String, String>> columns(SchemaName schema) {
        Map<String, Map<String, String>> tables = new TreeMap<>();
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT c.relname, a.attname,"
                     + " pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
                     + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                     + " WHERE n.nspname = ? AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum")) {
            statement.setString(1, schema.value());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tables.computeIfAbsent(rows.getString(1), t -> new LinkedHashMap<>()).put(rows.getString(2), rows.getString(3));
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the template schema's columns: " + e.getMessage(), e);
        }
        return tables;
    }

    /**
     * Each of Hibernate's column types as PostgreSQL prints it ({@code varchar(255)} is {@code character
     * varying(255)}), read from a temporary table that is rolled back; a type PostgreSQL cannot read is left out.
     */
    private Map<String, String> canonical(Collection<String> types) {
        Map<String, String> canonical = new LinkedHashMap<>();
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(types));
        if (distinct.isEmpty()) {
            return canonical;
        }
        try (Connection connection = database.admin().getConnection()) {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                for (int i = 0; i < distinct.size(); i++) {
                    try {
                        statement.execute("SAVEPOINT probe");
                        statement.execute("CREATE TEMPORARY TABLE tenantry_type_probe_" + i + " (c " + distinct.get(i) + ")");
                        try (ResultSet rows = statement.executeQuery("SELECT pg_catalog.format_type(atttypid, atttypmod)"
                                + " FROM pg_catalog.pg_attribute WHERE attrelid = 'pg_temp.tenantry_type_probe_" + i
                                + "'::regclass AND attname = 'c'")) {
                            if (rows.next()) {
                                canonical.put(distinct.get(i), rows.getString(1));
                            }
                        }
                    } catch (SQLException e) {
                        statement.execute("ROLLBACK TO SAVEPOINT probe");
                    }
                }
            } finally {
                connection.rollback();
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read how PostgreSQL names the entities' column types: " + e.getMessage(), e);
        }
        return canonical;
    }
}
