package dev.tenantry.bench;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.internal.SettingParsers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The command line of the bench. {@code --quick} picks small defaults; any option given explicitly wins
 * over them, in whatever order the options come.
 */
record BenchOptions(boolean help, boolean quick, Path json, Path markdown, List<Integer> tenants, List<Integer> threads,
                    double secondsPerWindow, double warmupSeconds, int sweeps, int rounds, List<StrategyName> strategies,
                    int poolSize, int usersPerTenant, String jdbcProperties, Map<String, String> serverSettings,
                    boolean keepSchemas, boolean verbose, double zipf, Duration spillAfter, int lanes) {

    static final String USAGE = String.join("\n",
            "Usage: java -jar bench/target/tenantry-bench.jar [options]",
            "",
            "Measures what choosing the tenant per request costs, side by side with the alternatives, against",
            "the PostgreSQL that DATABASE_URL names, else an embedded one (max_connections = 100). Every figure",
            "is also given as a ratio against plain Hibernate on one schema, measured in the same run.",
            "",
            "Options:",
            "  --quick                   small and short: tenants 1,20, one round of 0.25 s windows (under a minute)",
            "  --json FILE               also write the measurements as a JSON array, one object per measurement",
            "  --markdown FILE           also write the table as Markdown",
            "  --tenants LIST            tenant counts, comma-separated (default 1,100,1000)",
            "  --threads LIST            client thread counts (default 1,4)",
            "  --seconds-per-window S    measured seconds of one window (default 0.5; quick 0.25)",
            "  --warmup-seconds S        warm-up when a strategy starts, after one request to each tenant",
            "                            (default 1; quick 0.25)",
            "  --sweeps N                warm-up passes over every tenant by every client thread, before the timed",
            "                            warm-up: each connection settles on a generic plan for a statement at its",
            "                            10th execution there (pgjdbc prepares it at the 5th, PostgreSQL plans it",
            "                            afresh 5 more times); 0 measures connections that are still cold (default "
            + Bench.SWEEPS + ")",
            "  --rounds N                rounds; each runs one window per strategy, workload and thread count,",
            "                            strategies in rotated order; throughput is the median over rounds",
            "                            (default 10; quick 1)",
            "  --strategies LIST         strategies to run (default all but the opt-in tenantry-tenant-roles and",
            "                            raw-jdbc-one-schema; baseline always runs):",
            "                            " + String.join(",", keys()),
            "  --pool-size N             connections per pool, the same for every strategy (default 4)",
            "  --users-per-tenant N      seeded users (each with one anonymous session) per tenant (default 8)",
            "  --jdbc-properties P       pgjdbc properties for every measured connection, as in a URL:",
            "                            prepareThreshold=0&preparedStatementCacheQueries=256 (default none)",
            "  --server-setting NAME=VALUE  a setting of the embedded PostgreSQL, for example autovacuum=off;",
            "                            repeat for several (default: PostgreSQL's defaults, max_connections = 100)",
            "  --zipf S                  choose each request's tenant with Zipf's law of exponent S: the tenant of",
            "                            rank k (tenant k-1) is drawn in proportion to 1/k^S, as real traffic",
            "                            concentrates on few tenants; 0 draws uniformly (default 0). Warm-up sweeps",
            "                            still visit every tenant",
            "  --spill-after D           TENANTRY_POOL_SPILL_AFTER for the Tenantry strategies with lanes, such as",
            "                            5ms; 0 spills over as soon as a lane is full (default Tenantry's, "
            + TenantryConfig.DEFAULT_POOL_SPILL_AFTER_MILLIS + "ms)",
            "  --lanes N                 TENANTRY_POOL_LANES for the Tenantry strategies with lanes (per-request,",
            "                            spill-at-once, backstop), at most --pool-size; 0 keeps Tenantry's default",
            "                            for the pool size (default 0)",
            "  --keep-schemas            with DATABASE_URL, keep the bench's schemas for the next run",
            "                            (default: drop them at the end)",
            "  --verbose                 print every window as it is measured",
            "  -h, --help                this help",
            "",
            "Environment: DATABASE_URL (jdbc:postgresql://host:port/db or postgresql://user:pass@host:port/db),",
            "DATABASE_USER, DATABASE_PASSWORD. Without DATABASE_URL an embedded PostgreSQL is started and discarded.");

    private static List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (StrategyName name : StrategyName.values()) {
            keys.add(name.key());
        }
        return keys;
    }

    static BenchOptions parse(String... args) {
        boolean help = false;
        boolean quick = false;
        boolean keepSchemas = false;
        boolean verbose = false;
        Path json = null;
        Path markdown = null;
        List<Integer> tenants = null;
        List<Integer> threads = null;
        Double seconds = null;
        Double warmup = null;
        Integer rounds = null;
        int sweeps = Bench.SWEEPS;
        List<StrategyName> strategies = null;
        int poolSize = 4;
        int usersPerTenant = 8;
        String jdbcProperties = "";
        Map<String, String> serverSettings = new LinkedHashMap<>();
        double zipf = 0;
        Duration spillAfter = null;
        int lanes = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                value = arg.substring(equals + 1);
                arg = arg.substring(0, equals);
            }
            switch (arg) {
                case "-h", "--help" -> help = true;
                case "--quick" -> quick = true;
                case "--keep-schemas" -> keepSchemas = true;
                case "--verbose" -> verbose = true;
                default -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg.startsWith("--") && isOption(arg)
                                    ? arg + " needs a value" : "Unknown option '" + arg + "'");
                        }
                        if (!isOption(arg)) {
                            throw new IllegalArgumentException("Unknown option '" + arg + "'");
                        }
                        value = args[++i];
                    }
                    switch (arg) {
                        case "--json" -> json = Path.of(value);
                        case "--markdown" -> markdown = Path.of(value);
                        case "--tenants" -> tenants = positiveInts(arg, value);
                        case "--threads" -> threads = positiveInts(arg, value);
                        case "--seconds-per-window" -> seconds = positiveSeconds(arg, value);
                        case "--warmup-seconds" -> warmup = nonNegativeSeconds(arg, value);
                        case "--rounds" -> rounds = positiveInt(arg, value);
                        case "--sweeps" -> sweeps = nonNegativeInt(arg, value);
                        case "--strategies" -> strategies = strategies(value);
                        case "--pool-size" -> poolSize = positiveInt(arg, value);
                        case "--users-per-tenant" -> usersPerTenant = positiveInt(arg, value);
                        case "--jdbc-properties" -> jdbcProperties = jdbcProperties(value);
                        case "--server-setting" -> serverSetting(value, serverSettings);
                        case "--zipf" -> zipf = zipf(arg, value);
                        case "--spill-after" -> spillAfter = spillAfter(arg, value);
                        case "--lanes" -> lanes = nonNegativeInt(arg, value);
                        default -> throw new IllegalArgumentException("Unknown option '" + arg + "'");
                    }
                }
            }
        }
        List<Integer> threadCounts = threads != null ? threads : List.of(1, 4);
        int maxThreads = threadCounts.get(threadCounts.size() - 1);
        if (usersPerTenant < maxThreads) {
            throw new IllegalArgumentException("--users-per-tenant (" + usersPerTenant + ") must be at least the largest"
                    + " thread count (" + maxThreads + "): each thread works on users of its own");
        }
        if (lanes > poolSize) {
            throw new IllegalArgumentException("--lanes (" + lanes + ") must be at most --pool-size (" + poolSize
                    + "): each lane needs a connection");
        }
        return new BenchOptions(help, quick, json, markdown,
                tenants != null ? tenants : quick ? List.of(1, 20) : List.of(1, 100, 1000),
                threadCounts,
                seconds != null ? seconds : quick ? 0.25 : 0.5,
                warmup != null ? warmup : quick ? 0.25 : 1.0,
                sweeps,
                rounds != null ? rounds : quick ? 1 : 10,
                strategies != null ? strategies : StrategyName.byDefault(),
                poolSize, usersPerTenant, jdbcProperties, Map.copyOf(serverSettings), keepSchemas, verbose, zipf,
                spillAfter != null ? spillAfter : Duration.ofMillis(TenantryConfig.DEFAULT_POOL_SPILL_AFTER_MILLIS),
                lanes);
    }

    private static double zipf(String option, String value) {
        double exponent;
        try {
            exponent = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, such as 1.1, not '" + value + "'");
        }
        if (!(exponent >= 0 && exponent <= 10)) {
            throw new IllegalArgumentException(option + " must be 0 (uniform) to 10, got " + value);
        }
        return exponent;
    }

    private static Duration spillAfter(String option, String value) {
        try {
            Duration wait = SettingParsers.duration(option, value);
            if (!wait.isNegative()) {
                return wait;
            }
        } catch (InvalidConfigurationException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes a duration of 0 or more, such as 5ms, not '" + value + "'");
    }

    private static boolean isOption(String arg) {
        return switch (arg) {
            case "--json", "--markdown", "--tenants", "--threads", "--seconds-per-window", "--warmup-seconds",
                 "--rounds", "--sweeps", "--strategies", "--pool-size", "--users-per-tenant", "--jdbc-properties",
                 "--server-setting", "--zipf", "--spill-after", "--lanes" -> true;
            default -> false;
        };
    }

    /** Sorted, without duplicates. */
    private static List<Integer> positiveInts(String option, String value) {
        Set<Integer> values = new TreeSet<>();
        for (String part : value.split(",")) {
            values.add(positiveInt(option, part.strip()));
        }
        return List.copyOf(values);
    }

    private static int positiveInt(String option, String value) {
        try {
            int number = Integer.parseInt(value.strip().replace("_", ""));
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes positive whole numbers, got '" + value + "'");
    }

    private static int nonNegativeInt(String option, String value) {
        try {
            int number = Integer.parseInt(value.strip().replace("_", ""));
            if (number >= 0 && number <= 1000) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes a whole number from 0 to 1000, got '" + value + "'");
    }

    private static double positiveSeconds(String option, String value) {
        double seconds = nonNegativeSeconds(option, value);
        if (seconds == 0) {
            throw new IllegalArgumentException(option + " must be more than 0 seconds");
        }
        return seconds;
    }

    private static double nonNegativeSeconds(String option, String value) {
        try {
            double seconds = Double.parseDouble(value.strip());
            if (seconds >= 0 && seconds <= 3600) {
                return seconds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes seconds from 0 to 3600, got '" + value + "'");
    }

    private static String jdbcProperties(String value) {
        String properties = value.strip();
        while (properties.startsWith("?") || properties.startsWith("&")) {
            properties = properties.substring(1);
        }
        for (String property : properties.split("&")) {
            if (!property.matches("[A-Za-z][A-Za-z0-9]*=[^&?#]*")) {
                throw new IllegalArgumentException("--jdbc-properties takes name=value pairs joined by &, got '" + value + "'");
            }
            if (property.startsWith("ssl") || property.startsWith("gss") || property.startsWith("socketFactory")
                    || property.startsWith("currentSchema=")) {
                throw new IllegalArgumentException("--jdbc-properties cannot set " + property.split("=")[0]
                        + ": measured connections are plain, so that their round trips can be counted, and the strategies choose schemas");
            }
        }
        return properties;
    }

    private static void serverSetting(String value, Map<String, String> settings) {
        int equals = value.indexOf('=');
        String name = equals < 0 ? "" : value.substring(0, equals).strip();
        String setting = equals < 0 ? "" : value.substring(equals + 1).strip();
        if (!name.matches("[a-z][a-z0-9_]*") || !setting.matches("[A-Za-z0-9_.:+-]+")) {
            throw new IllegalArgumentException("--server-setting takes NAME=VALUE, a PostgreSQL setting such as"
                    + " autovacuum=off or max_files_per_process=10000, got '" + value + "'");
        }
        if (name.equals("max_connections")) {
            throw new IllegalArgumentException("--server-setting cannot set max_connections: the bench keeps PostgreSQL's"
                    + " default of " + BenchServer.DEFAULT_MAX_CONNECTIONS + ", where pool-per-tenant meets its limit");
        }
        settings.put(name, setting);
    }

    /** In the order given, the baseline first: every ratio needs it, so it always runs. */
    private static List<StrategyName> strategies(String value) {
        Set<StrategyName> names = new LinkedHashSet<>();
        names.add(StrategyName.BASELINE);
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                names.add(StrategyName.of(part.strip()));
            }
        }
        return List.copyOf(names);
    }
}
