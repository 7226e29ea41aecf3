package dev.tenantry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsAreTheFullRun() {
        BenchOptions options = BenchOptions.parse();
        assertThat(options.quick()).isFalse();
        assertThat(options.tenants()).containsExactly(1, 100, 1000);
        assertThat(options.threads()).containsExactly(1, 4);
        assertThat(options.rounds()).isEqualTo(10);
        assertThat(options.secondsPerWindow()).isEqualTo(0.5);
        assertThat(options.strategies()).containsExactlyElementsOf(StrategyName.byDefault())
                .doesNotContain(StrategyName.TENANTRY_TENANT_ROLES, StrategyName.RAW_JDBC_ONE_SCHEMA,
                        StrategyName.TENANTRY_SPILL_AT_ONCE, StrategyName.TENANTRY_BACKSTOP);
        assertThat(options.poolSize()).isEqualTo(4);
        assertThat(options.json()).isNull();
        assertThat(options.jdbcProperties()).isEmpty();
        assertThat(options.serverSettings()).isEmpty();
    }

    @Test
    void quickPicksSmallDefaultsThatExplicitOptionsOverrideInAnyOrder() {
        BenchOptions quick = BenchOptions.parse("--quick", "--json", "results.json");
        assertThat(quick.tenants()).containsExactly(1, 20);
        assertThat(quick.rounds()).isEqualTo(1);
        assertThat(quick.secondsPerWindow()).isEqualTo(0.25);
        assertThat(quick.json()).isEqualTo(Path.of("results.json"));

        BenchOptions overridden = BenchOptions.parse("--tenants=1000,1,100,1", "--quick", "--rounds", "3");
        assertThat(overridden.tenants()).containsExactly(1, 100, 1000);
        assertThat(overridden.rounds()).isEqualTo(3);
        assertThat(overridden.secondsPerWindow()).isEqualTo(0.25);
    }

    @Test
    void baselineAlwaysRunsFirst() {
        BenchOptions options = BenchOptions.parse("--strategies", "raw-jdbc,tenantry-per-request,raw-jdbc");
        assertThat(options.strategies()).containsExactly(StrategyName.BASELINE, StrategyName.RAW_JDBC,
                StrategyName.TENANTRY_PER_REQUEST);
    }

    @Test
    void refusesWhatItCannotUse() {
        assertThatThrownBy(() -> BenchOptions.parse("--strategies", "tenantry"))
                .hasMessageContaining("Unknown strategy 'tenantry'").hasMessageContaining("pool-per-tenant");
        assertThatThrownBy(() -> BenchOptions.parse("--tenants", "0")).hasMessageContaining("--tenants");
        assertThatThrownBy(() -> BenchOptions.parse("--threads")).hasMessageContaining("--threads needs a value");
        assertThatThrownBy(() -> BenchOptions.parse("--fast")).hasMessageContaining("Unknown option '--fast'");
        assertThatThrownBy(() -> BenchOptions.parse("--seconds-per-window", "0")).hasMessageContaining("more than 0");
        assertThatThrownBy(() -> BenchOptions.parse("--threads", "16")).hasMessageContaining("--users-per-tenant");
        assertThatThrownBy(() -> BenchOptions.parse("--jdbc-properties", "sslmode=require"))
                .hasMessageContaining("cannot set sslmode");
    }

    @Test
    void jdbcPropertiesAreKeptAsAQueryString() {
        assertThat(BenchOptions.parse("--jdbc-properties", "?prepareThreshold=0&preparedStatementCacheQueries=512")
                .jdbcProperties()).isEqualTo("prepareThreshold=0&preparedStatementCacheQueries=512");
    }

    @Test
    void serverSettingsRepeatAndTheLastOfANameWins() {
        BenchOptions options = BenchOptions.parse("--server-setting", "autovacuum=off",
                "--server-setting=max_files_per_process=10000", "--server-setting", "autovacuum=on");
        assertThat(options.serverSettings()).containsOnly(Map.entry("autovacuum", "on"),
                Map.entry("max_files_per_process", "10000"));
    }

    @Test
    void refusesServerSettingsItCannotPassOn() {
        assertThatThrownBy(() -> BenchOptions.parse("--server-setting", "autovacuum"))
                .hasMessageContaining("NAME=VALUE").hasMessageContaining("'autovacuum'");
        assertThatThrownBy(() -> BenchOptions.parse("--server-setting", "work_mem='4MB'; drop"))
                .hasMessageContaining("NAME=VALUE");
        assertThatThrownBy(() -> BenchOptions.parse("--server-setting", "max_connections=1000"))
                .hasMessageContaining("cannot set max_connections");
    }

    @Test
    void serverSettingsWithDatabaseUrlAreAUsageErrorBeforeAnythingStarts() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int status = new Bench(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(log, true,
                StandardCharsets.UTF_8)).run(new String[] {"--server-setting", "autovacuum=off"},
                Map.of("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none"));
        assertThat(status).isEqualTo(2);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("set autovacuum on that server instead");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void helpListsEveryStrategy() {
        assertThat(BenchOptions.parse("-h").help()).isTrue();
        for (StrategyName name : StrategyName.values()) {
            assertThat(BenchOptions.USAGE).contains(name.key());
        }
    }

    @Test
    void rotationGivesEveryStrategyEveryPosition() {
        List<String> items = List.of("a", "b", "c");
        assertThat(Bench.rotated(items, 0)).containsExactly("a", "b", "c");
        assertThat(Bench.rotated(items, 1)).containsExactly("b", "c", "a");
        assertThat(Bench.rotated(items, 5)).containsExactly("c", "a", "b");
    }

    @Test
    void zipfTakesAnExponentFromZeroUp() {
        assertThat(BenchOptions.parse().zipf()).isZero();
        assertThat(BenchOptions.parse("--zipf", "1.1").zipf()).isEqualTo(1.1);
        assertThatThrownBy(() -> BenchOptions.parse("--zipf", "-1")).hasMessageContaining("--zipf must be 0");
        assertThatThrownBy(() -> BenchOptions.parse("--zipf", "skewed")).hasMessageContaining("--zipf needs a number");
    }

    @Test
    void lanesDefaultToTenantrysAndMayNotExceedThePool() {
        assertThat(BenchOptions.parse().lanes()).isZero();
        assertThat(BenchOptions.parse("--lanes", "2").lanes()).isEqualTo(2);
        assertThatThrownBy(() -> BenchOptions.parse("--lanes", "5")).hasMessageContaining("--pool-size (4)");
        assertThatThrownBy(() -> BenchOptions.parse("--lanes", "-1")).hasMessageContaining("--lanes");
    }

    @Test
    void spillAfterDefaultsToTenantrysAndTakesADuration() {
        assertThat(BenchOptions.parse().spillAfter()).isEqualTo(Duration.ofMillis(20));
        assertThat(BenchOptions.parse("--spill-after", "5ms").spillAfter()).isEqualTo(Duration.ofMillis(5));
        assertThat(BenchOptions.parse("--spill-after=0").spillAfter()).isZero();
        assertThatThrownBy(() -> BenchOptions.parse("--spill-after", "soon")).hasMessageContaining("'soon'");
        assertThatThrownBy(() -> BenchOptions.parse("--spill-after", "PT-1S")).hasMessageContaining("0 or more");
    }
}
