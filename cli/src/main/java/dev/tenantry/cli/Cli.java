package dev.tenantry.cli;

import dev.tenantry.core.Database;
import dev.tenantry.core.DatabaseUrl;
import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.InvalidSchemaNameException;
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
     * Opens the pool and the tenant operations, without JPA: what the tenant commands need. The
     * connection is checked at once, so a wrong host, user or password fails with the server's reason.
     */
    public Operations operations(TenantryConfig config) {
        Database database = Database.open(config);
        try {
            database.checkConnection();
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
        return new Operations(database, TenantProvisioning.open(database, List.of(Tenantry.MIGRATIONS),
                TenantSchemaMapping.identity()));
    }

    /** The pool and the provisioning API of one command; closing it closes the pool. */
    public record Operations(Database database, TenantProvisioning provisioning) implements AutoCloseable {
        @Override
        public void close() {
            database.close();
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
