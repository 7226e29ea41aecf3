package dev.tenantry.cli;

import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.MigrationOptions;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantRepair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tenantry migrate}: brings the named tenants, or all ready tenants, to the latest migration
 * version of every module (or one module to a version, up or down), each in its own transaction,
 * {@code --parallel} tenants at a time. It shows progress as it goes (a bar on a terminal, a line per tenant
 * elsewhere), then a table of the tenants that migrated or failed, a count of those already current, and a
 * summary; one failure does not stop the others but makes the exit code 1.
 */
@Command(name = "migrate",
        sortOptions = false,
        description = {"Migrate the named tenants, or all ready tenants, to the latest version.",
            "The model's migrations run first, then the application's (--migrations or TENANTRY_MIGRATIONS), each"
                + " module with a history table of its own in every tenant schema. Each module of a tenant migrates"
                + " in its own transaction. A tenant that fails is rolled back alone and the run"
                + " goes on; the exit code is then 1. A run can be repeated at any time: tenants already at the"
                + " latest version are found with one query and skipped, so a second run continues where the"
                + " first stopped. Runs started at the same time, from one machine or several, are safe: each"
                + " schema migrates under its own advisory lock, so no migration is applied twice.",
            "Every migration transaction waits at most --lock-timeout for a lock that busy requests hold; a tenant"
                + " that waited longer is rolled back, so it never stalls them, and tried again after the others,"
                + " up to --retries times.",
            "--to VERSION takes one module (the application's, or --module NAME) to that version: up, no further;"
                + " or down, with the down scripts U<version>__<description>.sql kept beside the V scripts. Every"
                + " down script every tenant needs is checked before any tenant is touched; each tenant goes down in"
                + " one transaction with its history. --snapshot takes a snapshot of each tenant before migrating it.",
            "On a terminal, progress is one line redrawn in place; otherwise (a pipe, a file, CI) one line per"
                + " tenant. The run ends with a table of the tenants that migrated or failed (with the reason),"
                + " the number already current, and a summary line.",
            "With --repair, the tenants' migration histories are repaired instead (Flyway's repair): applied"
                + " migrations edited since are realigned with their files, entries of failed migrations are removed,"
                + " and applied migrations whose files are gone are marked as deleted. Tables are not touched; run"
                + " migrate again afterwards. --all then means every tenant in the registry, ready or not.",
            "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  tenantry migrate --all                 every ready tenant, one at a time",
            "  tenantry migrate --all --parallel 8    eight tenants at a time",
            "  tenantry migrate acme globex           just these two",
            "  tenantry migrate --all --migrations classpath:db/myapp --classpath app.jar",
            "                                         the model's and the app's migrations",
            "  tenantry migrate --all --to 100 --migrations filesystem:sql",
            "                                         the app's module down (or up) to 100",
            "  tenantry migrate --all --snapshot --lock-timeout 500ms --retries 5",
            "  tenantry migrate --repair acme         acme's history, after an applied migration was edited",
            "",
            "Exit codes: 0 every tenant is at the latest version; 1 at least one tenant failed",
            "(the others are migrated); 2 bad arguments or configuration, nothing was migrated."})
public final class MigrateCommand implements Callable<Integer> {

    /** The most tenants migrated at once; each needs a database connection of its own. */
    static final int MAX_PARALLEL = 64;

    private final Cli cli;

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "<tenant>", description = "The tenants to migrate.")
    private List<String> tenants = new ArrayList<>();

    @Option(names = "--all", description = "Migrate every ready tenant in the registry.")
    private boolean all;

    @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
            description = "Migrate N tenants at a time, 1 to " + MAX_PARALLEL + " (default: ${DEFAULT-VALUE}). Each"
                    + " takes one database connection while it migrates.")
    private int parallel;

    @Option(names = "--to", paramLabel = "VERSION",
            description = "Take one module (the application's, or --module) to this version, up or down; 0 undoes all.")
    private String to;

    @Option(names = "--module", paramLabel = "NAME",
            description = "The module --to applies to (default: the application's module, app).")
    private String module;

    @Option(names = "--snapshot",
            description = "Take a snapshot of each tenant just before migrating it (restore with tenants restore).")
    private boolean snapshot;

    @Mixin
    private LockOptions lock = new LockOptions();

    @Mixin
    private AppOptions app = new AppOptions();

    @Option(names = "--repair", description = "Repair the migration histories instead of migrating: checksums and"
            + " descriptions realigned with the files, failed entries removed (Flyway's repair). Tables are not touched.")
    private boolean repair;

    @Option(names = "--progress", paramLabel = "auto|bar|lines", defaultValue = "auto",
            converter = StyleConverter.class,
            description = "How to show progress: auto (a bar on a terminal, lines otherwise), bar, or lines"
                    + " (default: ${DEFAULT-VALUE}).")
    private MigrationProgress.Style progressStyle;

    MigrateCommand(Cli cli) {
        this.cli = cli;
    }

    /** Reads {@code auto}, {@code bar} and {@code lines} in any case. */
    static final class StyleConverter implements picocli.CommandLine.ITypeConverter<MigrationProgress.Style> {
        @Override
        public MigrationProgress.Style convert(String value) {
            try {
                return MigrationProgress.Style.valueOf(value.strip().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("expected auto, bar or lines, got '" + value + "'");
            }
        }
    }

    @Override
    public Integer call() {
        if (all && !tenants.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Name tenants or use --all, not both");
        }
        if (!all && tenants.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Name the tenants to migrate, or use --all");
        }
        Cli.checkParallel(spec, parallel);
        if (module != null && to == null) {
            throw new ParameterException(spec.commandLine(), "--module names the module of --to; give --to VERSION too");
        }
        if (repair && parallel != 1) {
            throw new ParameterException(spec.commandLine(), "--repair runs one tenant at a time; leave out --parallel");
        }
        if (repair && (to != null || snapshot)) {
            throw new ParameterException(spec.commandLine(), "--repair only repairs histories; leave out --to and --snapshot");
        }
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(tenants));
        if (repair) {
            return repair(ids);
        }
        MigrationReport report;
        try (Cli.Operations operations = cli.operations(cli.config(app, lock.settings()), app)) {
            TenantProvisioning provisioning = operations.provisioning();
            Cli.checkTenantIds(ids, provisioning, "no tenant was migrated");
            MigrationOptions options = MigrationOptions.defaults().parallelism(parallel).snapshotFirst(snapshot);
            if (to != null) {
                String target = Cli.appModule(provisioning.migrator(), module, "--to", "nothing was migrated");
                try {
                    provisioning.checkTarget(target, to);
                } catch (TenantryException e) {
                    throw new Cli.UsageError(e.getMessage() + "; nothing was migrated", e);
                }
                options = options.to(target, to);
            }
            if (lock.retries != null) {
                options = options.retries(lock.retries);
            }
            if (all) {
                List<TenantInfo> ready = provisioning.list().stream().filter(TenantInfo::ready).toList();
                if (ready.isEmpty()) {
                    cli.out().println("No ready tenants to migrate.");
                    return Cli.OK;
                }
                int width = ready.stream().mapToInt(t -> t.tenant().length()).max().orElse(0);
                MigrationProgress progress = MigrationProgress.of(progressStyle, cli, ready.size(), width);
                report = provisioning.migrateAll(options, progress);
                progress.finish();
            } else {
                int width = ids.stream().mapToInt(String::length).max().orElse(0);
                MigrationProgress progress = MigrationProgress.of(progressStyle, cli, ids.size(), width);
                report = provisioning.migrate(ids, options, progress);
                progress.finish();
            }
        }
        printOutcome(report);
        return report.hasFailures() ? Cli.FAILED : Cli.OK;
    }

    private int repair(List<String> ids) {
        List<TenantRepair> outcomes;
        try (Cli.Operations operations = cli.operations(cli.config(app), app)) {
            TenantProvisioning provisioning = operations.provisioning();
            Cli.checkTenantIds(ids, provisioning, "no history was repaired");
            if (all && provisioning.list().isEmpty()) {
                cli.out().println("No tenants to repair.");
                return Cli.OK;
            }
            outcomes = all ? provisioning.repairAll() : provisioning.repair(ids);
        }
        TextTable table = new TextTable("tenant", "schema", "result", "what");
        long unchanged = 0;
        for (TenantRepair outcome : outcomes) {
            if (outcome.failed()) {
                table.row(outcome.tenant(), String.valueOf(outcome.schema()), "FAILED", cli.reason(outcome.error()));
            } else if (outcome.changed()) {
                table.row(outcome.tenant(), outcome.schema(), "repaired", outcome.repair().describe());
            } else {
                unchanged++;
            }
        }
        if (!table.isEmpty()) {
            table.print(cli.out(), "");
        }
        long failed = outcomes.stream().filter(TenantRepair::failed).count();
        long repaired = outcomes.size() - failed - unchanged;
        if (unchanged > 0) {
            String prefix = table.isEmpty() ? (unchanged == outcomes.size() && unchanged > 1 ? "All " : "") : "And ";
            cli.out().println(prefix + Cli.count(unchanged, "tenant") + " had nothing to repair"
                    + (table.isEmpty() ? "." : " (not listed)."));
        }
        cli.out().println(Cli.count(outcomes.size(), "tenant") + ": " + repaired + " repaired, " + unchanged + " unchanged, "
                + failed + " failed");
        if (repaired > 0) {
            cli.out().println("Run 'tenantry migrate' to apply what is pending.");
        }
        return failed > 0 ? Cli.FAILED : Cli.OK;
    }

    /**
     * The tenants that migrated or failed, as a table (the failures with their reason), then how many
     * were already current (counted, not listed: at a thousand tenants, most are), then the summary.
     */
    private void printOutcome(MigrationReport report) {
        TextTable table = new TextTable("tenant", "schema", "result", "version", "reason");
        Map<String, Integer> currentByVersion = new TreeMap<>();
        for (TenantMigration outcome : report.tenants()) {
            switch (outcome.status()) {
                case CURRENT:
                    currentByVersion.merge(Cli.version(outcome.toVersion()), 1, Integer::sum);
                    break;
                case MIGRATED:
                    table.row(outcome.tenant(), outcome.schema(), "migrated",
                            Cli.version(outcome.fromVersion()) + " -> " + Cli.version(outcome.toVersion()),
                            MigrationProgress.detail(outcome));
                    break;
                default:
                    table.row(outcome.tenant(), outcome.schema(), "FAILED", Cli.version(outcome.toVersion()),
                            MigrationProgress.failure(cli, outcome));
            }
        }
        if (!table.isEmpty()) {
            table.print(cli.out(), "");
        }
        long current = report.count(TenantMigration.Status.CURRENT);
        if (current > 0) {
            List<String> versions = new ArrayList<>();
            currentByVersion.forEach((version, n) -> versions.add(
                    (currentByVersion.size() == 1 ? "" : n + " at ") + "version " + version));
            String prefix = table.isEmpty() ? (current == report.tenants().size() && current > 1 ? "All " : "") : "And ";
            cli.out().println(prefix + Cli.count(current, "tenant") + " already current at " + String.join(", ", versions)
                    + (table.isEmpty() ? "." : " (not listed)."));
        }
        cli.out().println(summary(report));
    }

    private static String summary(MigrationReport report) {
        Map<TenantMigration.Status, Long> counts = new HashMap<>();
        for (TenantMigration.Status status : TenantMigration.Status.values()) {
            counts.put(status, report.count(status));
        }
        return Cli.count(report.tenants().size(), "tenant") + ": "
                + counts.get(TenantMigration.Status.MIGRATED) + " migrated, "
                + counts.get(TenantMigration.Status.CURRENT) + " already current, "
                + counts.get(TenantMigration.Status.FAILED) + " failed";
    }
}
