package dev.tenantry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code TENANTRY_POOL_LANES}, {@code TENANTRY_POOL_SPILL_AFTER} and {@code TENANTRY_POOL_TENANTS_PER_CONNECTION}:
 * defaults, and the values refused.
 */
class PoolLanesSettingsTest {

    private static TenantryConfig fromEnv(String... keysAndValues) {
        Map<String, String> env = new HashMap<>();
        env.put(TenantryConfig.DATABASE_URL, "jdbc:postgresql://localhost:5432/app");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            env.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return TenantryConfig.builder().environment(env).build();
    }

    private static InvalidConfigurationException refused(String... keysAndValues) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> fromEnv(keysAndValues));
        assertThat(e).as("expected an InvalidConfigurationException").isNotNull();
        return e;
    }

    @ParameterizedTest(name = "pool {0} -> {1} lanes")
    @CsvSource({"1, 1", "4, 1", "7, 1", "8, 2", "10, 2", "16, 4", "30, 5", "50, 7", "100, 10", "1000, 31"})
    void lanesAreDerivedFromThePoolSizePerRequest(int poolSize, int lanes) {
        TenantryConfig config = fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_MAX_SIZE", Integer.toString(poolSize));

        assertThat(config.poolLanes()).isEqualTo(lanes);
        assertThat(poolSize / lanes).as("connections per lane").isGreaterThanOrEqualTo(Math.min(poolSize, 4));
    }

    @Test
    void perDeploymentThePoolIsOneLane() {
        assertThat(fromEnv("TENANTRY_POOL_MAX_SIZE", "100").poolLanes()).isEqualTo(1);
        assertThat(fromEnv("TENANTRY_POOL_LANES", "1").poolLanes()).isEqualTo(1);
    }

    @Test
    void aSetNumberOfLanesWinsAndOneIsTodaysSinglePool() {
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_LANES", "1").poolLanes()).isEqualTo(1);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_MAX_SIZE", "4", "TENANTRY_POOL_LANES", "4")
                .poolLanes()).isEqualTo(4);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_LANES", "3").toBuilder().build().poolLanes())
                .as("kept by toBuilder").isEqualTo(3);
    }

    @Test
    void moreLanesThanConnectionsAreRefusedWithTheValue() {
        InvalidConfigurationException e = refused("TENANTRY_MODE", "per-request", "TENANTRY_POOL_MAX_SIZE", "4",
                "TENANTRY_POOL_LANES", "5");

        assertThat(e.setting()).isEqualTo(TenantryConfig.POOL_LANES);
        assertThat(e.getMessage()).contains("5 lanes", "4 connections", "TENANTRY_POOL_MAX_SIZE");
    }

    @Test
    void badLaneValuesAreRefusedWithTheValue() {
        assertThat(refused("TENANTRY_MODE", "per-request", "TENANTRY_POOL_LANES", "0").getMessage())
                .startsWith("TENANTRY_POOL_LANES: ").contains("'0'");
        assertThat(refused("TENANTRY_MODE", "per-request", "TENANTRY_POOL_LANES", "many").getMessage())
                .startsWith("TENANTRY_POOL_LANES: ").contains("'many'");
        assertThat(refused("TENANTRY_POOL_TENANTS_PER_CONNECTION", "-1").getMessage())
                .startsWith("TENANTRY_POOL_TENANTS_PER_CONNECTION: ").contains("'-1'");
    }

    @Test
    void severalLanesPerDeploymentAreRefused() {
        InvalidConfigurationException e = refused("TENANTRY_POOL_LANES", "2");

        assertThat(e.setting()).isEqualTo(TenantryConfig.POOL_LANES);
        assertThat(e.getMessage()).contains("2 lanes", "per deployment");
    }

    @Test
    void theTenantsAStatementCacheHoldsFollowTheCacheAndAreZeroWhereTheDriverDecides() {
        assertThat(fromEnv("TENANTRY_MODE", "per-request").statementCacheTenants())
                .as("pool of 30: 1,092 statements, 4 a tenant").isEqualTo(273);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_STATEMENT_CACHE", "40").statementCacheTenants())
                .isEqualTo(10);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_STATEMENT_CACHE", "2").statementCacheTenants())
                .as("at least one").isEqualTo(1);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_STATEMENT_CACHE", "0").statementCacheTenants())
                .as("nothing prepared anyway").isZero();
        assertThat(fromEnv("TENANTRY_MODE", "per-deployment").statementCacheTenants()).as("one tenant's texts").isZero();
        assertThat(fromEnv("TENANTRY_MODE", "per-request",
                "DATABASE_URL", "postgresql://localhost/app?prepareThreshold=3").statementCacheTenants())
                .as("the user's own threshold is left alone").isZero();
    }

    @Test
    void theTenantBoundIsOffByDefaultAndSizesTheStatementCacheWhenSet() {
        assertThat(fromEnv("TENANTRY_MODE", "per-request").tenantsPerConnection()).isZero();

        TenantryConfig bounded = fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_MAX_SIZE", "4",
                "TENANTRY_POOL_TENANTS_PER_CONNECTION", "200");
        assertThat(bounded.tenantsPerConnection()).isEqualTo(200);
        assertThat(bounded.statementCache()).as("200 tenants' worth of statements").isEqualTo(800);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_TENANTS_PER_CONNECTION", "10").statementCache())
                .as("never fewer than pgjdbc's 256").isEqualTo(256);
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_TENANTS_PER_CONNECTION", "10",
                "TENANTRY_STATEMENT_CACHE", "2000").statementCache()).as("a set cache wins").isEqualTo(2000);
    }

    @Test
    void spillOverWaitsTwentyMillisecondsByDefaultAndZeroSpillsAtOnce() {
        assertThat(fromEnv("TENANTRY_MODE", "per-request").poolSpillAfter()).isEqualTo(Duration.ofMillis(20));
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_SPILL_AFTER", "0").poolSpillAfter()).isZero();
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_SPILL_AFTER", "250ms").toBuilder().build()
                .poolSpillAfter()).as("kept by toBuilder").isEqualTo(Duration.ofMillis(250));
        assertThat(fromEnv("TENANTRY_MODE", "per-request", "TENANTRY_POOL_MAX_SIZE", "16").toString())
                .contains("4 lanes", "spillAfter=PT0.02S");
    }

    @Test
    void aNegativeOrUnreadableSpillOverWaitIsRefusedWithTheValue() {
        assertThat(refused("TENANTRY_POOL_SPILL_AFTER", "PT-1S").getMessage())
                .startsWith("TENANTRY_POOL_SPILL_AFTER: ").contains("PT-1S", "shorter than the minimum");
        assertThat(refused("TENANTRY_POOL_SPILL_AFTER", "soon").getMessage())
                .startsWith("TENANTRY_POOL_SPILL_AFTER: ").contains("'soon'");
    }
}
