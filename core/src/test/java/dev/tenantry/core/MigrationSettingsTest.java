package dev.tenantry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The migration settings: modules as TENANTRY_MIGRATIONS writes them, the lock timeout and the retries. */
class MigrationSettingsTest {

    private static final String URL = "jdbc:postgresql://localhost:5432/app";

    private static TenantryConfig fromEnv(String name, String value) {
        return TenantryConfig.builder().environment(Map.of(TenantryConfig.DATABASE_URL, URL, name, value)).build();
    }

    @Test
    void theDefaultsAreSafeALockTimeoutOfTwoSecondsAndThreeRetries() {
        TenantryConfig config = TenantryConfig.builder().databaseUrl(URL).build();

        assertThat(config.migrations()).isEmpty();
        assertThat(config.migrationLockTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.migrationRetries()).isEqualTo(3);
        assertThat(config.toBuilder().build().migrationLockTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void locationsWithoutANameAreTheAppModuleWithAHistoryOfItsOwn() {
        List<MigrationModule> modules = fromEnv(TenantryConfig.MIGRATIONS, " classpath:db/myapp , filesystem:/srv/sql ").migrations();

        assertThat(modules).singleElement().satisfies(module -> {
            assertThat(module.name()).isEqualTo("app");
            assertThat(module.locations()).containsExactly("classpath:db/myapp", "filesystem:/srv/sql");
            assertThat(module.historyTable()).isEqualTo("flyway_schema_history_app");
        });
    }

    @Test
    void namedModulesKeepTheirOrderAndAModuleNamedTwiceJoinsItsLocations() {
        List<MigrationModule> modules = MigrationModule.parse("X",
                "billing=classpath:db/billing; app=classpath:db/app ;billing=filesystem:/extra");

        assertThat(modules).extracting(MigrationModule::name).containsExactly("billing", "app");
        assertThat(modules.get(0).locations()).containsExactly("classpath:db/billing", "filesystem:/extra");
        assertThat(modules.get(0).historyTable()).isEqualTo("flyway_schema_history_billing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"db/myapp", "Billing=classpath:db/b", "app=", ";", "app=http://example.com/sql", "1app=classpath:x"})
    void aModuleListThatCannotBeReadIsRefusedNamingTheSetting(String value) {
        assertThatThrownBy(() -> fromEnv(TenantryConfig.MIGRATIONS, value))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith(TenantryConfig.MIGRATIONS + ": ");
    }

    @Test
    void twoModulesCannotShareAHistoryTable() {
        assertThatThrownBy(() -> MigrationModule.merge(List.of(List.of(
                new MigrationModule("one", List.of("classpath:a"), "history"),
                new MigrationModule("two", List.of("classpath:b"), "history")))))
                .hasMessageContaining("'one' and 'two' both keep their history in history");
    }

    @Test
    void theLockTimeoutIsADurationOrZeroForNone() {
        assertThat(fromEnv(TenantryConfig.MIGRATION_LOCK_TIMEOUT, "500ms").migrationLockTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(fromEnv(TenantryConfig.MIGRATION_LOCK_TIMEOUT, "0").migrationLockTimeout()).isZero();
        assertThatThrownBy(() -> fromEnv(TenantryConfig.MIGRATION_LOCK_TIMEOUT, "5ms"))
                .hasMessageStartingWith(TenantryConfig.MIGRATION_LOCK_TIMEOUT + ": ");
        assertThatThrownBy(() -> fromEnv(TenantryConfig.MIGRATION_LOCK_TIMEOUT, "soon"))
                .hasMessageContaining("'soon' is not a duration");
        assertThatThrownBy(() -> fromEnv(TenantryConfig.MIGRATION_RETRIES, "101"))
                .hasMessageStartingWith(TenantryConfig.MIGRATION_RETRIES + ": ");
        assertThat(fromEnv(TenantryConfig.MIGRATION_RETRIES, "0").migrationRetries()).isZero();
    }
}
