package dev.tenantry.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code tenantry} command line: {@code demo}, {@code tenants list|create|clone|drop|move|snapshot|snapshots|restore|export},
 * {@code migrate}, {@code migrations generate}, {@code status}, {@code verify}, {@code adopt} and {@code rebalance}.
 * {@link #main} runs it as a process; {@link #run} runs it in-process (for tests) without exiting.
 */
@Command(name = "tenantry",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = TenantryCommand.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        subcommands = {DemoCommand.class, TenantsCommand.class, MigrateCommand.class, MigrationsCommand.class,
            StatusCommand.class, VerifyCommand.class, AdoptCommand.class, RebalanceCommand.class},
        description = "Schema-per-tenant persistence for JPA on one PostgreSQL database.",
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  DATABASE_URL       jdbc:postgresql://host:port/db",
            "                     or postgresql://user:password@host:port/db",
            "  DATABASE_USER      overrides the user in the URL",
            "  DATABASE_PASSWORD  overrides the password in the URL",
            "  TENANTRY_*         pool, shared-schema and migration settings, as for",
            "                     applications; TENANTRY_MIGRATIONS names the application's",
            "                     migrations, so that every command knows them",
            "  DATABASE_SCHEMA and TENANTRY_MODE are ignored: these commands work",
            "  across tenants, so always in per-request mode.",
            "",
            "Exit codes: 0 success, 1 the operation failed, 2 bad arguments or configuration."})
public final class TenantryCommand {

    /** The version printed by {@code --version} when the jar's Maven metadata cannot be read. */
    static final String FALLBACK_VERSION = "1.0.0-SNAPSHOT";

    private static final String JBOSS_LOGGING_PROVIDER = "org.jboss.logging.provider";
    private static final String SIMPLE_LOGGER_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    private static final String SIMPLE_LOGGER_PROVISIONING = "org.slf4j.simpleLogger.log.dev.tenantry.tenancy.TenantProvisioning";
    private static final String SIMPLE_LOGGER_FLYWAY_MIGRATE = "org.slf4j.simpleLogger.log.org.flywaydb.core.internal.command.DbMigrate";

    private final Cli cli;

    TenantryCommand(Cli cli) {
        this.cli = cli;
    }

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces on failure, and log at info level (Hibernate, HikariCP, Flyway).")
    void verbose(boolean verbose) {
        cli.verbose(verbose);
    }

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        System.setProperty(JBOSS_LOGGING_PROVIDER, "slf4j");
        int code = run(System.out, System.err, System.getenv(), args);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Runs the command line in this JVM: parses {@code args}, runs the command, prints to {@code out}
     * and {@code err}, and reads settings only from {@code env}. Never calls {@link System#exit}.
     *
     * @return the exit code: 0 success, 1 the operation failed, 2 bad arguments or configuration
     */
    public static int run(PrintStream out, PrintStream err, Map<String, String> env, String... args) {
        boolean verbose = verboseRequested(args);
        configureLogging(verbose);
        Cli cli = new Cli(out, err, env, verbose);
        CommandLine commandLine = new CommandLine(TenantryCommand.class, new Factory(cli));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        commandLine.setParameterExceptionHandler(TenantryCommand::usageError);
        commandLine.setExecutionExceptionHandler((failure, command, parseResult) -> cli.fail(failure));
        try {
            return commandLine.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** Seen before parsing, so that logging is configured before the first logger exists. */
    private static boolean verboseRequested(String[] args) {
        for (String arg : args) {
            if ("--".equals(arg)) {
                return false;
            }
            if ("--verbose".equals(arg)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Routes Hibernate's jboss-logging to SLF4J (slf4j-simple, configured by {@code simplelogger.properties}
     * at level warn) and lowers the level to info for {@code --verbose}. Settings made by the caller win;
     * SLF4J reads them once, when the first logger is created.
     */
    private static void configureLogging(boolean verbose) {
        if (System.getProperty(JBOSS_LOGGING_PROVIDER) == null) {
            System.setProperty(JBOSS_LOGGING_PROVIDER, "slf4j");
        }
        if (verbose && System.getProperty(SIMPLE_LOGGER_LEVEL) == null) {
            System.setProperty(SIMPLE_LOGGER_LEVEL, "info");
            // simplelogger.properties quiets these (the commands print their failures themselves)
            System.setProperty(SIMPLE_LOGGER_PROVISIONING, "info");
            System.setProperty(SIMPLE_LOGGER_FLYWAY_MIGRATE, "info");
        }
    }

    /** Bad arguments: one line saying what is wrong, the synopsis, and where to read more; exit code 2. */
    private static int usageError(ParameterException failure, String[] args) {
        CommandLine command = failure.getCommandLine();
        PrintWriter err = command.getErr();
        CommandSpec spec = command.getCommandSpec();
        err.println("tenantry: " + Cli.oneLine(failure.getMessage()));
        UnmatchedArgumentException.printSuggestions(failure, err);
        if (!spec.subcommands().isEmpty() && failure.getMessage().startsWith("Missing required subcommand")) {
            command.usage(err);
        } else {
            err.print(command.getHelp().fullSynopsis());
            err.println("Try '" + spec.qualifiedName() + " --help' for more information.");
        }
        err.flush();
        return Cli.USAGE;
    }

    /** Creates the commands, handing each the {@link Cli} of this run. */
    private static final class Factory implements CommandLine.IFactory {

        private final Cli cli;
        private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

        Factory(Cli cli) {
            this.cli = cli;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            Constructor<K> constructor;
            try {
                constructor = type.getDeclaredConstructor(Cli.class);
            } catch (NoSuchMethodException e) {
                return fallback.create(type);
            }
            constructor.setAccessible(true);
            return constructor.newInstance(cli);
        }
    }

    /** The version from the jar's Maven metadata, so it always matches the build. */
    static final class Version implements IVersionProvider {

        @Override
        public String[] getVersion() {
            return new String[] {version()};
        }

        static String version() {
            try (InputStream in = TenantryCommand.class.getResourceAsStream(
                    "/META-INF/maven/dev.tenantry/tenantry-cli/pom.properties")) {
                if (in != null) {
                    Properties properties = new Properties();
                    properties.load(in);
                    String version = properties.getProperty("version");
                    if (version != null && !version.isBlank()) {
                        return version.strip();
                    }
                }
            } catch (java.io.IOException e) {
                // fall through to the built-in version
            }
            return FALLBACK_VERSION;
        }
    }
}
