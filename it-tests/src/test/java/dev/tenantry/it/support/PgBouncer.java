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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * PgBouncer, run as a child process on a free loopback port in front of the test server, with a configuration of
 * its own in a temporary directory; stopped and removed by {@link #close()}.
 *
 * <p>Two kinds matter to Tenantry, and tests ask for the one they need: PgBouncer before 1.21 (Debian 12 ships
 * 1.18; {@code apt-get install pgbouncer}, as {@code .ci/run} does), which passes pgjdbc's named prepared statements
 * through to whichever server session is free; and 1.21 or later, which carries them from one server session to the
 * next when {@code max_prepared_statements} is above 0. Binaries are looked for in the usual places, in {@code PATH}
 * (as {@code pgbouncer} or {@code pgbouncer-<version>}), in {@code /work/shared/pgbouncer} (where the project's
 * machine keeps a 1.25.2 build), and in {@code -Dpgbouncer.binary=<path>[:<path>...]}; each is asked its version.
 *
 * <p>{@link #jdbcUrl(String)} leaves pgjdbc at its defaults: what a user would write.
 */
public final class PgBouncer implements AutoCloseable {

    /** An installed pgbouncer and its version. */
    public record Binary(Path path, int major, int minor, String version) {

        /** Whether it can carry protocol-level prepared statements in transaction mode (1.21 and later). */
        public boolean carriesPreparedStatements() {
            return major > 1 || (major == 1 && minor >= 21);
        }

        @Override
        public String toString() {
            return "PgBouncer " + version + " (" + path + ")";
        }
    }

    private static final List<String> DIRECTORIES = List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin",
            "/work/shared/pgbouncer");
    private static final Pattern NAME = Pattern.compile("pgbouncer(-[0-9][0-9.]*)?");
    private static final Pattern VERSION = Pattern.compile("PgBouncer ([0-9]+)\\.([0-9]+)(\\.[0-9]+)?");
    private static volatile List<Binary> installed;

    private final Process process;
    private final Path directory;
    private final int port;
    private final Binary binary;

    private PgBouncer(Process process, Path directory, int port, Binary binary) {
        this.process = process;
        this.directory = directory;
        this.port = port;
        this.binary = binary;
    }

    /** Every pgbouncer found, oldest first, one per version. */
    public static List<Binary> installed() {
        List<Binary> found = installed;
        if (found == null) {
            Map<String, Binary> byVersion = new LinkedHashMap<>();
            for (Path candidate : candidates()) {
                version(candidate).ifPresent(binary -> byVersion.putIfAbsent(binary.version(), binary));
            }
            found = byVersion.values().stream()
                    .sorted(Comparator.comparingInt(Binary::major).thenComparingInt(Binary::minor)
                            .thenComparing(Binary::version))
                    .toList();
            installed = found;
        }
        return found;
    }

    /** The oldest pgbouncer found: before 1.21 where one is installed, the version that does not carry prepared statements. */
    public static Optional<Binary> oldest() {
        return installed().stream().findFirst();
    }

    /** A pgbouncer before 1.21, which cannot carry prepared statements in transaction mode. */
    public static Optional<Binary> withoutPreparedStatements() {
        return installed().stream().filter(b -> !b.carriesPreparedStatements()).findFirst();
    }

    /** A pgbouncer 1.21 or later, which carries prepared statements in transaction mode when asked to. */
    public static Optional<Binary> withPreparedStatements() {
        return installed().stream().filter(Binary::carriesPreparedStatements).reduce((older, newer) -> newer);
    }

    /** Why a test that needs PgBouncer (of some version) is skipped here. */
    public static String missingMessage(String which) {
        return "no " + which + " found (looked in " + DIRECTORIES + " and PATH; found " + installed() + "): install"
                + " Debian's with 'apt-get install pgbouncer' (.ci/run does), or name one with -Dpgbouncer.binary=...";
    }

    public static String missingMessage() {
        return missingMessage("pgbouncer");
    }

    private static List<Path> candidates() {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getProperty("pgbouncer.binary");
        if (configured != null && !configured.isBlank()) {
            for (String path : configured.split(File.pathSeparator)) {
                candidates.add(Path.of(path.strip()));
            }
        }
        List<String> directories = new ArrayList<>(DIRECTORIES);
        String path = System.getenv("PATH");
        if (path != null) {
            directories.addAll(List.of(path.split(File.pathSeparator)));
        }
        for (String directory : directories) {
            try (Stream<Path> files = Files.list(Path.of(directory))) {
                files.filter(file -> NAME.matcher(file.getFileName().toString()).matches()).sorted().forEach(candidates::add);
            } catch (IOException | RuntimeException e) {
                // a directory that does not exist or cannot be read holds no candidate
            }
        }
        return candidates;
    }

    private static Optional<Binary> version(Path binary) {
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            return Optional.empty();
        }
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(10, TimeUnit.SECONDS);
            Matcher matcher = VERSION.matcher(out);
            if (!matcher.find()) {
                return Optional.empty();
            }
            String version = matcher.group(1) + "." + matcher.group(2) + (matcher.group(3) == null ? "" : matcher.group(3));
            return Optional.of(new Binary(binary.toRealPath(), Integer.parseInt(matcher.group(1)),
                    Integer.parseInt(matcher.group(2)), version));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Starts the oldest pgbouncer found in front of {@code server}; see {@link Settings#start(PostgresServer)}. */
    public static PgBouncer start(PostgresServer server, String poolMode, int serverPoolSize) throws IOException {
        Binary binary = oldest().orElseThrow(() -> new IllegalStateException(missingMessage()));
        return using(binary).poolMode(poolMode).serverConnections(serverPoolSize).start(server);
    }

    /** Settings for a pgbouncer to start with {@code binary}. */
    public static Settings using(Binary binary) {
        return new Settings(binary);
    }

    /** What one pgbouncer runs with. */
    public static final class Settings {

        private final Binary binary;
        private String poolMode = "transaction";
        private int serverConnections = 3;
        private Integer maxPreparedStatements;

        private Settings(Binary binary) {
            this.binary = binary;
        }

        /** {@code transaction} (the default), {@code session} or {@code statement}. */
        public Settings poolMode(String mode) {
            this.poolMode = mode;
            return this;
        }

        /**
         * Server connections per database and user (default 3): fewer than the clients use, so that transactions of
         * different clients share server sessions.
         */
        public Settings serverConnections(int connections) {
            this.serverConnections = connections;
            return this;
        }

        /** Written into the configuration only when set: 1.21 and later, where the default depends on the version. */
        public Settings maxPreparedStatements(int statements) {
            this.maxPreparedStatements = statements;
            return this;
        }

        /** Starts pgbouncer in front of {@code server} and waits until it listens. */
        public PgBouncer start(PostgresServer server) throws IOException {
            Path directory = Files.createTempDirectory("tenantry-pgbouncer");
            int port = freePort();
            String targetHost = "localhost".equals(server.host()) ? "127.0.0.1" : server.host();
            Path users = directory.resolve("userlist.txt");
            Path ini = directory.resolve("pgbouncer.ini");
            Path log = directory.resolve("pgbouncer.log");
            Files.writeString(users, quote(server.user()) + " " + quote(server.password() == null ? "" : server.password())
                    + "\n", StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(
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
                    "default_pool_size = " + serverConnections,
                    "min_pool_size = 0",
                    "reserve_pool_size = 0",
                    "max_client_conn = 500",
                    "max_db_connections = " + serverConnections,
                    "ignore_startup_parameters = extra_float_digits",
                    "log_connections = 0",
                    "log_disconnections = 0",
                    "logfile =",
                    "pidfile ="));
            if (maxPreparedStatements != null) {
                lines.add("max_prepared_statements = " + maxPreparedStatements);
            }
            lines.add("");
            Files.writeString(ini, String.join("\n", lines), StandardCharsets.UTF_8);
            // PgBouncer refuses to run as root; as root it is told to switch to nobody, who must read the files.
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
                Files.setPosixFilePermissions(users, PosixFilePermissions.fromString("rw-r--r--"));
                Files.setPosixFilePermissions(ini, PosixFilePermissions.fromString("rw-r--r--"));
            }
            List<String> command = new ArrayList<>(List.of(binary.path().toString()));
            if (root) {
                command.addAll(List.of("-u", "nobody"));
            }
            command.add(ini.toString());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            PgBouncer bouncer = new PgBouncer(process, directory, port, binary);
            try {
                bouncer.awaitListening();
            } catch (IOException | RuntimeException e) {
                bouncer.close();
                throw e;
            }
            System.out.println("[reliability] PgBouncer " + binary.version() + " on 127.0.0.1:" + port + ", pool_mode="
                    + poolMode + ", " + serverConnections + " server connections"
                    + (maxPreparedStatements == null ? "" : ", max_prepared_statements=" + maxPreparedStatements)
                    + ", in front of " + targetHost + ":" + server.port());
            return bouncer;
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

    public Binary binary() {
        return binary;
    }

    /** A JDBC URL for {@code database} through PgBouncer: no TLS, and otherwise pgjdbc's defaults. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?sslmode=disable";
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
