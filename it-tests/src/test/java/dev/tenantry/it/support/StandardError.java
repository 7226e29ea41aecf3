package dev.tenantry.it.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What was written to the standard error while an action ran: Tenantry's log lines, since slf4j-simple writes there. */
public final class StandardError {

    private StandardError() {
    }

    /** Runs {@code action}, then returns, and passes on, what it wrote to the standard error of the moment. */
    public static String during(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String written = captured.toString(StandardCharsets.UTF_8);
        original.print(written);
        return written;
    }
}
