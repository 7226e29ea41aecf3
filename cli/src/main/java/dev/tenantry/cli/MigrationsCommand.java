package dev.tenantry.cli;

import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.GeneratedMigration;
import dev.tenantry.tenancy.MigrationGenerator;
import dev.tenantry.tenancy.TenantProvisioning;
import jakarta.persistence.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.MigrationVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tenantry migrations}: the application's migrations, with {@code generate} to write the next one. */
@Command(name = "migrations",
        description = "Work on the application's migrations.",
        subcommands = {MigrationsCommand.Generate.class})
public final class MigrationsCommand {

    MigrationsCommand() {
    }

    /**
     * {@code tenantry migrations generate "DESCRIPTION" --output DIR}: the next migration of the application's
     * module, from its entity classes compared with the migrated template schema.
     */
    @Command(name = "generate",
            sortOptions = false,
            description = {"Write the application's next migration from its entity model.",
                "The entity classes (from --classpath, with the model's) are compared with the template schema, migrated"
                    + " to the latest version of every module first, by Hibernate's schema tooling: new tables, columns,"
                    + " sequences, indexes and foreign keys. Tenantry adds the changes Hibernate's update leaves out (a"
                    + " column no entity maps to drop, a column type to change), writes every statement with unqualified"
                    + " names so that it runs in every tenant schema, and writes V<n>__<description>.sql into --output,"
                    + " n following the module's newest version, with U<n>__<description>.sql where every statement can"
                    + " be undone.",
                "Destructive changes (dropping a column, narrowing or changing a column's type) are refused, and nothing"
                    + " is written, unless --allow-destructive asks for them. The model's own tables are left to the"
                    + " model's migrations; a table no entity maps is left alone.",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {
                "  tenantry migrations generate \"todo due dates\" --output src/main/resources/db/myapp \\",
                "      --classpath target/classes --migrations filesystem:src/main/resources/db/myapp",
                "  then: tenantry migrate --all ...; tenantry verify ...",
                "",
                "Exit codes: 0 written, or nothing to write; 1 refused (destructive changes) or",
                "failed, nothing written; 2 bad arguments or configuration."})
    static final class Generate implements Callable<Integer> {

        private static final Pattern VERSIONED = Pattern.compile("[VU](\\d+(?:[._]\\d+)*)__.*\\.sql");

        private final Cli cli;

        @Parameters(index = "0", paramLabel = "DESCRIPTION", description = "What the migration does, for its file name.")
        private String description;

        @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where to write the scripts.")
        private Path output;

        @Option(names = "--module", paramLabel = "NAME", description = "The module to write for (default: app).")
        private String module;

        @Option(names = "--allow-destructive",
                description = "Write column drops and type changes that may lose data, instead of refusing them.")
        private boolean allowDestructive;

        @Mixin
        private AppOptions app = new AppOptions();

        Generate(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            String slug = slug(description);
            try (Cli.Operations operations = cli.operations(cli.config(app), app)) {
                TenantProvisioning provisioning = operations.provisioning();
                SchemaMigrator migrator = provisioning.migrator();
                String name = Cli.appModule(migrator, module, "migrations generate", "nothing was written");
                if (name.equals(Tenantry.MODULE.name())) {
                    throw new Cli.UsageError("The model's migrations are Tenantry's own; generate for the application's"
                            + " module; nothing was written", null);
                }
                List<Class<?>> entities = new ArrayList<>(Tenantry.ENTITIES);
                List<Class<?>> own = operations.classpath().entities();
                if (own.isEmpty()) {
                    throw new Cli.UsageError("No entity classes (@Entity) in --classpath " + app.classpath
                            + "; name the application's jar or classes directory; nothing was written", null);
                }
                entities.addAll(own);
                GeneratedMigration migration = new MigrationGenerator(operations.database(), provisioning)
                        .generate(entities, modelTables(), allowDestructive);
                if (migration.isEmpty()) {
                    cli.out().println("The entity model and the migrated template schema agree; nothing was written.");
                    return Cli.OK;
                }
                String version = next(migrator.availableVersions(name));
                Path up = output.resolve("V" + version + "__" + slug + ".sql");
                Path down = output.resolve("U" + version + "__" + slug + ".sql");
                String header = "Generated by tenantry migrations generate on " + LocalDate.now(ZoneOffset.UTC) + ": "
                        + description.strip() + "\nModule " + name + "; unqualified names, so that it runs in every tenant schema.";
                write(up, migration.script(header));
                cli.out().println("Wrote " + up + ":");
                migration.statements().forEach(sql -> cli.out().println("  " + sql + ";"));
                String undo = migration.undoScript(header + "\nUndoes V" + version + ".");
                if (undo != null) {
                    write(down, undo);
                    cli.out().println("Wrote " + down + ":");
                    migration.undo().forEach(sql -> cli.out().println("  " + sql + ";"));
                } else {
                    cli.out().println("No down script: " + migration.undoMissing() + ".");
                }
                migration.warnings().forEach(warning -> cli.out().println("Warning: " + warning + "."));
                if (!migration.destructive().isEmpty()) {
                    cli.out().println("Destructive, as asked: " + String.join("; ", migration.destructive()) + ".");
                }
                MigrationModule declared = migrator.module(name);
                String location = "filesystem:" + output;
                if (declared.locations().stream().noneMatch(l -> l.equals(location) || l.equals(location + "/"))) {
                    cli.out().println("Note: " + output + " is not a location of module " + name + " ("
                            + String.join(", ", declared.locations()) + "); put the scripts where the module reads them.");
                }
                cli.out().println("Next: tenantry migrate --all, then tenantry verify, with the same --migrations and --classpath.");
                return Cli.OK;
            }
        }

        /** The next major version after the module's newest and any script already in the output directory. */
        private String next(List<String> available) {
            List<String> versions = new ArrayList<>(available);
            if (Files.isDirectory(output)) {
                try (Stream<Path> files = Files.list(output)) {
                    files.map(f -> VERSIONED.matcher(f.getFileName().toString())).filter(Matcher::matches)
                            .forEach(m -> versions.add(m.group(1).replace('_', '.')));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            MigrationVersion newest = versions.stream().map(MigrationVersion::fromVersion).max(MigrationVersion::compareTo)
                    .orElse(null);
            return newest == null ? "1" : newest.getMajor().add(java.math.BigInteger.ONE).toString();
        }

        private void write(Path file, String text) {
            try {
                Files.createDirectories(output);
                if (Files.exists(file)) {
                    throw new Cli.UsageError(file + " exists already; nothing was written", null);
                }
                Files.writeString(file, text, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new dev.tenantry.core.TenantryException("Cannot write " + file + ": " + e.getMessage(), e);
            }
        }

        /** The tables of the model's entities, which the model's own migrations change. */
        private static Set<String> modelTables() {
            Set<String> tables = new LinkedHashSet<>();
            for (Class<?> entity : Tenantry.ENTITIES) {
                Table table = entity.getAnnotation(Table.class);
                if (table != null && !table.name().isEmpty()) {
                    tables.add(table.name());
                }
            }
            return tables;
        }

        /** {@code "Todo due dates!"} becomes {@code todo_due_dates}. */
        static String slug(String description) {
            String slug = description.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
            if (slug.isEmpty()) {
                throw new Cli.UsageError("The description '" + description + "' has no letters or digits for the file name", null);
            }
            return slug.length() > 60 ? slug.substring(0, 60).replaceAll("_+$", "") : slug;
        }
    }
}
