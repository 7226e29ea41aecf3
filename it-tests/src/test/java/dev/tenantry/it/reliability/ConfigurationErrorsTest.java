package dev.tenantry.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Malformed {@code DATABASE_URL}s and settings fail at start-up with an
 * {@link InvalidConfigurationException} that names the setting and never shows the password, not even a
 * part of it: the password is distinctive, and every message, stack trace and log line is searched for
 * its first part as well as the whole.
 */
@WithPostgres
class ConfigurationErrorsTest {

    private static final String PASSWORD = "Hunter2xTenantrySecret";
    /** A part of the password that no message has any other reason to contain. */
    private static final String PASSWORD_PART = "Hunter2x";

    private record Case(String label, Map<String, String> env, String setting) {
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    /** A well-formed URL with the password in it, to go with a malformed other setting. */
    private static Map<String, String> withGoodUrl(String... pairs) {
        Map<String, String> env = env(pairs);
        env.put(TenantryConfig.DATABASE_URL, "postgresql://app:" + PASSWORD + "@127.0.0.1:5432/app");
        env.putIfAbsent(TenantryConfig.DATABASE_PASSWORD, PASSWORD);
        return env;
    }

    static List<Case> cases() {
        String url = TenantryConfig.DATABASE_URL;
        String pw = PASSWORD;
        List<Case> cases = new ArrayList<>(List.of(
                new Case("port not a number", env(url, "postgresql://app:" + pw + "@db.example.com:notaport/app"), url),
                new Case("port out of range", env(url, "postgresql://app:" + pw + "@db.example.com:70000/app"), url),
                new Case("port zero", env(url, "postgres://app:" + pw + "@db.example.com:0/app"), url),
                new Case("no host", env(url, "postgresql://app:" + pw + "@/app"), url),
                new Case("no host before the port", env(url, "postgresql://app:" + pw + "@:5432/app"), url),
                new Case("no database", env(url, "postgresql://app:" + pw + "@db.example.com:5432"), url),
                new Case("empty database", env(url, "postgresql://app:" + pw + "@db.example.com:5432/"), url),
                new Case("bad %-escape", env(url, "postgresql://app:" + pw + "%zz@db.example.com/app"), url),
                new Case("password with @ and port not a number",
                        env(url, "postgresql://app:" + pw + "@x@db.example.com:bad/app"), url),
                new Case("user:password@ in a JDBC URL", env(url, "jdbc:postgresql://app:" + pw + "@db.example.com:5432/app"), url),
                new Case("JDBC URL without //", env(url, "jdbc:postgresql:app?user=app&password=" + pw), url),
                new Case("JDBC URL, password parameter, bad port",
                        env(url, "jdbc:postgresql://db.example.com:port/app?user=app&password=" + pw), url),
                new Case("another scheme", env(url, "mysql://app:" + pw + "@db.example.com:3306/app"), url),
                new Case("blank URL with a password set", env(url, "   ", TenantryConfig.DATABASE_PASSWORD, pw), url),
                new Case("no URL, password set", env(TenantryConfig.DATABASE_PASSWORD, pw), url),
                new Case("pool size not a number", withGoodUrl(TenantryConfig.POOL_MAX_SIZE, "lots"), TenantryConfig.POOL_MAX_SIZE),
                new Case("pool size zero", withGoodUrl(TenantryConfig.POOL_MAX_SIZE, "0"), TenantryConfig.POOL_MAX_SIZE),
                new Case("pool size negative", withGoodUrl(TenantryConfig.POOL_MAX_SIZE, "-5"), TenantryConfig.POOL_MAX_SIZE),
                new Case("pool size too large", withGoodUrl(TenantryConfig.POOL_MAX_SIZE, "100000"), TenantryConfig.POOL_MAX_SIZE),
                new Case("min idle not a number", withGoodUrl(TenantryConfig.POOL_MIN_IDLE, "x"), TenantryConfig.POOL_MIN_IDLE),
                new Case("min idle above the pool size", withGoodUrl(TenantryConfig.POOL_MIN_IDLE, "10",
                        TenantryConfig.POOL_MAX_SIZE, "5"), TenantryConfig.POOL_MIN_IDLE),
                new Case("acquire timeout not a duration", withGoodUrl(TenantryConfig.POOL_ACQUIRE_TIMEOUT, "soon"),
                        TenantryConfig.POOL_ACQUIRE_TIMEOUT),
                new Case("acquire timeout too short", withGoodUrl(TenantryConfig.POOL_ACQUIRE_TIMEOUT, "10ms"),
                        TenantryConfig.POOL_ACQUIRE_TIMEOUT),
                new Case("max lifetime too short", withGoodUrl(TenantryConfig.POOL_MAX_LIFETIME, "1s"),
                        TenantryConfig.POOL_MAX_LIFETIME),
                new Case("keepalive not shorter than the lifetime", withGoodUrl(TenantryConfig.POOL_KEEPALIVE, "2h"),
                        TenantryConfig.POOL_KEEPALIVE),
                new Case("idle timeout too short", withGoodUrl(TenantryConfig.POOL_IDLE_TIMEOUT, "1ms"),
                        TenantryConfig.POOL_IDLE_TIMEOUT),
                new Case("connect timeout zero", withGoodUrl(TenantryConfig.CONNECT_TIMEOUT, "0s"), TenantryConfig.CONNECT_TIMEOUT),
                new Case("unknown mode", withGoodUrl(TenantryConfig.MODE, "sideways"), TenantryConfig.MODE),
                new Case("auto-provision not a boolean", withGoodUrl(TenantryConfig.AUTO_PROVISION, "maybe"),
                        TenantryConfig.AUTO_PROVISION),
                new Case("schema in upper case", withGoodUrl(TenantryConfig.DATABASE_SCHEMA, "Prod"), TenantryConfig.DATABASE_SCHEMA),
                new Case("schema with SQL", withGoodUrl(TenantryConfig.DATABASE_SCHEMA, "prod; drop schema public"),
                        TenantryConfig.DATABASE_SCHEMA),
                new Case("schema reserved", withGoodUrl(TenantryConfig.DATABASE_SCHEMA, "pg_catalog"), TenantryConfig.DATABASE_SCHEMA),
                new Case("schema is the shared schema", withGoodUrl(TenantryConfig.DATABASE_SCHEMA, "tenantry"),
                        TenantryConfig.DATABASE_SCHEMA),
                new Case("schema with per-request mode", withGoodUrl(TenantryConfig.DATABASE_SCHEMA, "prod",
                        TenantryConfig.MODE, "per-request"), TenantryConfig.DATABASE_SCHEMA),
                new Case("shared schema public", withGoodUrl(TenantryConfig.SHARED_SCHEMA, "public"), TenantryConfig.SHARED_SCHEMA),
                new Case("shared schema invalid", withGoodUrl(TenantryConfig.SHARED_SCHEMA, "Bad-Name"), TenantryConfig.SHARED_SCHEMA),
                new Case("application name too long", withGoodUrl(TenantryConfig.APPLICATION_NAME, "x".repeat(64)),
                        TenantryConfig.APPLICATION_NAME)));
        return cases;
    }

    @Test
    void malformedUrlsAndSettingsFailAtStartUpNamingTheSettingAndNeverThePassword() {
        List<Case> cases = cases();
        for (Case c : cases) {
            Throwable thrown = catchThrowable(() -> Tenantry.start(TenantryConfig.builder().environment(c.env()).build()).close());
            assertThat(thrown).as(c.label()).isInstanceOf(InvalidConfigurationException.class);
            InvalidConfigurationException e = (InvalidConfigurationException) thrown;
            if (c.setting() != null) {
                assertThat(e.setting()).as(c.label() + ": " + e.getMessage()).isEqualTo(c.setting());
                assertThat(e.getMessage()).as(c.label()).startsWith(c.setting() + ": ");
            }
            assertNoPassword(c.label(), e);
        }
        System.out.println("[reliability] configuration: " + cases.size() + " malformed URLs and settings refused at"
                + " start-up, each naming its setting; password shown: 0");
    }

    @Test
    void aPasswordHoldingASlashInAJdbcUrlIsNeverPrinted() {
        for (String url : List.of("jdbc:postgresql://app:" + PASSWORD_PART + "/rest@db.example.com/app",
                "jdbc:postgresql://app:" + PASSWORD_PART + "?rest@db.example.com/app")) {
            Throwable thrown = catchThrowable(() -> TenantryConfig.builder().databaseUrl(url).build());
            assertThat(thrown).isInstanceOf(InvalidConfigurationException.class);
            assertNoPassword(url, thrown);
        }
    }

    @Test
    void anUnreachableServerFailsAtStartUpWithTheReasonAndWithoutThePassword() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        for (String url : List.of("postgresql://app:" + PASSWORD + "@127.0.0.1:" + closedPort + "/app",
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/app?user=app&password=" + PASSWORD)) {
            Captured<Throwable> start = capture(() -> catchThrowable(() -> Tenantry.start(TenantryConfig.builder()
                    .databaseUrl(url).perRequest().build()).close()));
            assertThat(start.value()).isInstanceOf(TenantryException.class);
            assertThat(start.value().getMessage()).contains("Cannot connect to").contains("127.0.0.1:" + closedPort);
            assertNoPassword(url, start.value());
            assertThat(start.output()).doesNotContain(PASSWORD_PART);
        }
    }

    /**
     * Runs in a JVM of its own with logging at info, as an application would: the tests' own logging is quiet, and
     * a logger's level is fixed when it is first used.
     */
    @Test
    void aStartWithThePasswordInTheUrlNeverLogsIt(TestDatabase db) throws Exception {
        Assumptions.assumeTrue(db.server().password() == null,
                "the test server checks passwords; this test needs one that ignores them (trust), as the embedded one does");
        String url = "postgresql://" + db.server().user() + ":" + PASSWORD + "@" + db.server().host() + ":" + db.server().port()
                + "/" + db.name();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.jboss.logging.provider=slf4j",
                StartAndProvision.class.getName(), url, "logged")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the start finished").isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).as("log output at info").contains("INFO dev.tenantry.tenancy.TenantryPersistence - Tenantry started")
                .contains("INFO com.zaxxer.hikari").contains("Provisioned tenant 'logged'");
        assertThat(output).doesNotContain(PASSWORD_PART);
    }

    /** Starts Tenantry with the URL in {@code args[0]}, provisions {@code args[1]}, and prints what a user might print. */
    public static final class StartAndProvision {
        public static void main(String[] args) {
            try (TenantryPersistence tenantry = Tenantry.start(TenantryConfig.builder().databaseUrl(args[0]).perRequest().build())) {
                tenantry.provisioning().provision(args[1]);
                System.out.println(tenantry.config() + " " + tenantry.config().databaseUrl());
            }
        }
    }

    private record Captured<T>(T value, String output) {
    }

    /** Runs {@code work} with System.out and System.err captured (and still printed). */
    private static <T> Captured<T> capture(Supplier<T> work) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(new Tee(bytes, out), true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(new Tee(bytes, err), true, StandardCharsets.UTF_8));
            T value = work.get();
            return new Captured<>(value, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static final class Tee extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        Tee(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }

        @Override
        public void flush() throws IOException {
            a.flush();
            b.flush();
        }
    }

    private static void assertNoPassword(String label, Throwable thrown) {
        StringWriter trace = new StringWriter();
        thrown.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).as("%s: the stack trace, with every cause", label)
                .doesNotContain(PASSWORD_PART).doesNotContain(PASSWORD);
        assertThat(String.valueOf(thrown)).as(label).doesNotContain(PASSWORD_PART);
    }
}
