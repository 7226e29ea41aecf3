package dev.tenantry.cli;

import dev.tenantry.core.DatabaseUrl;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.TenantProvisioning;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tenantry tenants export <tenant> --output FILE}: one tenant's schema, with its rows and history, written
 * by PostgreSQL's own {@code pg_dump} for backups that live outside the database. {@code pg_dump} is found as
 * {@code --pg-dump PATH}, else {@code TENANTRY_PG_DUMP}, else on the {@code PATH}, else the newest
 * {@code /usr/lib/postgresql/<major>/bin/pg_dump}; the first whose major version is at least the server's is used.
 */
@Command(name = "export",
        sortOptions = false,
        description = {"Write one tenant's schema, rows and migration history with pg_dump, for backups outside the"
                + " database.",
            "pg_dump is found as --pg-dump PATH, else TENANTRY_PG_DUMP, else pg_dump on the PATH, else the newest"
                + " /usr/lib/postgresql/<major>/bin/pg_dump; it must be at least the server's major version. It"
                + " connects to TENANTRY_ADMIN_DATABASE_URL, else DATABASE_URL; the password reaches it in its"
                + " environment (PGPASSWORD), never on its command line.",
            "The default format is pg_dump's custom one, for pg_restore; --format plain writes SQL.",
            "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  tenantry tenants export acme --output acme.dump",
            "  pg_restore --dbname other_db acme.dump           put it into another database",
            "  tenantry tenants export acme --output acme.sql --format plain",
            "",
            "Exit codes: 0 written; 1 pg_dump failed or none was found (the file is not left",
            "half-written); 2 an invalid tenant id, an unknown format or bad configuration."})
final class ExportCommand implements Callable<Integer> {

    static final String PG_DUMP = "TENANTRY_PG_DUMP";
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");

    private final Cli cli;

    @Parameters(index = "0", paramLabel = "<tenant>", description = "The ready tenant to export.")
    private String tenant;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "Where to write the dump.")
    private Path output;

    @Option(names = "--format", paramLabel = "custom|plain|tar", defaultValue = "custom",
            description = "pg_dump's format (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--pg-dump", paramLabel = "PATH", description = "The pg_dump to run.")
    private Path pgDump;

    ExportCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
        if (!List.of("custom", "plain", "tar").contains(format)) {
            throw new Cli.UsageError("--format must be custom, plain or tar, got '" + format + "'", null);
        }
        TenantryConfig config = cli.config();
        try (Cli.Operations operations = cli.operations(config)) {
            TenantProvisioning provisioning = operations.provisioning();
            Cli.checkTenantIds(List.of(tenant), provisioning, "nothing was exported");
            SchemaName schema = provisioning.schemaOf(tenant);
            int serverMajor = serverMajor(operations);
            Path dump = find(serverMajor);
            Path partial = output.resolveSibling(output.getFileName() + ".partial");
            List<String> command = List.of(dump.toString(), "--schema=" + schema.quoted(), "--format=" + format,
                    "--file=" + partial);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            connection(builder.environment(), config);
            long start = System.nanoTime();
            Process process = builder.start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(1, TimeUnit.HOURS)) {
                process.destroyForcibly();
            }
            if (process.exitValue() != 0) {
                Files.deleteIfExists(partial);
                throw new TenantryException("pg_dump (" + dump + ") failed for tenant '" + tenant + "' (schema "
                        + schema.quoted() + "), exit code " + process.exitValue() + ": " + Cli.oneLine(log)
                        + "; nothing was written");
            }
            Files.move(partial, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            cli.out().printf(java.util.Locale.ROOT, "Exported tenant %s (schema %s) with %s to %s: %,d bytes, %s format,"
                            + " %.1f s.%n", tenant, schema.quoted(), dump, output, Files.size(output), format,
                    (System.nanoTime() - start) / 1e9);
            return Cli.OK;
        }
    }

    private static int serverMajor(Cli.Operations operations) {
        try (Connection connection = operations.database().admin().getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SHOW server_version_num")) {
            rows.next();
            return Integer.parseInt(rows.getString(1)) / 10000;
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the server's version: " + e.getMessage(), e);
        }
    }

    /** The first pg_dump, in the order the class comment gives, that can dump a server of {@code serverMajor}. */
    private Path find(int serverMajor) {
        List<Path> candidates = new ArrayList<>();
        if (pgDump != null) {
            candidates.add(pgDump);
        } else {
            String configured = cli.env().get(PG_DUMP);
            if (configured != null && !configured.isBlank()) {
                candidates.add(Paths.get(configured.strip()));
            } else {
                String path = cli.env().getOrDefault("PATH", "");
                for (String directory : path.split(File.pathSeparator)) {
                    if (!directory.isBlank()) {
                        candidates.add(Paths.get(directory, "pg_dump"));
                    }
                }
                Path installed = Paths.get("/usr/lib/postgresql");
                if (Files.isDirectory(installed)) {
                    try (Stream<Path> majors = Files.list(installed)) {
                        majors.filter(p -> p.getFileName().toString().matches("\\d+"))
                                .sorted(Comparator.comparingInt((Path p) -> Integer.parseInt(p.getFileName().toString())).reversed())
                                .forEach(p -> candidates.add(p.resolve("bin/pg_dump")));
                    } catch (IOException e) {
                        // then only the PATH counts
                    }
                }
            }
        }
        List<String> tried = new ArrayList<>();
        for (Path candidate : candidates) {
            if (!Files.isExecutable(candidate)) {
                if (pgDump != null || cli.env().get(PG_DUMP) != null) {
                    tried.add(candidate + " (not an executable file)");
                }
                continue;
            }
            int major = majorOf(candidate);
            if (major >= serverMajor) {
                return candidate;
            }
            tried.add(candidate + " (version " + (major < 0 ? "unknown" : major) + ")");
        }
        throw new TenantryException("No pg_dump for PostgreSQL " + serverMajor + " or newer was found"
                + (tried.isEmpty() ? " on the PATH or in /usr/lib/postgresql" : "; tried " + String.join(", ", tried))
                + "; install one, or name it with --pg-dump PATH or " + PG_DUMP + "; nothing was exported");
    }

    private static int majorOf(Path pgDump) {
        try {
            Process process = new ProcessBuilder(pgDump.toString(), "--version").redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
            Matcher matcher = VERSION.matcher(text);
            return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** libpq's settings for the admin connection, in the child's environment, so that no secret is on its command line. */
    private static void connection(Map<String, String> environment, TenantryConfig config) {
        DatabaseUrl url = config.adminDatabaseUrl();
        if (url.multipleHosts()) {
            throw new TenantryException("tenants export needs one host in " + (url == config.databaseUrl()
                    ? TenantryConfig.DATABASE_URL : TenantryConfig.ADMIN_DATABASE_URL) + "; nothing was exported");
        }
        boolean ownCredentials = url != config.databaseUrl();
        String user = ownCredentials && url.user() != null ? url.user() : config.user();
        String password = ownCredentials && url.password() != null ? url.password() : config.password();
        environment.put("PGHOST", url.host());
        environment.put("PGPORT", Integer.toString(url.port()));
        environment.put("PGDATABASE", url.database());
        if (user != null) {
            environment.put("PGUSER", user);
        }
        if (password != null) {
            environment.put("PGPASSWORD", password);
        } else {
            environment.remove("PGPASSWORD");
        }
        String sslmode = url.parameters().get("sslmode");
        if (sslmode != null) {
            environment.put("PGSSLMODE", sslmode);
        }
        environment.put("PGAPPNAME", config.applicationName() + "-export");
    }
}
