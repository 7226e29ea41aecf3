package dev.tenantry.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.cli.TenantryCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The {@code tenantry} command line run in this JVM, with the environment it is given and what it printed. */
public final class CommandLine {

    private CommandLine() {
    }

    /** What one run printed, and its exit code. */
    public record Outcome(int exit, String out, String err) {

        /** The final table and summary of a migrate run: everything after the progress lines. */
        public String report() {
            int blank = out.indexOf("\n\n");
            return blank < 0 ? out : out.substring(blank + 2);
        }
    }

    /** Runs {@code tenantry args...}, reading settings only from {@code env}. */
    public static Outcome run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TenantryCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, args);
        return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs it and asserts exit code 0, showing the command and its output otherwise. */
    public static Outcome ok(Map<String, String> env, String... args) {
        Outcome outcome = run(env, args);
        assertThat(outcome.exit()).as(String.join(" ", args) + "\n" + outcome.out() + outcome.err()).isZero();
        return outcome;
    }
}
