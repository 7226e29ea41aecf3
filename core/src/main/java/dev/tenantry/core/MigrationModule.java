package dev.tenantry.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One set of tenant migrations with a history of its own: the model's, the application's, or a library's that
 * ships tenant tables. Each module keeps its history in its own table in every tenant schema (Flyway's
 * {@code table} setting), so modules number their versions independently, and modules migrate in the order they
 * are declared. The model keeps Flyway's default table ({@value #DEFAULT_HISTORY_TABLE}), where every tenant
 * schema has always kept it; any other module's table is {@code flyway_schema_history_<name>}.
 *
 * @param name          1 to 40 lowercase letters, digits and underscores, starting with a letter
 * @param locations     Flyway locations of the module's migrations ({@code classpath:...}, {@code filesystem:...})
 * @param historyTable  the module's history table in each tenant schema
 */
public record MigrationModule(String name, List<String> locations, String historyTable) {

    /** Flyway's own history table, the model's. */
    public static final String DEFAULT_HISTORY_TABLE = "flyway_schema_history";
    /** The module that {@code migrations(...)} and {@code TENANTRY_MIGRATIONS} without a name declare. */
    public static final String APP = "app";

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");
    private static final Pattern LOCATION = Pattern.compile("(classpath|filesystem):\\S+");

    public MigrationModule {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a migration module name: " + SchemaName.describe(name)
                    + "; use 1 to 40 lowercase letters, digits and underscores, starting with a letter");
        }
        if (locations == null || locations.isEmpty()) {
            throw new IllegalArgumentException("Migration module '" + name + "' has no locations");
        }
        for (String location : locations) {
            if (location == null || !LOCATION.matcher(location).matches()) {
                throw new IllegalArgumentException("Migration module '" + name + "': " + SchemaName.describe(location)
                        + " is not a Flyway location; write classpath:db/migration or filesystem:/path/to/sql");
            }
        }
        locations = List.copyOf(locations);
        String problem = historyTable == null ? "it is null" : SchemaName.problemWith(historyTable);
        if (problem != null) {
            throw new IllegalArgumentException("Migration module '" + name + "': history table "
                    + SchemaName.describe(historyTable) + " is not a valid table name: " + problem);
        }
    }

    /** A module whose history is {@code flyway_schema_history_<name>}. */
    public static MigrationModule of(String name, List<String> locations) {
        return new MigrationModule(name, locations, DEFAULT_HISTORY_TABLE + "_" + name);
    }

    public static MigrationModule of(String name, String... locations) {
        return of(name, List.of(locations));
    }

    /** This module with more locations, as when one module is declared twice; the history table stays. */
    public MigrationModule withLocations(List<String> more) {
        List<String> all = new ArrayList<>(locations);
        more.stream().filter(location -> !all.contains(location)).forEach(all::add);
        return new MigrationModule(name, all, historyTable);
    }

    /**
     * Reads modules as {@code TENANTRY_MIGRATIONS} and {@code --migrations} write them: modules separated by
     * {@code ;}, each {@code name=location,location}, or just {@code location,location} for the
     * {@value #APP} module: {@code classpath:db/myapp} or
     * {@code billing=classpath:db/billing;app=filesystem:/srv/app/sql}.
     *
     * @throws InvalidConfigurationException naming {@code setting} and the part it could not read
     */
    public static List<MigrationModule> parse(String setting, String value) {
        Map<String, MigrationModule> modules = new LinkedHashMap<>();
        for (String part : value.split(";")) {
            String text = part.strip();
            if (text.isEmpty()) {
                continue;
            }
            int equals = text.indexOf('=');
            String name = equals < 0 ? APP : text.substring(0, equals).strip();
            List<String> locations = new ArrayList<>();
            for (String location : (equals < 0 ? text : text.substring(equals + 1)).split(",")) {
                if (!location.isBlank()) {
                    locations.add(location.strip());
                }
            }
            try {
                MigrationModule module = of(name, locations);
                modules.merge(name, module, (a, b) -> a.withLocations(b.locations()));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(setting, "cannot read '" + text + "': " + e.getMessage());
            }
        }
        if (modules.isEmpty()) {
            throw new InvalidConfigurationException(setting, "names no migration location; write classpath:db/myapp,"
                    + " filesystem:/path/to/sql, or name=location;name=location for several modules");
        }
        return List.copyOf(modules.values());
    }

    /**
     * Joins module lists in order: a module declared again adds its locations to the first declaration.
     *
     * @throws IllegalArgumentException when two modules share a history table
     */
    public static List<MigrationModule> merge(List<List<MigrationModule>> lists) {
        Map<String, MigrationModule> modules = new LinkedHashMap<>();
        for (List<MigrationModule> list : lists) {
            for (MigrationModule module : list) {
                modules.merge(module.name(), module, (a, b) -> a.withLocations(b.locations()));
            }
        }
        Map<String, String> tables = new LinkedHashMap<>();
        for (MigrationModule module : modules.values()) {
            String other = tables.putIfAbsent(module.historyTable(), module.name());
            if (other != null) {
                throw new IllegalArgumentException("Migration modules '" + other + "' and '" + module.name()
                        + "' both keep their history in " + module.historyTable() + "; give each a table of its own");
            }
        }
        return List.copyOf(modules.values());
    }

    @Override
    public String toString() {
        return name + "=" + String.join(",", locations);
    }
}
