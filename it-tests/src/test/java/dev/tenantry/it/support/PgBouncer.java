package dev.tenantry.it.support;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's {@code pgbouncer}, run as a child process on a free loopback port in front of the test
 * server, with a configuration of its own in a temporary directory; stopped and removed by
 * {@link #close()}. Install it with {@code apt-get install pgbouncer} ({@code .ci/run} does).
 *
 * <p>PgBouncer before 1.21 cannot carry protocol-level prepared statements across transactions in
 * transaction mode, so {@link #jdbcUrl(String)} asks pgjdbc for unnamed statements only
 * ({@code prepareThreshold=0}).
 */
public final class PgBouncer implements AutoCloseable {

    /** Where to look for the binary unless {@code -Dpgbouncer.binary=...} names it. */
    private static final List<String> LOCATIONS = List.of("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer",
            "/usr/local/sbin/pgbouncer", "/usr/local/bin/pgbouncer");

    private final Process process;
    private final Path directory;
    private final int port;

    private PgBouncer(Process process, Path directory, int port) {
        this.process = process;
        this.directory = directory;
        this.port = port;
    }

    /** The pgbouncer binary, if installed. */
    public static Optional<Path> binary() {
        String configured = System.getProperty("pgbouncer.binary");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        List<String> candidates = new ArrayList<>(LOCATIONS);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                candidates.add(dir + "/pgbouncer");
            }
        }
        return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** Why a test that needs PgBouncer is skipped here. */
    public static String missingMessage() {
        return "pgbouncer is not installed (looked in " + LOCATIONS + " and PATH): install it with"
                + " 'apt-get install pgbouncer' (.ci/run does) or name it with -Dpgbouncer.binary=...";
    }

    /**
     * Starts PgBouncer in front of {@code server}.
     *
     * @param poolMode        {@code transaction}, {@code session} or {@code statement}
     * @param serverPoolSize  server connections per database and user: fewer than the clients use, so
     *                        transactions of different clients share server sessions
     */
    public static PgBouncer start(PostgresServer server, String poolMode, int serverPoolSize) throws IOException {
        Path binary = binary().orElseThrow(() -> new IllegalStateException(missingMessage()));
        Path directory = Files.createTempDirectory("tenantry-pgbouncer");
        int port = freePort();
        String targetHost = "localhost".equals(server.host()) ? "127.0.0.1" : server.host();
        Path users = directory.resolve("userlist.txt");
        Path ini = directory.resolve("pgbouncer.ini");
        Path log = directory.resolve("pgbouncer.log");
        Files.writeString(users, quote(server.user()) + " " + quote(server.password() == null ? "" : server.password()) + "\n",
                StandardCharsets.UTF_8);
        Files.writeString(ini, String.join("\n",
                "[databases]",
                "* = host=" + targetHost + " port=" + server.port(),
                "",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + users,
                "pool_mode = " + poolMode,
                "default_pool_size = " + serverPoolSize,
                "min_pool_size = 0",
                "reserve_pool_size = 0",
                "max_client_conn = 500",
                "max_db_connections = " + serverPoolSize,
                "server_reset_query =",
                "ignore_startup_parameters = extra_float_digits",
                "log_connections = 0",
                "log_disconnections = 0",
                "logfile =",
                "pidfile =",
                ""), StandardCharsets.UTF_8);
        // PgBouncer refuses to run as root; as root it is told to switch to nobody, who must read the files.
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r--r--"));
            Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r--r--"));
        }
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        if (root) {
            command.addAll(List.of("-u", "nobody"));
        }
        command.add(ini.toString());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        PgBouncer bouncer = new PgBouncer(process, directory, port);
        try {
            bouncer.awaitListening();
        } catch (IOException | RuntimeException e) {
            bouncer.close();
            throw e;
        }
        System.out.println("[reliability] " + version(binary) + " on 127.0.0.1:" + port + ", pool_mode=" + poolMode
                + ", " + serverPoolSize + " server connections, in front of " + targetHost + ":" + server.port());
        return bouncer;
    }

    private static String version(Path binary) {
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            return out.lines().findFirst().orElse("pgbouncer").strip();
        } catch (IOException e) {
            return "pgbouncer";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "pgbouncer";
        }
    }

    private static String quote(String value) {
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("pgbouncer exited with " + process.exitValue() + ": " + log());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    process.waitFor(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for pgbouncer", e);
                }
            }
        }
        throw new IOException("pgbouncer did not listen on 127.0.0.1:" + port + " within 15 s: " + log());
    }

    public int port() {
        return port;
    }

    /**
     * A JDBC URL for {@code database} through PgBouncer: no TLS, and unnamed statements only, which
     * transaction pooling before PgBouncer 1.21 requires.
     */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?sslmode=disable&prepareThreshold=0";
    }

    /** What PgBouncer has logged so far. */
    public String log() {
        try {
            return Files.readString(directory.resolve("pgbouncer.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
