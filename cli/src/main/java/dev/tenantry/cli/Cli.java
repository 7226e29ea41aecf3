package dev.tenantry.cli;

import dev.tenantry.core.Citus;
import dev.tenantry.core.Database;
import dev.tenantry.core.DatabaseUrl;
import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.MigrationModule;
import dev.tenantry.core.MigrationFailedException;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantSchemaMapping;
import dev.tenantry.tenancy.TenantryPersistence;
import java.io.Console;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What every command of one run shares: the output streams, the environment it may read (never
 * {@link System#getenv()} directly), the {@code --verbose} flag, and how to open Tenantry from that
 * environment in per-request mode. It also prints failures as one password-free line.
 */
public final class Cli {

    /** Exit code: everything worked. */
    public static final int OK = 0;
    /** Exit code: the operation failed, for one tenant or for all. */
    public static final int FAILED = 1;
    /** Exit code: bad arguments or bad configuration; nothing was attempted. */
    public static final int USAGE = 2;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private boolean verbose;

    public Cli(PrintStream out, PrintStream err, Map<String, String> env, boolean verbose) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
        this.verbose = verbose;
    }

    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    /** The environment of this run, read-only. */
    public Map<String, String> env() {
        return env;
    }

    public boolean verbose() {
        return verbose;
    }

    void verbose(boolean verbose) {
        this.verbose = this.verbose || verbose;
    }

    /**
     * Whether {@link #out()} is a terminal a person watches, so that progress may be drawn in place:
     * only when it is this process's own {@link System#out}, a console is attached, and the environment
     * names no CI system ({@code CI}) or dumb terminal ({@code TERM=dumb}). Output captured in-process
     * (tests) or redirected to a file or pipe is never a terminal.
     */
    public boolean interactive() {
        if (out != System.out) {
            return false;
        }
        String ci = env.get("CI");
        if (ci != null && !ci.isBlank() && !"false".equalsIgnoreCase(ci.strip())) {
            return false;
        }
        if ("dumb".equals(env.get("TERM"))) {
            return false;
        }
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // Java 22 and later attach a console to redirected output too; isTerminal() tells them apart.
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // Java 17 to 21: a console exists only on a terminal
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The configuration the tenant commands work with: this run's environment in per-request mode.
     * {@code DATABASE_SCHEMA} and {@code TENANTRY_MODE} are ignored, since these commands work across
     * tenants and so always in per-request mode.
     *
     * @throws InvalidConfigurationException when {@code DATABASE_URL} is missing or a setting is malformed
     */
    public TenantryConfig config() {
        return perRequestConfig(env);
    }

    /** {@link #config()}, with {@code --migrations} in place of {@code TENANTRY_MIGRATIONS} when given. */
    TenantryConfig config(AppOptions app) {
        return config(app, Map.of());
    }

    /**
     * {@link #config()} with settings given as options in place of their variables: {@code --migrations} for
     * {@code TENANTRY_MIGRATIONS}, and each of {@code options} (variable to the option's text, keyed by the
     * variable, named in errors by the option).
     *
     * @param options variable name to {@code {option name, value}}
     */
    TenantryConfig config(AppOptions app, Map<String, String[]> options) {
        Map<String, String> settings = new HashMap<>(env);
        Map<String, String> optionNames = new HashMap<>();
        if (app.migrations != null) {
            settings.put(TenantryConfig.MIGRATIONS, app.migrations);
            optionNames.put(TenantryConfig.MIGRATIONS, "--migrations");
        }
        options.forEach((variable, option) -> {
            if (option[1] != null) {
                settings.put(variable, option[1]);
                optionNames.put(variable, option[0]);
            }
        });
        try {
            return perRequestConfig(settings);
        } catch (InvalidConfigurationException e) {
            String option = optionNames.get(e.setting());
            if (option == null) {
                throw e;
            }
            throw new UsageError(e.getMessage().replace(e.setting(), option), e);
        }
    }

    /** Like {@link #config()} for any environment map. */
    public static TenantryConfig perRequestConfig(Map<String, String> env) {
        Map<String, String> settings = new HashMap<>(env);
        settings.remove(TenantryConfig.DATABASE_SCHEMA);
        settings.remove(TenantryConfig.MODE);
        return TenantryConfig.builder().environment(settings).perRequest().build();
    }

    /** Starts Tenantry's model (users, anon_sessions) on {@code config}, JPA included: what the demo needs. */
    public TenantryPersistence start(TenantryConfig config) {
        return Tenantry.start(config);
    }

    /**
     * Starts the model with the application's migrations and entity classes from {@code --classpath}, JPA included:
     * what {@code verify} needs. Closing the result does not close {@code classpath}.
     */
    TenantryPersistence start(TenantryConfig config, AppClasspath classpath) {
        if (classpath.isEmpty()) {
            return start(config);
        }
        return Tenantry.builder(config).classLoader(classpath.loader()).managedClasses(classpath.entities()).start();
    }

    /**
     * Opens the pool and the tenant operations, without JPA: what the tenant commands need. The
     * connection is checked at once, so a wrong host, user or password fails with the server's reason.
     */
    public Operations operations(TenantryConfig config) {
        return operations(config, new AppOptions());
    }

    /**
     * {@link #operations(TenantryConfig)} with the model's migrations, then the application's ({@code --migrations},
     * else {@code TENANTRY_MIGRATIONS}), read through {@code --classpath}.
     */
    Operations operations(TenantryConfig config, AppOptions app) {
        AppClasspath classpath = AppClasspath.of(app.classpath);
        Database database;
        try {
            database = Database.open(config);
        } catch (RuntimeException e) {
            classpath.close();
            throw e;
        }
        try {
            database.checkConnection();
            List<MigrationModule> modules = new ArrayList<>();
            modules.add(Tenantry.MODULE);
            modules.addAll(config.migrations());
            TenantProvisioning provisioning = TenantProvisioning.open(database,
                    TenantProvisioning.migrator(database, modules, classpath.loader()), classpath.loader(),
                    TenantSchemaMapping.identity());
            return new Operations(database, provisioning, classpath);
        } catch (RuntimeException e) {
            database.close();
            classpath.close();
            throw e;
        }
    }

    /** The pool, the provisioning API and the application's class path of one command; closing it closes them. */
    public record Operations(Database database, TenantProvisioning provisioning, AppClasspath classpath)
            implements AutoCloseable {
        @Override
        public void close() {
            try {
                database.close();
            } finally {
                classpath.close();
            }
        }
    }

    /**
     * Checks every tenant id before anything touches the database, so one hostile id in a list stops
     * the whole command: each id must be a valid tenant schema name, and not the shared schema.
     *
     * @param consequence appended to the message, such as {@code "no tenant was created"}
     * @throws UsageError naming the first refused id and counting the others
     */
    public static void checkTenantIds(Collection<String> tenants, TenantProvisioning provisioning, String consequence) {
        List<InvalidSchemaNameException> refused = new ArrayList<>();
        for (String tenant : tenants) {
            try {
                provisioning.checkTenant(tenant);
            } catch (InvalidSchemaNameException e) {
                refused.add(e);
            }
        }
        if (!refused.isEmpty()) {
            String more = refused.size() == 1 ? "" : " (and " + (refused.size() - 1) + " more refused tenant id"
                    + (refused.size() == 2 ? "" : "s") + ")";
            throw new UsageError(refused.get(0).getMessage() + more + "; " + consequence, refused.get(0));
        }
    }

    /**
     * Checks {@code --parallel} against its range, 1 to {@link MigrateCommand#MAX_PARALLEL}.
     *
     * @throws picocli.CommandLine.ParameterException naming the value
     */
    static void checkParallel(picocli.CommandLine.Model.CommandSpec spec, int parallel) {
        if (parallel < 1 || parallel > MigrateCommand.MAX_PARALLEL) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--parallel must be between 1 and "
                    + MigrateCommand.MAX_PARALLEL + ", got " + parallel);
        }
    }

    /**
     * The application's module a command works on: {@code --module} when given, else {@value MigrationModule#APP},
     * else the only module besides the model's.
     *
     * @param option      the option that needs the module, for the message
     * @param consequence appended to the message, such as {@code "nothing was migrated"}
     * @throws UsageError when no module, or more than one, could be meant
     */
    static String appModule(dev.tenantry.core.SchemaMigrator migrator, String module, String option, String consequence) {
        if (module != null) {
            try {
                return migrator.module(module).name();
            } catch (TenantryException e) {
                throw new UsageError(e.getMessage() + "; " + consequence, e);
            }
        }
        List<String> apps = migrator.modules().stream().map(MigrationModule::name)
                .filter(name -> !name.equals(Tenantry.MODULE.name())).toList();
        if (apps.contains(MigrationModule.APP)) {
            return MigrationModule.APP;
        }
        if (apps.size() == 1) {
            return apps.get(0);
        }
        throw new UsageError(apps.isEmpty()
                ? option + " needs the application's migrations (--migrations or TENANTRY_MIGRATIONS), or --module "
                        + Tenantry.MODULE.name() + " for the model's; " + consequence
                : option + ": name the module with --module (one of " + String.join(", ", apps) + "); " + consequence, null);
    }

    /** Bad arguments found by a command itself rather than by the parser; exits with {@link #USAGE}. */
    static final class UsageError extends TenantryException {

        private static final long serialVersionUID = 1L;

        UsageError(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Checks that every role exists, before anything is created for it.
     *
     * @throws UsageError naming the roles that do not exist
     */
    static void checkRolesExist(Database database, Collection<String> roles, String consequence) {
        if (roles.isEmpty()) {
            return;
        }
        List<String> missing = new ArrayList<>();
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
            for (String role : roles) {
                statement.setString(1, role);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        missing.add(role);
                    }
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read the roles of the database: " + e.getMessage(), e);
        }
        if (!missing.isEmpty()) {
            throw new UsageError((missing.size() == 1 ? "Role '" + missing.get(0) + "' does not exist"
                    : "Roles '" + String.join("', '", missing) + "' do not exist") + "; create "
                    + (missing.size() == 1 ? "it" : "them") + " first (CREATE ROLE ...); " + consequence, null);
        }
    }

    /** Whether a schema of this name exists, whatever it holds. */
    static boolean schemaExists(Database database, String schema) {
        try (Connection connection = database.pool().getConnection();
             PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = ?")) {
            statement.setString(1, schema);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot check schema \"" + schema + "\": " + e.getMessage(), e);
        }
    }

    /**
     * A failure for a table cell that already names the tenant and schema: Flyway's report of a failed
     * script shortened to {@code V2__x.sql line 3: ERROR: ... (SQL state 42P07)}
     * ({@link MigrationFailedException#summary(String)}); any other message on one line, as it is. Passwords are masked.
     */
    String reason(String message) {
        return MigrationFailedException.summary(oneLine(redactSecrets(message)));
    }

    /** Cuts {@code text} to at most {@code width} characters, marking the cut with {@code ...}. */
    static String truncate(String text, int width) {
        if (text == null || text.length() <= width) {
            return text;
        }
        return text.substring(0, Math.max(0, width - 3)).stripTrailing() + "...";
    }

    /** {@code 1 tenant}, {@code 2 tenants}. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /**
     * Where a tenant lives, for a table cell: {@code host:port}, {@code coordinator} for a schema Citus does not
     * distribute, {@code none yet} for a distributed schema without tables, {@code -} when the schema is missing.
     */
    static String node(Citus.Placement placement) {
        return placement == null ? null : placement.local() ? "coordinator" : placement.node() == null ? "none yet"
                : placement.node().toString();
    }

    /** {@code Tenants per node: 127.0.0.1:9701 4, 127.0.0.1:9702 3, coordinator 1}, every worker listed, empty ones too. */
    static String nodeCounts(Collection<Citus.Placement> placements, List<Citus.Node> workers) {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        workers.forEach(worker -> counts.put(worker.toString(), 0));
        for (Citus.Placement placement : placements) {
            counts.merge(node(placement), 1, Integer::sum);
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((node, n) -> parts.add(node + " " + n));
        return "Tenants per node: " + String.join(", ", parts);
    }

    /** Reads an option's value, turning a refused value into a {@link UsageError} that names the option. */
    static <T> T parse(java.util.function.Supplier<T> parser, String option) {
        try {
            return parser.get();
        } catch (IllegalArgumentException e) {
            throw new UsageError(option + ": " + e.getMessage(), e);
        }
    }

    /** How Citus copies a schema, in words. */
    static String describe(Citus.TransferMode mode) {
        return mode == Citus.TransferMode.LOGICAL ? "logical replication: writes waited only for the switch-over"
                : mode == Citus.TransferMode.BLOCK_WRITES ? "writes blocked while copying" : "auto";
    }

    /** {@code 1.4 s}. */
    static String seconds(java.time.Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /** A version for display: {@code none} for a schema without migration history. */
    static String version(String version) {
        return version == null ? "none" : version;
    }

    /**
     * Prints a failure as {@code tenantry: <message>} on one line, with the stack trace only under
     * {@code --verbose}, and returns the exit code: {@link #USAGE} for bad settings or tenant ids,
     * {@link #FAILED} otherwise.
     */
    public int fail(Throwable failure) {
        TenantryException tenantry = tenantryCause(failure);
        Throwable shown = tenantry != null ? tenantry : failure;
        String message = shown.getMessage();
        if (tenantry == null || message == null || message.isBlank()) {
            message = shown.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
        }
        // Tenantry's own messages already mask passwords in URLs; anything else is masked here.
        err.println("tenantry: " + oneLine(tenantry != null ? redactSecrets(message) : redact(message)));
        trace(failure);
        return tenantry instanceof InvalidConfigurationException || tenantry instanceof InvalidSchemaNameException
                || tenantry instanceof UsageError ? USAGE : FAILED;
    }

    private static TenantryException tenantryCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TenantryException) {
                return (TenantryException) t;
            }
        }
        return null;
    }

    /** Collapses a multi-line message (PostgreSQL's detail and hint lines) into one line. */
    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Masks passwords: in URLs of either form, and the literal password this run was given. */
    String redact(String text) {
        return text == null ? null : redactSecrets(DatabaseUrl.redact(text));
    }

    /** Masks the literal password this run was given ({@code DATABASE_PASSWORD} or in {@code DATABASE_URL}). */
    String redactSecrets(String text) {
        if (text == null) {
            return null;
        }
        String redacted = text;
        for (String secret : secrets()) {
            redacted = redacted.replace(secret, "***");
        }
        return redacted;
    }

    private List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        String password = env.get(TenantryConfig.DATABASE_PASSWORD);
        if (password != null && password.strip().length() >= 3) {
            secrets.add(password.strip());
        }
        String url = env.get(TenantryConfig.DATABASE_URL);
        if (url != null && !url.isBlank()) {
            try {
                String fromUrl = DatabaseUrl.parse(url).password();
                if (fromUrl != null && fromUrl.length() >= 3) {
                    secrets.add(fromUrl);
                }
            } catch (TenantryException e) {
                // a malformed URL is reported on its own, already redacted
            }
        }
        return secrets;
    }

    /** Under {@code --verbose}, prints the stack trace to {@link #err()}, every message redacted, causes included. */
    void trace(Throwable failure) {
        if (!verbose) {
            return;
        }
        String prefix = "";
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            err.println(prefix + redact(t.toString()));
            for (StackTraceElement frame : t.getStackTrace()) {
                err.println("\tat " + frame);
            }
            for (Throwable suppressed : t.getSuppressed()) {
                err.println("\tSuppressed: " + redact(suppressed.toString()));
            }
            prefix = "Caused by: ";
        }
    }
}
