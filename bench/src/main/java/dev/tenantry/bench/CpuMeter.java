package dev.tenantry.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time spent so far by this JVM (the client: the strategies, the pool, the driver) and by the PostgreSQL
 * processes on this machine (the server), read from {@code /proc/<pid>/schedstat} in nanoseconds. The server
 * figure is NaN where there is no {@code /proc} or no local PostgreSQL process, as with a remote
 * {@code DATABASE_URL}; it sums every local PostgreSQL process, so other work on the same server counts too.
 * Of the server's time, {@link Server#backgroundNanos} is the part of its own processes (autovacuum, WAL
 * writer, checkpointer, background writer and the like), told apart from connection backends by their
 * process titles.
 */
final class CpuMeter {

    private static final Path PROC = Path.of("/proc");

    private CpuMeter() {
    }

    /** CPU nanoseconds of this JVM so far; NaN when the JVM does not say. */
    static double clientNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos;
        }
        return Double.NaN;
    }

    /**
     * CPU nanoseconds of the local PostgreSQL processes so far, and of those that serve no connection; both NaN
     * when none can be read.
     */
    record Server(double nanos, double backgroundNanos) {

        static final Server UNKNOWN = new Server(Double.NaN, Double.NaN);

        Server minus(Server earlier) {
            return new Server(nanos - earlier.nanos, backgroundNanos - earlier.backgroundNanos);
        }
    }

    /** Reads every local PostgreSQL process once. */
    static Server server() {
        if (!Files.isDirectory(PROC)) {
            return Server.UNKNOWN;
        }
        long nanos = 0;
        long backgroundNanos = 0;
        int processes = 0;
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, "[0-9]*")) {
            for (Path pid : pids) {
                try {
                    if (!Files.readString(pid.resolve("comm")).startsWith("postgres")) {
                        continue;
                    }
                    String schedstat = Files.readString(pid.resolve("schedstat"));
                    long ran = Long.parseLong(schedstat.substring(0, schedstat.indexOf(' ')));
                    nanos += ran;
                    if (isBackground(Files.readString(pid.resolve("cmdline")))) {
                        backgroundNanos += ran;
                    }
                    processes++;
                } catch (IOException | RuntimeException e) {
                    // the process ended, or is not ours to read: it does not count
                }
            }
        } catch (IOException e) {
            return Server.UNKNOWN;
        }
        return processes == 0 ? Server.UNKNOWN : new Server(nanos, backgroundNanos);
    }

    /**
     * Background processes title themselves "postgres: autovacuum worker" and so on; backends name a user and a
     * database ("postgres: app appdb 127.0.0.1(40000) idle").
     */
    private static boolean isBackground(String commandLine) {
        String title = commandLine.replace('\0', ' ').strip();
        if (!title.startsWith("postgres: ")) {
            return true; // the postmaster itself
        }
        String what = title.substring("postgres: ".length());
        // with cluster_name set, as Debian's clusters have: "postgres: 15/main: checkpointer"
        what = what.replaceFirst("^[^ :]+: ", "");
        for (String background : new String[] {"autovacuum", "walwriter", "checkpointer", "background writer",
                "logical replication", "walsender", "walreceiver", "archiver", "stats collector", "startup",
                "parallel worker", "io worker", "walsummarizer"}) {
            if (what.startsWith(background)) {
                return true;
            }
        }
        return false;
    }
}
