package dev.tenantry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    /** A password that no URL, host or database name below contains by accident. */
    private static final String SECRET = "S3cr3tPw";

    private static InvalidConfigurationException refused(String raw) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> DatabaseUrl.parse(raw));
        assertThat(e).as("DatabaseUrl.parse(%s) should be refused", raw).isNotNull();
        assertThat(e.setting()).isEqualTo("DATABASE_URL");
        assertThat(e.getMessage()).startsWith("DATABASE_URL: ");
        return e;
    }

    // ---- the JDBC form ----

    @ParameterizedTest
    @ValueSource(strings = {
            "jdbc:postgresql://localhost/app",
            "jdbc:postgresql://localhost:5432/app",
            "jdbc:postgresql://db.internal:6432/app?sslmode=require&ApplicationName=web",
            "jdbc:postgresql://h1:5432,h2:5433/app?targetServerType=primary",
            "jdbc:postgresql://[::1]:5432/app",
            "jdbc:postgresql://[::1]/app",
            "jdbc:postgresql://localhost:65535/app",
            "jdbc:postgresql://localhost:1/app",
            "jdbc:postgresql://localhost?sslmode=disable",
            "jdbc:postgresql://localhost"})
    void jdbcUrlIsKeptAsIs(String url) {
        DatabaseUrl parsed = DatabaseUrl.parse(url);

        assertThat(parsed.jdbcUrl()).isEqualTo(url);
        assertThat(parsed.user()).isNull();
        assertThat(parsed.password()).isNull();
    }

    @Test
    void surroundingWhitespaceIsStripped() {
        assertThat(DatabaseUrl.parse("  jdbc:postgresql://localhost/app \n").jdbcUrl())
                .isEqualTo("jdbc:postgresql://localhost/app");
        assertThat(DatabaseUrl.parse("\tpostgresql://u:p@localhost/app  ").jdbcUrl())
                .isEqualTo("jdbc:postgresql://localhost/app");
    }

    @Test
    void jdbcUrlWithPasswordParameterKeepsItButToStringMasksIt() {
        DatabaseUrl parsed = DatabaseUrl.parse("jdbc:postgresql://localhost/app?user=app&password=" + SECRET);

        assertThat(parsed.jdbcUrl()).endsWith("password=" + SECRET);
        assertThat(parsed.toString()).doesNotContain(SECRET).contains("password=***");
    }

    // ---- the libpq / Heroku form ----

    @Test
    void libpqUrlBecomesJdbcWithUserAndPasswordTakenOut() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://user:pass@host:5432/db?sslmode=require");

        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5432/db?sslmode=require");
        assertThat(parsed.user()).isEqualTo("user");
        assertThat(parsed.password()).isEqualTo("pass");
    }

    @Test
    void postgresSchemeIsAcceptedToo() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgres://user:pass@host/db");

        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://host/db");
        assertThat(parsed.user()).isEqualTo("user");
        assertThat(parsed.password()).isEqualTo("pass");
    }

    @Test
    void libpqUrlWithoutUserInfoHasNoUserOrPassword() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://host:5432/db");

        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5432/db");
        assertThat(parsed.user()).isNull();
        assertThat(parsed.password()).isNull();
    }

    @Test
    void userWithoutPasswordLeavesPasswordNull() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://alice@host/db");

        assertThat(parsed.user()).isEqualTo("alice");
        assertThat(parsed.password()).isNull();
    }

    @Test
    void emptyUserBecomesNullButPasswordIsKept() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://:" + SECRET + "@host/db");

        assertThat(parsed.user()).isNull();
        assertThat(parsed.password()).isEqualTo(SECRET);
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://host/db");
    }

    @Test
    void percentEncodedPasswordIsDecoded() {
        assertThat(DatabaseUrl.parse("postgresql://user:p%40ss@host/db").password()).isEqualTo("p@ss");
        assertThat(DatabaseUrl.parse("postgresql://user:a%2Fb%3Fc%3Ad%25e@host/db").password()).isEqualTo("a/b?c:d%e");
        assertThat(DatabaseUrl.parse("postgresql://user:%C3%A9t%C3%A9@host/db").password()).isEqualTo("\u00e9t\u00e9");
    }

    @Test
    void percentEncodedUserIsDecoded() {
        assertThat(DatabaseUrl.parse("postgresql://us%40er:pass@host/db").user()).isEqualTo("us@er");
    }

    @Test
    void plusInPasswordIsKeptLiterally() {
        assertThat(DatabaseUrl.parse("postgresql://user:p+ss@host/db").password()).isEqualTo("p+ss");
        assertThat(DatabaseUrl.parse("postgresql://us+er:a+b+c@host/db").user()).isEqualTo("us+er");
        assertThat(DatabaseUrl.parse("postgresql://user:%2B+%2B@host/db").password()).isEqualTo("+++");
    }

    @Test
    void colonInsidePasswordIsPartOfThePassword() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://user:pa:ss@host:5432/db");

        assertThat(parsed.user()).isEqualTo("user");
        assertThat(parsed.password()).isEqualTo("pa:ss");
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://host:5432/db");
    }

    @Test
    void ipv6HostIsKeptInBrackets() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://user:pass@[::1]:5432/db");

        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/db");
        assertThat(parsed.user()).isEqualTo("user");
        assertThat(parsed.password()).isEqualTo("pass");
    }

    @Test
    void ipv6HostWithoutPortIsAccepted() {
        assertThat(DatabaseUrl.parse("postgresql://user:pass@[2001:db8::5]/db").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[2001:db8::5]/db");
    }

    @Test
    void multipleHostsAreKept() {
        DatabaseUrl parsed = DatabaseUrl.parse(
                "postgresql://user:pass@h1:5432,h2:5433,[::1]:5434/db?target_session_attrs=any");

        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5433,[::1]:5434/db?target_session_attrs=any");
        assertThat(parsed.user()).isEqualTo("user");
    }

    @Test
    void libpqParameterNamesAreTranslatedForPgjdbc() {
        DatabaseUrl parsed = DatabaseUrl.parse(
                "postgresql://u:p@host/db?application_name=web&connect_timeout=5&sslmode=require");

        assertThat(parsed.jdbcUrl())
                .isEqualTo("jdbc:postgresql://host/db?ApplicationName=web&connectTimeout=5&sslmode=require");
    }

    @Test
    void emptyQueryParametersAreDropped() {
        assertThat(DatabaseUrl.parse("postgresql://u:p@host/db?&sslmode=require&&").jdbcUrl())
                .isEqualTo("jdbc:postgresql://host/db?sslmode=require");
        assertThat(DatabaseUrl.parse("postgresql://u:p@host/db?").jdbcUrl()).isEqualTo("jdbc:postgresql://host/db");
    }

    @Test
    void convertedUrlIsUnderstoodByPgjdbc() {
        DatabaseUrl parsed = DatabaseUrl.parse(
                "postgresql://u:p@h1:5432,h2:5433/app_db?sslmode=require&application_name=web");

        Properties props = org.postgresql.Driver.parseURL(parsed.jdbcUrl(), new Properties());

        assertThat(props).isNotNull();
        assertThat(props.getProperty("PGDBNAME")).isEqualTo("app_db");
        assertThat(props.getProperty("PGHOST")).isEqualTo("h1,h2");
        assertThat(props.getProperty("PGPORT")).isEqualTo("5432,5433");
        assertThat(props.getProperty("sslmode")).isEqualTo("require");
        assertThat(props.getProperty("ApplicationName")).isEqualTo("web");
    }

    @Test
    void percentEncodedDatabaseNameReachesPgjdbcUnchanged() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://u:p@host/a%2Bb");

        Properties props = org.postgresql.Driver.parseURL(parsed.jdbcUrl(), new Properties());

        assertThat(props).isNotNull();
        assertThat(props.getProperty("PGDBNAME")).isEqualTo("a+b");
    }

    @Test
    void toStringShowsUserButNeverThePassword() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://alice:" + SECRET + "@host/db?sslmode=require");

        assertThat(parsed.toString()).isEqualTo("jdbc:postgresql://host/db?sslmode=require (user alice)");
        assertThat(parsed.toString()).doesNotContain(SECRET);
    }

    @Test
    void toStringMasksPasswordQueryParameterOfLibpqUrl() {
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://host/db?user=alice&password=" + SECRET + "&sslmode=require");

        assertThat(parsed.toString()).doesNotContain(SECRET).contains("password=***&sslmode=require");
    }

    // ---- refusals ----

    static Stream<Arguments> badUrls() {
        String s = SECRET;
        return Stream.of(
                Arguments.of("postgresql://u:" + s + "@host:5432", "no database"),
                Arguments.of("postgresql://u:" + s + "@host:5432/", "no database"),
                Arguments.of("postgresql://u:" + s + "@host?sslmode=require", "no database"),
                Arguments.of("postgres://u:" + s + "@host", "no database"),
                Arguments.of("postgresql://u:" + s + "@host:abc/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@host:0/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@host:70000/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@host:65536/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@host:-1/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@host:/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@host:123456/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@h1:5432,h2:x/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@[::1]:abc/db", "port that is not a number"),
                Arguments.of("postgresql://u:" + s + "@/db", "no host"),
                Arguments.of("postgresql://u:" + s + "@:5432/db", "no host before the port"),
                Arguments.of("postgresql://u:p%zz" + s + "@host/db", "malformed %-escape"),
                Arguments.of("postgresql://u:" + s + "%4@host/db", "malformed %-escape"),
                Arguments.of("mysql://u:" + s + "@host:3306/db", "expected jdbc:postgresql://"),
                Arguments.of("jdbc:mysql://u:" + s + "@host:3306/db", "expected jdbc:postgresql://"),
                Arguments.of("http://u:" + s + "@host/db", "expected jdbc:postgresql://"),
                Arguments.of("POSTGRESQL://u:" + s + "@host/db", "expected jdbc:postgresql://"),
                Arguments.of("host:5432/db?password=" + s, "expected jdbc:postgresql://"),
                Arguments.of("jdbc:postgresql:db?password=" + s, "must start with jdbc:postgresql://host"),
                Arguments.of("jdbc:postgresql:///db?password=" + s, "no host"),
                Arguments.of("jdbc:postgresql://host:abc/db?user=u&password=" + s, "port that is not a number"),
                Arguments.of("jdbc:postgresql://host:0/db?PASSWORD=" + s, "port that is not a number"),
                Arguments.of("jdbc:postgresql://u:" + s + "@host:bad/db", "user:password@ before the host"));
    }

    @ParameterizedTest
    @MethodSource("badUrls")
    void badUrlIsRefusedNamingDatabaseUrlWithoutThePassword(String raw, String reason) {
        InvalidConfigurationException e = refused(raw);

        assertThat(e.getMessage()).contains(reason).doesNotContain(SECRET);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "   ", "\t\n"})
    void emptyOrBlankUrlIsRefused(String raw) {
        assertThat(refused(raw).getMessage()).contains("is empty");
    }

    @Test
    void refusalShowsTheRedactedUrl() {
        InvalidConfigurationException e = refused("postgresql://alice:" + SECRET + "@host:abc/db");

        assertThat(e.getMessage()).contains("'postgresql://alice:***@host:abc/db'");
    }

    @Test
    void passwordWithUnencodedSlashIsReadWholeAndNeverShown() {
        String password = "S3cr/3tPw";
        DatabaseUrl parsed = DatabaseUrl.parse("postgresql://u:" + password + "@host/db");

        assertThat(parsed.password()).isEqualTo(password);
        assertThat(parsed.jdbcUrl()).isEqualTo("jdbc:postgresql://host/db");
        assertThat(parsed.toString()).doesNotContain("3tPw");
        assertThat(refused("postgresql://u:" + password + "@host:abc/db").getMessage()).doesNotContain("3tPw");
    }

    @Test
    void passwordWithUnencodedAtSignNeverAppearsInTheError() {
        InvalidConfigurationException e = refused("postgresql://u:Sec@ret99@host:abc/db");

        assertThat(e.getMessage()).doesNotContain("ret99");
    }

    @Test
    void jdbcUrlWithUserInfoNeverPutsThePasswordIntoTheHost() {
        String raw = "jdbc:postgresql://alice:" + SECRET + "@host:5432/db";
        DatabaseUrl parsed;
        try {
            parsed = DatabaseUrl.parse(raw);
        } catch (InvalidConfigurationException refusedIsFine) {
            assertThat(refusedIsFine.getMessage()).doesNotContain(SECRET);
            return;
        }
        Properties props = org.postgresql.Driver.parseURL(parsed.jdbcUrl(), new Properties());
        assertThat(props.getProperty("PGHOST")).doesNotContain(SECRET);
    }

    // ---- redact ----

    @Test
    void redactMasksUserInfoPassword() {
        assertThat(DatabaseUrl.redact("postgresql://alice:" + SECRET + "@host:5432/db"))
                .isEqualTo("postgresql://alice:***@host:5432/db");
        assertThat(DatabaseUrl.redact("postgres://:" + SECRET + "@host/db")).isEqualTo("postgres://:***@host/db");
    }

    @Test
    void redactMasksPasswordQueryParameterInAnyCase() {
        assertThat(DatabaseUrl.redact("jdbc:postgresql://host/db?user=a&password=" + SECRET + "&ssl=true"))
                .isEqualTo("jdbc:postgresql://host/db?user=a&password=***&ssl=true");
        assertThat(DatabaseUrl.redact("jdbc:postgresql://host/db?Password=" + SECRET))
                .isEqualTo("jdbc:postgresql://host/db?Password=***");
        assertThat(DatabaseUrl.redact("jdbc:postgresql://host/db?sslpassword=" + SECRET)).doesNotContain(SECRET);
    }

    @Test
    void redactMasksBothPlacesAtOnce() {
        String redacted = DatabaseUrl.redact("postgresql://alice:one" + SECRET + "@host/db?password=two" + SECRET);

        assertThat(redacted).isEqualTo("postgresql://alice:***@host/db?password=***");
    }

    @Test
    void redactLeavesUrlsWithoutPasswordAlone() {
        assertThat(DatabaseUrl.redact("jdbc:postgresql://host:5432/db?sslmode=require"))
                .isEqualTo("jdbc:postgresql://host:5432/db?sslmode=require");
        assertThat(DatabaseUrl.redact("postgresql://alice@host:5432/db")).isEqualTo("postgresql://alice@host:5432/db");
        assertThat(DatabaseUrl.redact("postgresql://[::1]:5432/db")).isEqualTo("postgresql://[::1]:5432/db");
        assertThat(DatabaseUrl.redact(null)).isNull();
    }

    // ---- the parts of a parsed URL ----

    @Test
    void thePartsOfAUrlAreReadBackFromItsJdbcForm() {
        DatabaseUrl libpq = DatabaseUrl.parse("postgresql://u:" + SECRET + "@db.example.com:6543/shop?sslmode=require");
        DatabaseUrl jdbc = DatabaseUrl.parse("jdbc:postgresql://[::1]/app?user=me&password=" + SECRET);
        DatabaseUrl failover = DatabaseUrl.parse("jdbc:postgresql://h1:5433,h2:5434/db");

        assertThat(libpq.host()).isEqualTo("db.example.com");
        assertThat(libpq.port()).isEqualTo(6543);
        assertThat(libpq.database()).isEqualTo("shop");
        assertThat(libpq.parameters()).containsExactly(java.util.Map.entry("sslmode", "require"));
        assertThat(jdbc.host()).isEqualTo("[::1]");
        assertThat(jdbc.port()).isEqualTo(5432);
        assertThat(jdbc.parameters()).containsEntry("user", "me").containsEntry("password", SECRET);
        assertThat(failover.multipleHosts()).isTrue();
        assertThat(failover.host()).isEqualTo("h1");
        assertThat(failover.port()).isEqualTo(5433);
        assertThat(libpq.multipleHosts()).isFalse();
    }
}
