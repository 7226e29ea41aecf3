package dev.tenantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench runs every default strategy end to end on its own embedded PostgreSQL, and reads each one's connections and
 * server memory. Nothing here is timed: a window of 50 ms only proves that the strategy served requests.
 */
class BenchSmokeTest {

    @Test
    void everyDefaultStrategyServesRequestsAndHasItsConnectionsAndServerMemoryRead(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("results.json");
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        int status = new Bench(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(log, true, StandardCharsets.UTF_8)).run(new String[] {"--tenants", "3", "--threads", "1",
                "--rounds", "1", "--seconds-per-window", "0.05", "--warmup-seconds", "0", "--sweeps", "1",
                "--json", json.toString()}, Map.of());

        assertThat(status).as(log.toString(StandardCharsets.UTF_8)).isZero();
        List<String> records = Arrays.stream(Files.readString(json).split("\n"))
                .filter(line -> line.contains("\"strategy\"")).toList();
        List<String> defaults = StrategyName.byDefault().stream().map(StrategyName::key).toList();
        assertThat(records).as("one record per strategy and workload").hasSize(defaults.size() * Workload.values().length);
        for (String strategy : defaults) {
            assertThat(records).filteredOn(record -> record.contains("\"strategy\": \"" + strategy + "\""))
                    .as(strategy).hasSize(Workload.values().length)
                    .allSatisfy(record -> assertThat(record)
                            .contains("\"error\": null")
                            .doesNotContain("\"ops_per_sec\": null", "\"ops_per_sec\": 0.0,")
                            .doesNotContain("\"pool_connections\": null", "\"pool_connections\": 0,")
                            .doesNotContain("\"server_mb\": null"));
        }
    }
}
