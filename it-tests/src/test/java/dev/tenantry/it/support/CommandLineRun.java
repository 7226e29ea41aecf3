package dev.tenantry.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.cli.TenantryCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One run of the tenantry command line in this JVM (so never on a terminal), with only the given environment: its
 * exit code and what it printed.
 */
public record CommandLineRun(int exit, String out, String err) {

    public static CommandLineRun run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = TenantryCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env, args);
        return new CommandLineRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A run that must succeed: a non-zero exit fails the test, showing the command and everything it printed. */
    public static CommandLineRun ok(Map<String, String> env, String... args) {
        CommandLineRun outcome = run(env, args);
        assertThat(outcome.exit()).as(String.join(" ", args) + "\n" + outcome.out() + outcome.err()).isZero();
        return outcome;
    }

    /** The final table and summary of a migrate run: everything after the progress lines. */
    public String report() {
        int blank = out.indexOf("\n\n");
        return blank < 0 ? out : out.substring(blank + 2);
    }
}
