package dev.tenantry.it.reliability;

import dev.tenantry.it.support.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Helpers shared by the fault tests: what an exception says, and waiting for the server's state. */
final class Faults {

    private Faults() {
    }

    /** Every throwable reachable from {@code thrown} through causes and suppressed exceptions. */
    static List<Throwable> chain(Throwable thrown) {
        List<Throwable> found = new ArrayList<>();
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        collect(thrown, found, seen);
        return found;
    }

    private static void collect(Throwable t, List<Throwable> found, Map<Throwable, Boolean> seen) {
        if (t == null || seen.put(t, Boolean.TRUE) != null) {
            return;
        }
        found.add(t);
        collect(t.getCause(), found, seen);
        for (Throwable suppressed : t.getSuppressed()) {
            collect(suppressed, found, seen);
        }
    }

    /** The SQLStates in the chain, outermost first. */
    static List<String> sqlStates(Throwable thrown) {
        List<String> states = new ArrayList<>();
        for (Throwable t : chain(thrown)) {
            if (t instanceof SQLException && ((SQLException) t).getSQLState() != null) {
                states.add(((SQLException) t).getSQLState());
            }
        }
        return states;
    }

    /** Every message in the chain, joined: what a person reading the log would see. */
    static String messages(Throwable thrown) {
        StringBuilder text = new StringBuilder();
        for (Throwable t : chain(thrown)) {
            text.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return text.toString();
    }

    static <T extends Throwable> T find(Throwable thrown, Class<T> type) {
        for (Throwable t : chain(thrown)) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** Polls with a deadline for a state of the server that no event announces. */
    static void await(BooleanSupplier condition, Duration deadline, String what) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting for " + what);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Terminates one backend from a connection of its own and waits until it is gone. */
    static void terminate(TestDatabase db, int pid) {
        List<String> result = db.column("select pg_terminate_backend(?)", pid);
        if (!"t".equals(result.get(0))) {
            throw new AssertionError("pg_terminate_backend(" + pid + ") returned " + result);
        }
        await(() -> db.column("select count(*) from pg_stat_activity where pid = ?", pid).get(0).equals("0"),
                Duration.ofSeconds(10), "backend " + pid + " to exit");
    }
}
