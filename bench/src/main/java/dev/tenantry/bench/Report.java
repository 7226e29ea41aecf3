package dev.tenantry.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The results as a text table, a Markdown table and a JSON array. */
final class Report {

    private Report() {
    }

    static void printTable(List<Measurement> measurements, PrintStream out) {
        String format = "  %-24s %10s %7s %9s %9s %7s %6s %9s %11s %13s  %s%n";
        String group = null;
        for (Measurement m : measurements) {
            String heading = String.format(Locale.ROOT, "%,d tenant%s · %s (%s) · %d thread%s", m.tenants(),
                    m.tenants() == 1 ? "" : "s", m.workload().key(), m.workload().description(), m.threads(),
                    m.threads() == 1 ? "" : "s");
            if (!heading.equals(group)) {
                group = heading;
                out.println();
                out.println(heading);
                out.printf(Locale.ROOT, format, "strategy", "ops/s", "ratio", "p50 µs", "p99 µs", "RT/tx", "conns",
                        "heap MiB", "server MiB", "CPU µs/tx", "");
            }
            out.printf(Locale.ROOT, format, m.strategy().key(), number(m.opsPerSec(), "%,.0f"), number(m.ratioToBaseline(), "%.3f"),
                    number(m.p50us(), "%,.0f"), number(m.p99us(), "%,.0f"), number(m.roundTripsPerTx(), "%.2f"),
                    m.poolConnections() == null ? "-" : m.poolConnections().toString(), number(m.heapMb(), "%.1f"),
                    number(m.serverMb(), "%.1f"), cpu(m), m.error() == null ? "" : "FAILED: " + m.error());
        }
    }

    /** Client and server CPU per transaction, as "client + server"; "-" when not measured. */
    private static String cpu(Measurement m) {
        if (m.clientCpuUs() == null) {
            return "-";
        }
        return number(m.clientCpuUs(), "%,.0f") + " + " + number(m.serverCpuUs(), "%,.0f");
    }

    static String markdown(List<Measurement> measurements) {
        StringBuilder md = new StringBuilder();
        md.append("| tenants | workload | threads | strategy | ops/s | middle half of rounds | ratio to baseline"
                + " | p50 µs | p99 µs | round trips / tx | pool connections | heap MiB | server MiB"
                + " | CPU µs / tx, client + server |\n");
        md.append("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : measurements) {
            boolean tenantry = m.strategy() == StrategyName.TENANTRY_PER_REQUEST;
            String strategy = tenantry ? "**" + m.strategy().key() + "**" : m.strategy().key();
            String spread = m.opsPerSecQ1() == null ? "-"
                    : number(m.opsPerSecQ1(), "%,.0f") + "–" + number(m.opsPerSecQ3(), "%,.0f");
            md.append(String.format(Locale.ROOT, "| %,d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    m.tenants(), m.workload().key(), m.threads(), strategy,
                    m.error() != null ? "failed: " + m.error().replace("|", "\\|") : number(m.opsPerSec(), "%,.0f"),
                    spread, number(m.ratioToBaseline(), "%.3f"), number(m.p50us(), "%,.0f"), number(m.p99us(), "%,.0f"),
                    number(m.roundTripsPerTx(), "%.2f"),
                    m.poolConnections() == null ? "–" : m.poolConnections().toString(), number(m.heapMb(), "%.1f"),
                    number(m.serverMb(), "%.1f"), cpu(m)));
        }
        return md.toString();
    }

    /**
     * Cells too noisy to conclude from: where {@code tenantry-per-deployment}, which is the baseline's own design
     * behind Tenantry's API and so should measure about 1.0, strays more than 10% from the baseline. With one
     * round of short windows ({@code --quick}) that happens often; the lines say which cells it is.
     */
    static List<String> noise(List<Measurement> measurements) {
        List<String> lines = new java.util.ArrayList<>();
        for (Measurement m : measurements) {
            if (m.strategy() == StrategyName.TENANTRY_PER_DEPLOYMENT && m.ratioToBaseline() != null
                    && Math.abs(m.ratioToBaseline() - 1) > 0.10) {
                lines.add(String.format(Locale.ROOT, "%,d tenant%s, %s, %d thread%s: the control (tenantry-per-deployment)"
                                + " measured %.3f of the baseline, more than 10%% from 1: this cell's ratios are noise",
                        m.tenants(), m.tenants() == 1 ? "" : "s", m.workload().key(), m.threads(),
                        m.threads() == 1 ? "" : "s", m.ratioToBaseline()));
            }
        }
        if (lines.isEmpty() && measurements.stream().anyMatch(m -> m.strategy() == StrategyName.TENANTRY_PER_DEPLOYMENT)) {
            lines.add("the control (tenantry-per-deployment) is within 10% of the baseline in every cell");
        } else if (lines.isEmpty()) {
            lines.add("no control measured (add tenantry-per-deployment to --strategies to judge the noise)");
        }
        return lines;
    }

    /**
     * The targets, checked against the figures of this run: Tenantry per-request at the largest
     * tenant count against the baseline (with, where {@code raw-jdbc-one-schema} was measured, what the
     * tenants' schemas cost raw JDBC against one schema: the database's share of that ratio); Tenantry
     * against the schema mapper and the search_path provider on the read request, measured and as their
     * extra round trips predict; where pool-per-tenant breaks.
     */
    static List<String> targets(List<Measurement> measurements) {
        List<String> lines = new java.util.ArrayList<>();
        int most = measurements.stream().mapToInt(Measurement::tenants).max().orElse(0);
        lines.add(String.format(Locale.ROOT, "1. tenantry-per-request at %,d tenants: throughput at least 0.95 of the"
                + " baseline's, zero extra round trips per transaction", most));
        for (Measurement m : measurements) {
            if (m.strategy() != StrategyName.TENANTRY_PER_REQUEST || m.tenants() != most) {
                continue;
            }
            Measurement baseline = find(measurements, StrategyName.BASELINE, m.workload(), m.tenants(), m.threads());
            if (m.ratioToBaseline() == null || baseline == null || baseline.roundTripsPerTx() == null) {
                lines.add(String.format(Locale.ROOT, "   %-4s %d thread%s: not measured (%s)", m.workload().key(),
                        m.threads(), m.threads() == 1 ? " " : "s", m.error()));
                continue;
            }
            double extra = m.roundTripsPerTx() - baseline.roundTripsPerTx();
            lines.add(String.format(Locale.ROOT, "   %-4s %d thread%s: ratio %.3f (%s), round trips %.3f vs %.3f,"
                            + " extra %.3f (%s)", m.workload().key(), m.threads(), m.threads() == 1 ? " " : "s",
                    m.ratioToBaseline(), m.ratioToBaseline() >= 0.95 ? "met" : "MISSED", m.roundTripsPerTx(),
                    baseline.roundTripsPerTx(), extra, Math.abs(extra) < 0.0005 ? "met" : "MISSED"));
            Measurement floor = find(measurements, StrategyName.RAW_JDBC, m.workload(), m.tenants(), m.threads());
            Measurement floorInOneSchema = find(measurements, StrategyName.RAW_JDBC_ONE_SCHEMA, m.workload(), m.tenants(),
                    m.threads());
            if (floor != null && floor.opsPerSec() != null && floorInOneSchema != null
                    && floorInOneSchema.opsPerSec() != null) {
                lines.add(String.format(Locale.ROOT, "             the schemas' own cost, measured without an ORM:"
                        + " raw-jdbc at %.3f of raw-jdbc-one-schema", floor.opsPerSec() / floorInOneSchema.opsPerSec()));
            }
        }
        lines.add("2. read request: tenantry-per-request against hibernate-schema-mapper and search-path-provider;"
                + " predicted = their round trips / Tenantry's");
        for (Measurement m : measurements) {
            if (m.strategy() != StrategyName.TENANTRY_PER_REQUEST || m.workload() != Workload.READ || m.opsPerSec() == null) {
                continue;
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "   %,5d tenants, %d thread%s:", m.tenants(),
                    m.threads(), m.threads() == 1 ? " " : "s"));
            for (StrategyName other : List.of(StrategyName.HIBERNATE_SCHEMA_MAPPER, StrategyName.SEARCH_PATH_PROVIDER)) {
                Measurement o = find(measurements, other, m.workload(), m.tenants(), m.threads());
                if (o == null || o.opsPerSec() == null) {
                    continue;
                }
                double measured = m.opsPerSec() / o.opsPerSec();
                double predicted = o.roundTripsPerTx() / m.roundTripsPerTx();
                line.append(String.format(Locale.ROOT, "  vs %s %.2fx (predicted %.2fx, %s)", other.key(), measured,
                        predicted, measured >= predicted ? "met" : "MISSED"));
            }
            lines.add(line.toString());
        }
        lines.add("3. pool-per-tenant within max_connections");
        java.util.Map<Integer, String> poolPerTenant = new java.util.TreeMap<>();
        for (Measurement m : measurements) {
            if (m.strategy() == StrategyName.POOL_PER_TENANT) {
                String outcome = m.error() != null ? "BREAKS: " + m.error()
                        : "holds (" + m.poolConnections() + " connections at most)";
                poolPerTenant.merge(m.tenants(), outcome, (a, b) -> a.startsWith("BREAKS") ? a : b);
            }
        }
        poolPerTenant.forEach((tenants, outcome) -> lines.add(String.format(Locale.ROOT, "   %,5d tenants: %s",
                tenants, outcome)));
        return lines;
    }

    private static Measurement find(List<Measurement> measurements, StrategyName strategy, Workload workload, int tenants,
                                    int threads) {
        for (Measurement m : measurements) {
            if (m.strategy() == strategy && m.workload() == workload && m.tenants() == tenants && m.threads() == threads) {
                return m;
            }
        }
        return null;
    }

    private static String number(Double value, String format) {
        return value == null || value.isNaN() ? "-" : String.format(Locale.ROOT, format, value);
    }

    static String json(List<Measurement> measurements) {
        StringBuilder json = new StringBuilder("[\n");
        for (int i = 0; i < measurements.size(); i++) {
            Measurement m = measurements.get(i);
            json.append("  {")
                    .append("\"strategy\": ").append(string(m.strategy().key()))
                    .append(", \"workload\": ").append(string(m.workload().key()))
                    .append(", \"tenants\": ").append(m.tenants())
                    .append(", \"threads\": ").append(m.threads())
                    .append(", \"ops_per_sec\": ").append(decimal(m.opsPerSec(), 1))
                    .append(", \"p50_us\": ").append(decimal(m.p50us(), 1))
                    .append(", \"p99_us\": ").append(decimal(m.p99us(), 1))
                    .append(", \"round_trips_per_tx\": ").append(decimal(m.roundTripsPerTx(), 3))
                    .append(", \"ratio_to_baseline\": ").append(decimal(m.ratioToBaseline(), 4))
                    .append(", \"ops_per_sec_q1\": ").append(decimal(m.opsPerSecQ1(), 1))
                    .append(", \"ops_per_sec_q3\": ").append(decimal(m.opsPerSecQ3(), 1))
                    .append(", \"pool_connections\": ").append(m.poolConnections() == null ? "null" : m.poolConnections())
                    .append(", \"heap_mb\": ").append(decimal(m.heapMb(), 1))
                    .append(", \"server_mb\": ").append(decimal(m.serverMb(), 1))
                    .append(", \"client_cpu_us_per_tx\": ").append(decimal(m.clientCpuUs(), 1))
                    .append(", \"server_cpu_us_per_tx\": ").append(decimal(m.serverCpuUs(), 1))
                    .append(", \"rounds\": ").append(m.rounds())
                    .append(", \"transactions\": ").append(m.transactions())
                    .append(", \"error\": ").append(m.error() == null ? "null" : string(m.error()))
                    .append('}').append(i + 1 < measurements.size() ? ",\n" : "\n");
        }
        return json.append("]\n").toString();
    }

    static void write(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private static String decimal(Double value, int places) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            return "null";
        }
        return java.math.BigDecimal.valueOf(value).setScale(places, java.math.RoundingMode.HALF_UP)
                .stripTrailingZeros().toPlainString();
    }

    static String string(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
