package dev.tenantry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TenantryConfigTest {

    private static final String URL = "jdbc:postgresql://localhost:5432/app";
    private static final String SECRET = "S3cr3tPw";

    private static Map<String, String> env(String... keysAndValues) {
        Map<String, String> env = new HashMap<>();
        env.put(TenantryConfig.DATABASE_URL, URL);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return env;
    }

    private static TenantryConfig fromEnv(String... keysAndValues) {
        return TenantryConfig.builder().environment(env(keysAndValues)).build();
    }

    private static InvalidConfigurationException refused(Executable action) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class, action::execute);
        assertThat(e).as("expected an InvalidConfigurationException").isNotNull();
        assertThat(e.getMessage()).startsWith(e.setting() + ": ");
        return e;
    }

    private static InvalidConfigurationException refusedEnv(String... keysAndValues) {
        return refused(() -> fromEnv(keysAndValues));
    }

    // ---- defaults ----

    @Test
    void defaultsApplyWhenOnlyTheUrlIsSet() {
        TenantryConfig config = TenantryConfig.builder().databaseUrl(URL).build();

        assertThat(config.databaseUrl().jdbcUrl()).isEqualTo(URL);
        assertThat(config.user()).isNull();
        assertThat(config.password()).isNull();
        assertThat(config.mode()).isEqualTo(TenancyMode.PER_DEPLOYMENT);
        assertThat(config.deploymentSchema()).isSameAs(SchemaName.PUBLIC);
        assertThat(config.sharedSchema()).isEqualTo(SchemaName.of("tenantry"));
        assertThat(config.autoProvision()).isTrue();
        assertThat(config.poolMaxSize()).isEqualTo(30);
        assertThat(config.poolMinIdle()).isEqualTo(2);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.maxLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(config.keepalive()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.applicationName()).isEqualTo("tenantry");
    }

    @Test
    void environmentWithOnlyTheUrlGivesTheSameDefaults() {
        TenantryConfig config = fromEnv();

        assertThat(config.mode()).isEqualTo(TenancyMode.PER_DEPLOYMENT);
        assertThat(config.deploymentSchema()).isSameAs(SchemaName.PUBLIC);
        assertThat(config.poolMaxSize()).isEqualTo(30);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void unrelatedVariablesAreIgnored() {
        TenantryConfig config = fromEnv("PATH", "/usr/bin", "TENANTRY_UNKNOWN", "whatever", "HOME", "/root");

        assertThat(config.poolMaxSize()).isEqualTo(30);
    }

    // ---- every variable ----

    @Test
    void everyVariableIsReadFromTheEnvironment() {
        TenantryConfig config = TenantryConfig.builder().environment(Map.ofEntries(
                Map.entry("DATABASE_URL", "postgresql://urluser:urlpass@db.internal:6432/app?sslmode=require"),
                Map.entry("DATABASE_USER", "envuser"),
                Map.entry("DATABASE_PASSWORD", SECRET),
                Map.entry("DATABASE_SCHEMA", "prod"),
                Map.entry("TENANTRY_MODE", "per-deployment"),
                Map.entry("TENANTRY_AUTO_PROVISION", "false"),
                Map.entry("TENANTRY_SHARED_SCHEMA", "tenantry_meta"),
                Map.entry("TENANTRY_POOL_MAX_SIZE", "50"),
                Map.entry("TENANTRY_POOL_MIN_IDLE", "5"),
                Map.entry("TENANTRY_POOL_ACQUIRE_TIMEOUT", "500ms"),
                Map.entry("TENANTRY_POOL_MAX_LIFETIME", "2h"),
                Map.entry("TENANTRY_POOL_KEEPALIVE", "PT45S"),
                Map.entry("TENANTRY_POOL_IDLE_TIMEOUT", "5m"),
                Map.entry("TENANTRY_CONNECT_TIMEOUT", "3s"),
                Map.entry("TENANTRY_APPLICATION_NAME", "billing-web"))).build();

        assertThat(config.databaseUrl().jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6432/app?sslmode=require");
        assertThat(config.user()).isEqualTo("envuser");
        assertThat(config.password()).isEqualTo(SECRET);
        assertThat(config.deploymentSchema()).isEqualTo(SchemaName.of("prod"));
        assertThat(config.mode()).isEqualTo(TenancyMode.PER_DEPLOYMENT);
        assertThat(config.autoProvision()).isFalse();
        assertThat(config.sharedSchema()).isEqualTo(SchemaName.of("tenantry_meta"));
        assertThat(config.poolMaxSize()).isEqualTo(50);
        assertThat(config.poolMinIdle()).isEqualTo(5);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.maxLifetime()).isEqualTo(Duration.ofHours(2));
        assertThat(config.keepalive()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.applicationName()).isEqualTo("billing-web");
    }

    @Test
    void statementCacheDependsOnTheModeUnlessSet() {
        assertThat(fromEnv("TENANTRY_MODE", "per-request").statementCache()).isEqualTo(32768 / 30);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_MAX_SIZE", "4").statementCache()).isEqualTo(4096);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_MAX_SIZE", "500").statementCache()).isEqualTo(256);
        assertThat(fromEnv("TENANTRY_MODE", "per-deployment").statementCache()).isEqualTo(256);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_STATEMENT_CACHE", "0").statementCache()).isZero();
        TenantryConfig set = fromEnv("TENANTRY_STATEMENT_CACHE", "20000");
        assertThat(set.statementCache()).isEqualTo(20000);
        assertThat(set.toBuilder().perRequest().build().statementCache()).isEqualTo(20000);
        assertThat(fromEnv("TENANTRY_MODE", "per-deployment").toBuilder().perRequest().build().statementCache())
                .isEqualTo(1092);
    }

    // ---- the pooler in front of PostgreSQL ----

    @Test
    void poolerIsDetectedUnlessStated() {
        assertThat(fromEnv().pooler()).isEqualTo(Pooler.DETECT);
        assertThat(fromEnv("TENANTRY_POOLER", "session").pooler()).isEqualTo(Pooler.SESSION);
        assertThat(fromEnv("TENANTRY_POOLER", "transaction", "TENANTRY_ADMIN_DATABASE_URL", "jdbc:postgresql://db:5432/app")
                .pooler()).isEqualTo(Pooler.TRANSACTION);
        TenantryConfig prepared = fromEnv("TENANTRY_POOLER", " Transaction-With-Prepared-Statements ",
                "TENANTRY_ADMIN_DATABASE_URL", "jdbc:postgresql://db:5432/app");
        assertThat(prepared.pooler()).isEqualTo(Pooler.TRANSACTION_WITH_PREPARED_STATEMENTS);
        assertThat(prepared.toBuilder().build().pooler()).isEqualTo(Pooler.TRANSACTION_WITH_PREPARED_STATEMENTS);
        assertThat(prepared.toString()).contains("pooler=transaction-with-prepared-statements");
    }

    @Test
    void anUnknownPoolerIsRefusedListingTheChoices() {
        InvalidConfigurationException e = refusedEnv("TENANTRY_POOLER", "pgbouncer");

        assertThat(e.setting()).isEqualTo("TENANTRY_POOLER");
        assertThat(e.getMessage()).isEqualTo("TENANTRY_POOLER: 'pgbouncer' is not a pooler; use detect, session,"
                + " transaction or transaction-with-prepared-statements");
    }

    @ParameterizedTest
    @ValueSource(strings = {"transaction", "transaction-with-prepared-statements"})
    void aTransactionModePoolerNeedsItsOwnUrlForSchemaChanges(String pooler) {
        InvalidConfigurationException e = refusedEnv("TENANTRY_POOLER", pooler);

        assertThat(e.setting()).isEqualTo("TENANTRY_ADMIN_DATABASE_URL");
        assertThat(e.getMessage()).contains("TENANTRY_POOLER=" + pooler).contains("PostgreSQL itself");
        assertThat(refused(() -> TenantryConfig.builder().databaseUrl(URL).pooler(Pooler.TRANSACTION).build()).setting())
                .isEqualTo("TENANTRY_ADMIN_DATABASE_URL");
    }

    @Test
    void perRequestModeIsReadFromTheEnvironment() {
        TenantryConfig config = fromEnv("TENANTRY_MODE", "per-request");

        assertThat(config.mode()).isEqualTo(TenancyMode.PER_REQUEST);
        assertThat(config.deploymentSchema()).isSameAs(SchemaName.PUBLIC);
    }

    @ParameterizedTest
    @CsvSource({
            "per-request, PER_REQUEST",
            "PER-REQUEST, PER_REQUEST",
            "per_request, PER_REQUEST",
            "Per-Request, PER_REQUEST",
            "per-deployment, PER_DEPLOYMENT",
            "PER_DEPLOYMENT, PER_DEPLOYMENT"})
    void modeSpellingsAreAccepted(String value, TenancyMode expected) {
        assertThat(fromEnv("TENANTRY_MODE", value).mode()).isEqualTo(expected);
        assertThat(TenancyMode.parse("TENANTRY_MODE", "  " + value + " ")).isEqualTo(expected);
    }

    @Test
    void modeSettingSpellings() {
        assertThat(TenancyMode.PER_DEPLOYMENT.setting()).isEqualTo("per-deployment");
        assertThat(TenancyMode.PER_REQUEST.setting()).isEqualTo("per-request");
    }

    @Test
    void userAndPasswordComeFromTheUrlUnlessOverridden() {
        TenantryConfig fromUrl = fromEnv("DATABASE_URL", "postgresql://alice:" + SECRET + "@host/db");
        TenantryConfig overridden = fromEnv("DATABASE_URL", "postgresql://alice:" + SECRET + "@host/db",
                "DATABASE_USER", "bob", "DATABASE_PASSWORD", "other");

        assertThat(fromUrl.user()).isEqualTo("alice");
        assertThat(fromUrl.password()).isEqualTo(SECRET);
        assertThat(overridden.user()).isEqualTo("bob");
        assertThat(overridden.password()).isEqualTo("other");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void emptyDatabaseSchemaMeansPublic(String value) {
        TenantryConfig config = fromEnv("DATABASE_SCHEMA", value);

        assertThat(config.deploymentSchema()).isSameAs(SchemaName.PUBLIC);
    }

    @Test
    void emptyDatabaseSchemaIsAllowedInPerRequestMode() {
        TenantryConfig config = fromEnv("DATABASE_SCHEMA", "", "TENANTRY_MODE", "per-request");

        assertThat(config.mode()).isEqualTo(TenancyMode.PER_REQUEST);
    }

    @Test
    void emptyValuesCountAsUnset() {
        TenantryConfig config = fromEnv("TENANTRY_POOL_MAX_SIZE", "", "TENANTRY_MODE", " ",
                "TENANTRY_POOL_ACQUIRE_TIMEOUT", "", "DATABASE_USER", "", "TENANTRY_APPLICATION_NAME", "  ");

        assertThat(config.poolMaxSize()).isEqualTo(30);
        assertThat(config.mode()).isEqualTo(TenancyMode.PER_DEPLOYMENT);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.user()).isNull();
        assertThat(config.applicationName()).isEqualTo("tenantry");
    }

    @Test
    void emptyDatabaseUrlCountsAsMissing() {
        Map<String, String> env = env();
        env.put("DATABASE_URL", "   ");

        InvalidConfigurationException e = refused(() -> TenantryConfig.builder().environment(env).build());

        assertThat(e.setting()).isEqualTo("DATABASE_URL");
        assertThat(e.getMessage()).contains("is not set");
    }

    @Test
    void valuesAreStripped() {
        TenantryConfig config = fromEnv("DATABASE_SCHEMA", "  prod ", "TENANTRY_POOL_MAX_SIZE", " 12 ",
                "TENANTRY_POOL_ACQUIRE_TIMEOUT", " 5s ");

        assertThat(config.deploymentSchema().value()).isEqualTo("prod");
        assertThat(config.poolMaxSize()).isEqualTo(12);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @CsvSource({
            "true, true", "TRUE, true", "yes, true", "on, true", "1, true",
            "false, false", "False, false", "no, false", "off, false", "0, false"})
    void autoProvisionSpellings(String value, boolean expected) {
        assertThat(fromEnv("TENANTRY_AUTO_PROVISION", value).autoProvision()).isEqualTo(expected);
    }

    @Test
    void requireSchemaIsOffUnlessSet() {
        assertThat(fromEnv().requireSchema()).isFalse();
        assertThat(fromEnv("TENANTRY_REQUIRE_SCHEMA", "true").requireSchema()).isTrue();
        assertThat(TenantryConfig.builder().databaseUrl(URL).requireSchema(true).build().requireSchema()).isTrue();
        assertThat(fromEnv("TENANTRY_REQUIRE_SCHEMA", "yes").toBuilder().build().requireSchema()).isTrue();
        assertThat(refusedEnv("TENANTRY_REQUIRE_SCHEMA", "maybe").setting()).isEqualTo("TENANTRY_REQUIRE_SCHEMA");
    }

    @ParameterizedTest
    @CsvSource({
            "500ms, PT0.5S",
            "30s, PT30S",
            "10m, PT10M",
            "1h, PT1H",
            "2d, PT48H",
            "PT30S, PT30S",
            "pt1m30s, PT1M30S",
            "45S, PT45S",
            "'10 s', PT10S",
            "1500MS, PT1.5S"})
    void durationSpellings(String value, Duration expected) {
        assertThat(fromEnv("TENANTRY_POOL_ACQUIRE_TIMEOUT", value).acquireTimeout()).isEqualTo(expected);
    }

    @Test
    void durationsApplyToEveryDurationSetting() {
        TenantryConfig config = fromEnv(
                "TENANTRY_POOL_MAX_LIFETIME", "30m",
                "TENANTRY_POOL_KEEPALIVE", "60s",
                "TENANTRY_POOL_IDLE_TIMEOUT", "PT10S",
                "TENANTRY_CONNECT_TIMEOUT", "1000ms");

        assertThat(config.maxLifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.keepalive()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    // ---- refusals name the variable ----

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("TENANTRY_POOL_MAX_SIZE", "abc"),
                Arguments.of("TENANTRY_POOL_MAX_SIZE", "0"),
                Arguments.of("TENANTRY_POOL_MAX_SIZE", "-1"),
                Arguments.of("TENANTRY_POOL_MAX_SIZE", "10001"),
                Arguments.of("TENANTRY_POOL_MAX_SIZE", "1.5"),
                Arguments.of("TENANTRY_POOL_MAX_SIZE", "99999999999"),
                Arguments.of("TENANTRY_POOL_MIN_IDLE", "-1"),
                Arguments.of("TENANTRY_POOL_MIN_IDLE", "two"),
                Arguments.of("TENANTRY_POOL_ACQUIRE_TIMEOUT", "soon"),
                Arguments.of("TENANTRY_POOL_ACQUIRE_TIMEOUT", "30"),
                Arguments.of("TENANTRY_POOL_ACQUIRE_TIMEOUT", "30 seconds"),
                Arguments.of("TENANTRY_POOL_ACQUIRE_TIMEOUT", "-5s"),
                Arguments.of("TENANTRY_POOL_ACQUIRE_TIMEOUT", "PT-5S"),
                Arguments.of("TENANTRY_POOL_ACQUIRE_TIMEOUT", "100ms"),
                Arguments.of("TENANTRY_POOL_ACQUIRE_TIMEOUT", "0s"),
                Arguments.of("TENANTRY_POOL_MAX_LIFETIME", "forever"),
                Arguments.of("TENANTRY_POOL_MAX_LIFETIME", "10s"),
                Arguments.of("TENANTRY_POOL_KEEPALIVE", "5s"),
                Arguments.of("TENANTRY_POOL_KEEPALIVE", "often"),
                Arguments.of("TENANTRY_POOL_IDLE_TIMEOUT", "1s"),
                Arguments.of("TENANTRY_CONNECT_TIMEOUT", "500ms"),
                Arguments.of("TENANTRY_CONNECT_TIMEOUT", "never"),
                Arguments.of("TENANTRY_STATEMENT_CACHE", "-1"),
                Arguments.of("TENANTRY_STATEMENT_CACHE", "lots"),
                Arguments.of("TENANTRY_STATEMENT_CACHE", "1000001"),
                Arguments.of("TENANTRY_POOLER", "pgbouncer"),
                Arguments.of("TENANTRY_POOLER", "none"),
                Arguments.of("TENANTRY_MODE", "sideways"),
                Arguments.of("TENANTRY_MODE", "perrequest"),
                Arguments.of("TENANTRY_MODE", "shared"),
                Arguments.of("TENANTRY_AUTO_PROVISION", "maybe"),
                Arguments.of("TENANTRY_AUTO_PROVISION", "2"),
                Arguments.of("DATABASE_SCHEMA", "Prod"),
                Arguments.of("DATABASE_SCHEMA", "pg_catalog"),
                Arguments.of("DATABASE_SCHEMA", "information_schema"),
                Arguments.of("DATABASE_SCHEMA", "my-schema"),
                Arguments.of("DATABASE_SCHEMA", "prod;drop schema public"),
                Arguments.of("DATABASE_SCHEMA", "a".repeat(64)),
                Arguments.of("DATABASE_SCHEMA", "tenantry"),
                Arguments.of("TENANTRY_SHARED_SCHEMA", "public"),
                Arguments.of("TENANTRY_SHARED_SCHEMA", "Tenantry"),
                Arguments.of("TENANTRY_SHARED_SCHEMA", "pg_meta"),
                Arguments.of("TENANTRY_APPLICATION_NAME", "x".repeat(64)),
                Arguments.of("DATABASE_URL", "mysql://u:p@host/db"),
                Arguments.of("DATABASE_URL", "postgresql://u:p@host:abc/db"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValueIsRefusedNamingItsVariable(String variable, String value) {
        InvalidConfigurationException e = refusedEnv(variable, value);

        assertThat(e.setting()).isEqualTo(variable);
    }

    @Test
    void badNumberMessageShowsTheValueAndTheRange() {
        InvalidConfigurationException e = refusedEnv("TENANTRY_POOL_MAX_SIZE", "abc");

        assertThat(e.getMessage()).isEqualTo("TENANTRY_POOL_MAX_SIZE: 'abc' is not a whole number from 1 to 10000");
    }

    @Test
    void badDurationMessageShowsTheValueAndExamples() {
        InvalidConfigurationException e = refusedEnv("TENANTRY_POOL_ACQUIRE_TIMEOUT", "soon");

        assertThat(e.getMessage()).contains("'soon'").contains("500ms").contains("PT30S");
    }

    @Test
    void badModeMessageShowsTheValue() {
        assertThat(refusedEnv("TENANTRY_MODE", "sideways").getMessage()).contains("'sideways'").contains("per-request");
    }

    @Test
    void badSchemaMessageShowsTheValue() {
        assertThat(refusedEnv("DATABASE_SCHEMA", "Prod").getMessage()).contains("'Prod'");
    }

    @Test
    void minIdleLargerThanMaxSizeIsRefused() {
        InvalidConfigurationException e = refusedEnv("TENANTRY_POOL_MIN_IDLE", "10", "TENANTRY_POOL_MAX_SIZE", "5");

        assertThat(e.setting()).isEqualTo("TENANTRY_POOL_MIN_IDLE");
        assertThat(e.getMessage()).contains("10").contains("5").contains("TENANTRY_POOL_MAX_SIZE");
    }

    @Test
    void minIdleEqualToMaxSizeIsAccepted() {
        TenantryConfig config = fromEnv("TENANTRY_POOL_MIN_IDLE", "5", "TENANTRY_POOL_MAX_SIZE", "5");

        assertThat(config.poolMinIdle()).isEqualTo(5);
        assertThat(config.poolMaxSize()).isEqualTo(5);
    }

    @Test
    void minIdleZeroIsAccepted() {
        assertThat(fromEnv("TENANTRY_POOL_MIN_IDLE", "0").poolMinIdle()).isZero();
    }

    @Test
    void keepaliveEqualToMaxLifetimeIsRefused() {
        InvalidConfigurationException e = refusedEnv("TENANTRY_POOL_KEEPALIVE", "1h", "TENANTRY_POOL_MAX_LIFETIME", "1h");

        assertThat(e.setting()).isEqualTo("TENANTRY_POOL_KEEPALIVE");
        assertThat(e.getMessage()).contains("TENANTRY_POOL_MAX_LIFETIME");
    }

    @Test
    void keepaliveLongerThanMaxLifetimeIsRefused() {
        assertThat(refusedEnv("TENANTRY_POOL_KEEPALIVE", "2h").setting()).isEqualTo("TENANTRY_POOL_KEEPALIVE");
        assertThat(refusedEnv("TENANTRY_POOL_MAX_LIFETIME", "60s").setting()).isEqualTo("TENANTRY_POOL_KEEPALIVE");
    }

    @Test
    void missingDatabaseUrlIsRefused() {
        InvalidConfigurationException e = refused(() -> TenantryConfig.builder().environment(Map.of()).build());

        assertThat(e.setting()).isEqualTo("DATABASE_URL");
        assertThat(e.getMessage()).contains("is not set");
    }

    @Test
    void missingDatabaseUrlIsRefusedFromCodeToo() {
        assertThat(refused(() -> TenantryConfig.builder().build()).setting()).isEqualTo("DATABASE_URL");
    }

    @Test
    void databaseSchemaWithPerRequestModeIsRefused() {
        InvalidConfigurationException e = refusedEnv("DATABASE_SCHEMA", "prod", "TENANTRY_MODE", "per-request");

        assertThat(e.setting()).isEqualTo("DATABASE_SCHEMA");
        assertThat(e.getMessage()).contains("'prod'").contains("TENANTRY_MODE=per-request");
    }

    @Test
    void deploymentSchemaEqualToSharedSchemaIsRefused() {
        InvalidConfigurationException e = refusedEnv("DATABASE_SCHEMA", "meta", "TENANTRY_SHARED_SCHEMA", "meta");

        assertThat(e.setting()).isEqualTo("DATABASE_SCHEMA");
        assertThat(e.getMessage()).contains("TENANTRY_SHARED_SCHEMA");
    }

    @Test
    void sharedSchemaEqualToUnusedDeploymentSchemaIsFineInPerRequestMode() {
        TenantryConfig config = fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_SHARED_SCHEMA", "meta");

        assertThat(config.sharedSchema().value()).isEqualTo("meta");
    }

    @Test
    void environmentNullIsRefused() {
        assertThatNullPointerException().isThrownBy(() -> TenantryConfig.builder().environment(null));
    }

    // ---- code and environment together ----

    @Test
    void codeOverridesAppliedAfterEnvironmentWin() {
        TenantryConfig config = TenantryConfig.builder()
                .environment(env("TENANTRY_POOL_MAX_SIZE", "10", "TENANTRY_POOL_ACQUIRE_TIMEOUT", "5s",
                        "DATABASE_USER", "envuser", "TENANTRY_AUTO_PROVISION", "true"))
                .poolMaxSize(50)
                .acquireTimeout(Duration.ofSeconds(7))
                .user("codeuser")
                .autoProvision(false)
                .databaseUrl("postgresql://x:y@other:5433/otherdb")
                .build();

        assertThat(config.poolMaxSize()).isEqualTo(50);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(config.user()).isEqualTo("codeuser");
        assertThat(config.autoProvision()).isFalse();
        assertThat(config.databaseUrl().jdbcUrl()).isEqualTo("jdbc:postgresql://other:5433/otherdb");
        assertThat(config.password()).isEqualTo("y");
    }

    @Test
    void environmentAppliedAfterCodeWins() {
        TenantryConfig config = TenantryConfig.builder()
                .poolMaxSize(50)
                .environment(env("TENANTRY_POOL_MAX_SIZE", "10"))
                .build();

        assertThat(config.poolMaxSize()).isEqualTo(10);
    }

    @Test
    void codeCanSwitchAnEnvironmentSchemaToPerRequest() {
        TenantryConfig config = TenantryConfig.builder()
                .environment(env("DATABASE_SCHEMA", "prod"))
                .deploymentSchema(null)
                .perRequest()
                .build();

        assertThat(config.mode()).isEqualTo(TenancyMode.PER_REQUEST);
        assertThat(config.deploymentSchema()).isSameAs(SchemaName.PUBLIC);
    }

    @Test
    void perDeploymentPinsTheSchema() {
        TenantryConfig config = TenantryConfig.builder().databaseUrl(URL).perRequest().perDeployment("stage").build();

        assertThat(config.mode()).isEqualTo(TenancyMode.PER_DEPLOYMENT);
        assertThat(config.deploymentSchema().value()).isEqualTo("stage");
        assertThat(TenantryConfig.builder().databaseUrl(URL).perDeployment("").build().deploymentSchema())
                .isSameAs(SchemaName.PUBLIC);
        assertThat(TenantryConfig.builder().databaseUrl(URL).perDeployment(null).build().deploymentSchema())
                .isSameAs(SchemaName.PUBLIC);
    }

    @Test
    void codeSettersValidateAtOnceNamingTheVariable() {
        TenantryConfig.Builder b = TenantryConfig.builder();

        assertThat(refused(() -> b.poolMaxSize(0)).setting()).isEqualTo("TENANTRY_POOL_MAX_SIZE");
        assertThat(refused(() -> b.poolMaxSize(10_001)).setting()).isEqualTo("TENANTRY_POOL_MAX_SIZE");
        assertThat(refused(() -> b.poolMinIdle(-1)).setting()).isEqualTo("TENANTRY_POOL_MIN_IDLE");
        assertThat(refused(() -> b.acquireTimeout(null)).setting()).isEqualTo("TENANTRY_POOL_ACQUIRE_TIMEOUT");
        assertThat(refused(() -> b.acquireTimeout(Duration.ofMillis(249))).setting())
                .isEqualTo("TENANTRY_POOL_ACQUIRE_TIMEOUT");
        assertThat(refused(() -> b.maxLifetime(Duration.ofSeconds(29))).setting()).isEqualTo("TENANTRY_POOL_MAX_LIFETIME");
        assertThat(refused(() -> b.keepalive(Duration.ofSeconds(29))).setting()).isEqualTo("TENANTRY_POOL_KEEPALIVE");
        assertThat(refused(() -> b.idleTimeout(Duration.ofSeconds(9))).setting()).isEqualTo("TENANTRY_POOL_IDLE_TIMEOUT");
        assertThat(refused(() -> b.connectTimeout(Duration.ofMillis(999))).setting()).isEqualTo("TENANTRY_CONNECT_TIMEOUT");
        assertThat(refused(() -> b.applicationName("")).setting()).isEqualTo("TENANTRY_APPLICATION_NAME");
        assertThat(refused(() -> b.applicationName(null)).setting()).isEqualTo("TENANTRY_APPLICATION_NAME");
        assertThat(refused(() -> b.deploymentSchema("Prod")).setting()).isEqualTo("DATABASE_SCHEMA");
        assertThat(refused(() -> b.sharedSchema(null)).setting()).isEqualTo("TENANTRY_SHARED_SCHEMA");
        assertThat(refused(() -> b.sharedSchema("public")).setting()).isEqualTo("TENANTRY_SHARED_SCHEMA");
        assertThat(refused(() -> b.databaseUrl("nope")).setting()).isEqualTo("DATABASE_URL");
        assertThatNullPointerException().isThrownBy(() -> b.mode(null));
    }

    @Test
    void minimumDurationsAreAccepted() {
        TenantryConfig config = TenantryConfig.builder().databaseUrl(URL)
                .acquireTimeout(Duration.ofMillis(250))
                .maxLifetime(Duration.ofSeconds(31))
                .keepalive(Duration.ofSeconds(30))
                .idleTimeout(Duration.ofSeconds(10))
                .connectTimeout(Duration.ofSeconds(1))
                .build();

        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.keepalive()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void toBuilderCopiesEverySetting() {
        TenantryConfig original = fromEnv("DATABASE_URL", "postgresql://alice:" + SECRET + "@host/db",
                "DATABASE_SCHEMA", "prod", "TENANTRY_POOL_MAX_SIZE", "7", "TENANTRY_POOL_MIN_IDLE", "1",
                "TENANTRY_AUTO_PROVISION", "no", "TENANTRY_APPLICATION_NAME", "web",
                "TENANTRY_POOL_IDLE_TIMEOUT", "1m");

        TenantryConfig copy = original.toBuilder().build();
        TenantryConfig changed = original.toBuilder().poolMaxSize(9).build();

        assertThat(copy.databaseUrl()).isSameAs(original.databaseUrl());
        assertThat(copy.user()).isEqualTo("alice");
        assertThat(copy.password()).isEqualTo(SECRET);
        assertThat(copy.deploymentSchema()).isEqualTo(original.deploymentSchema());
        assertThat(copy.poolMaxSize()).isEqualTo(7);
        assertThat(copy.poolMinIdle()).isEqualTo(1);
        assertThat(copy.autoProvision()).isFalse();
        assertThat(copy.applicationName()).isEqualTo("web");
        assertThat(copy.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(changed.poolMaxSize()).isEqualTo(9);
        assertThat(changed.deploymentSchema().value()).isEqualTo("prod");
    }

    @Test
    void toBuilderOfPinnedSchemaStillRefusesPerRequest() {
        TenantryConfig pinned = fromEnv("DATABASE_SCHEMA", "prod");

        assertThat(refused(() -> pinned.toBuilder().perRequest().build()).setting()).isEqualTo("DATABASE_SCHEMA");
    }

    // ---- the password stays secret ----

    @Test
    void toStringNeverContainsThePassword() {
        TenantryConfig fromUrl = fromEnv("DATABASE_URL", "postgresql://alice:" + SECRET + "@host/db?sslmode=require");
        TenantryConfig fromVariable = fromEnv("DATABASE_PASSWORD", SECRET);
        TenantryConfig fromQuery = fromEnv("DATABASE_URL", "jdbc:postgresql://host/db?user=a&password=" + SECRET);

        assertThat(fromUrl.password()).isEqualTo(SECRET);
        assertThat(fromVariable.password()).isEqualTo(SECRET);
        assertThat(fromQuery.password()).isNull();
        assertThat(fromQuery.databaseUrl().jdbcUrl()).contains(SECRET);
        for (TenantryConfig config : new TenantryConfig[] {fromUrl, fromVariable, fromQuery}) {
            assertThat(config.toString()).doesNotContain(SECRET);
        }
    }

    @Test
    void toStringDescribesTheSettings() {
        TenantryConfig perDeployment = fromEnv("DATABASE_SCHEMA", "prod");
        TenantryConfig perRequest = fromEnv("TENANTRY_MODE", "per-request");

        assertThat(perDeployment.toString()).contains("mode=per-deployment").contains("schema=prod")
                .contains("sharedSchema=tenantry").contains("pool=2..30").contains(URL);
        assertThat(perRequest.toString()).contains("mode=per-request").doesNotContain("schema=public");
    }

    @Test
    void databaseUrlErrorFromEnvironmentNeverContainsThePassword() {
        InvalidConfigurationException e = refusedEnv("DATABASE_URL", "postgresql://alice:" + SECRET + "@host:99999/db",
                "DATABASE_PASSWORD", SECRET);

        assertThat(e.setting()).isEqualTo("DATABASE_URL");
        assertThat(e.getMessage()).doesNotContain(SECRET);
    }
}
