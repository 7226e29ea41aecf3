package dev.tenantry.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.Pooler;
import dev.tenantry.core.TenancyMode;
import dev.tenantry.core.TenantryConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** Every setting of {@code TenantryConfig} has its property, and properties win over the variables. */
class TenantryConfigBindingTest {

    @Test
    void everyVariableOfTenantryConfigIsBound() {
        String[] declared = Arrays.stream(TenantryConfig.class.getFields())
                .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
                .map(TenantryConfigBindingTest::value)
                .filter(v -> v.startsWith("DATABASE_") || v.startsWith("TENANTRY_"))
                .toArray(String[]::new);

        assertThat(TenantryConfigBinding.variables()).containsExactlyInAnyOrder(declared);
    }

    @Test
    void propertiesWinOverVariablesAndSpringDatasourceOverDatabaseUrl() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("DATABASE_URL", "jdbc:postgresql://env-host:5432/env")
                .withProperty("spring.datasource.url", "jdbc:postgresql://boot-host:5432/boot")
                .withProperty("TENANTRY_POOL_MAX_SIZE", "7")
                .withProperty("TENANTRY_POOL_MIN_IDLE", "1")
                .withProperty("spring.application.name", "shop");
        TenantryProperties properties = new TenantryProperties();
        properties.getPool().setMaxSize(9);
        properties.getPool().setAcquireTimeout(Duration.ofSeconds(3));
        properties.setMode(TenancyMode.PER_REQUEST);
        properties.setPooler(Pooler.SESSION);
        properties.setRequireSchema(true);

        TenantryConfig config = TenantryConfigBinding.config(properties, environment);

        assertThat(config.databaseUrl().host()).isEqualTo("boot-host");
        assertThat(config.poolMaxSize()).isEqualTo(9);
        assertThat(config.poolMinIdle()).isEqualTo(1);
        assertThat(config.acquireTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.mode()).isEqualTo(TenancyMode.PER_REQUEST);
        assertThat(config.pooler()).isEqualTo(Pooler.SESSION);
        assertThat(config.requireSchema()).isTrue();
        assertThat(config.applicationName()).isEqualTo("shop");
    }

    @Test
    void laneSettingsAreBoundFromTheirProperties() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty("spring.datasource.url", "jdbc:postgresql://boot-host:5432/boot")
                .withProperty("TENANTRY_POOL_LANES", "2");
        TenantryProperties properties = new TenantryProperties();
        properties.setMode(TenancyMode.PER_REQUEST);
        properties.getPool().setMaxSize(16);
        properties.getPool().setTenantsPerConnection(300);
        properties.getPool().setSpillAfter(Duration.ofMillis(5));

        TenantryConfig config = TenantryConfigBinding.config(properties, environment);
        assertThat(config.poolLanes()).as("from the variable").isEqualTo(2);
        assertThat(config.tenantsPerConnection()).isEqualTo(300);
        assertThat(config.poolSpillAfter()).isEqualTo(Duration.ofMillis(5));
        properties.getPool().setSpillAfter(Duration.ZERO);
        assertThat(TenantryConfigBinding.config(properties, environment).poolSpillAfter()).isZero();

        properties.getPool().setLanes(20);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> TenantryConfigBinding.config(properties, environment)))
                .hasMessageStartingWith("tenantry.pool.lanes: 20 lanes are more than the 16 connections");
    }

    private static String value(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
