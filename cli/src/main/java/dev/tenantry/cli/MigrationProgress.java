package dev.tenantry.cli;

import dev.tenantry.tenancy.TenantMigration;
import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * How {@code tenantry migrate} shows a run while it goes: on a terminal, one line redrawn in place
 * ({@code [#####.....] 412/1000 tenants  3 failed}); elsewhere (a pipe, a file, CI logs, tests), one
 * plain line per tenant as it finishes. Told of each outcome one at a time.
 */
abstract class MigrationProgress implements Consumer<TenantMigration> {

    /** How progress is shown: chosen from the output ({@code auto}) or forced. */
    enum Style { AUTO, BAR, LINES }

    protected final PrintStream out;

    private MigrationProgress(PrintStream out) {
        this.out = out;
    }

    static MigrationProgress of(Style style, Cli cli, int total, int width) {
        boolean bar = style == Style.BAR || style == Style.AUTO && cli.interactive();
        return bar ? new Bar(cli.out(), total) : new Lines(cli, width);
    }

    /**
     * What happened to a migrated tenant: {@code 2 migrations applied}, {@code 1 migration undone}, and after it the
     * lock timeouts it waited out and its snapshot, if any.
     */
    static String detail(TenantMigration outcome) {
        return detail(outcome, " applied");
    }

    /** {@link #detail(TenantMigration)} with {@code applied} after the count of migrations that went up. */
    static String detail(TenantMigration outcome, String applied) {
        StringBuilder detail = new StringBuilder(Cli.count(outcome.migrationsExecuted(), "migration"))
                .append(outcome.undone() ? " undone" : applied);
        if (outcome.lockTimeouts() > 0) {
            detail.append(", after ").append(Cli.count(outcome.lockTimeouts(), "lock timeout"));
        }
        if (outcome.snapshot() != null) {
            detail.append(", snapshot ").append(outcome.snapshot());
        }
        return detail.toString();
    }

    /** Why a tenant failed, on one line, and how many lock timeouts it waited out first. */
    static String failure(Cli cli, TenantMigration outcome) {
        return cli.reason(outcome.error()) + (outcome.lockTimeouts() == 0 ? ""
                : " (after " + Cli.count(outcome.lockTimeouts(), "lock timeout") + ")");
    }

    /** Called once, after the last outcome and before the summary is printed. */
    abstract void finish();

    /** One line per tenant: {@code acme  migrated 1 -> 2 (1 migration)}. */
    static final class Lines extends MigrationProgress {

        private final Cli cli;
        private final int width;

        Lines(Cli cli, int width) {
            super(cli.out());
            this.cli = cli;
            this.width = width;
        }

        @Override
        public synchronized void accept(TenantMigration outcome) {
            out.println(TextTable.pad(outcome.tenant(), width) + "  " + describe(outcome));
            out.flush();
        }

        private String describe(TenantMigration outcome) {
            switch (outcome.status()) {
                case MIGRATED:
                    return "migrated " + Cli.version(outcome.fromVersion()) + " -> " + Cli.version(outcome.toVersion())
                            + " (" + detail(outcome, "") + ")";
                case CURRENT:
                    return "already current at version " + Cli.version(outcome.toVersion());
                default:
                    return "FAILED: " + failure(cli, outcome);
            }
        }

        @Override
        void finish() {
            out.println();
        }
    }

    /**
     * A single line redrawn in place with a carriage return, at most every {@value #REDRAW_MILLIS} ms
     * and always for the last tenant: {@code [#####.....] 412/1000 tenants  3 failed}.
     */
    static final class Bar extends MigrationProgress {

        static final int WIDTH = 30;
        private static final long REDRAW_MILLIS = 100;

        private final int expected;
        private int done;
        private int failed;
        private long lastDrawn;
        private int lastLength;
        private boolean drawn;

        Bar(PrintStream out, int expected) {
            super(out);
            this.expected = expected;
            draw();
        }

        @Override
        public synchronized void accept(TenantMigration outcome) {
            done++;
            if (outcome.failed()) {
                failed++;
            }
            long now = System.nanoTime();
            drawn = false;
            if (done >= expected || now - lastDrawn >= REDRAW_MILLIS * 1_000_000L) {
                draw();
            }
        }

        /** The line for {@code done} of {@code total} tenants, {@code failed} of them failed. */
        static String render(int done, int total, int failed) {
            int filled = total <= 0 ? WIDTH : (int) ((long) Math.min(done, total) * WIDTH / total);
            return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " tenants  "
                    + failed + " failed";
        }

        private void draw() {
            // A tenant registered after the count was taken makes the run longer than expected.
            String line = render(done, Math.max(expected, done), failed);
            String blank = line.length() < lastLength ? " ".repeat(lastLength - line.length()) : "";
            out.print("\r" + line + blank);
            out.flush();
            lastLength = line.length();
            lastDrawn = System.nanoTime();
            drawn = true;
        }

        @Override
        synchronized void finish() {
            if (!drawn) {
                draw();
            }
            out.println();
            out.println();
        }
    }
}
