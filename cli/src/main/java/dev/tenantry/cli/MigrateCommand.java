package dev.tenantry.cli;

import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantProvisioning;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tenantry migrate}: brings the named tenants, or all ready tenants, to the latest migration
 * version, each in its own transaction, reporting each tenant as it finishes; one failure does not stop
 * the others but makes the exit code 1.
 */
@Command(name = "migrate",
        description = {"Migrate the named tenants, or all, to the latest version.",
            "Each tenant migrates in its own transaction. A tenant that fails is rolled back alone and the run"
                + " goes on; the exit code is then 1.",
            "Name the tenants, or use --all for every ready tenant (one or the other).",
            "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored."})
public final class MigrateCommand implements Callable<Integer> {

    private final Cli cli;

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "<tenant>", description = "The tenants to migrate.")
    private List<String> tenants = new ArrayList<>();

    @Option(names = "--all", description = "Migrate every ready tenant in the registry.")
    private boolean all;

    MigrateCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        if (all && !tenants.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Name tenants or use --all, not both");
        }
        if (!all && tenants.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Name the tenants to migrate, or use --all");
        }
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(tenants));
        MigrationReport report;
        try (Cli.Operations operations = cli.operations(cli.config())) {
            TenantProvisioning provisioning = operations.provisioning();
            Cli.checkTenantIds(ids, provisioning, "no tenant was migrated");
            if (all) {
                int width = provisioning.list().stream().filter(TenantInfo::ready)
                        .mapToInt(t -> t.tenant().length()).max().orElse(0);
                report = provisioning.migrateAll(printer(width));
            } else {
                int width = ids.stream().mapToInt(String::length).max().orElse(0);
                report = provisioning.migrate(ids, printer(width));
            }
        }
        if (report.tenants().isEmpty()) {
            cli.out().println("No ready tenants to migrate.");
            return Cli.OK;
        }
        cli.out().println(summary(report));
        return report.hasFailures() ? Cli.FAILED : Cli.OK;
    }

    private Consumer<TenantMigration> printer(int width) {
        return outcome -> {
            cli.out().println(TextTable.pad(outcome.tenant(), width) + "  " + describe(outcome));
            cli.out().flush();
        };
    }

    private String describe(TenantMigration outcome) {
        switch (outcome.status()) {
            case MIGRATED:
                return "migrated " + Cli.version(outcome.fromVersion()) + " -> " + Cli.version(outcome.toVersion())
                        + " (" + outcome.migrationsExecuted() + " migration" + (outcome.migrationsExecuted() == 1 ? "" : "s")
                        + ")";
            case CURRENT:
                return "already current at version "
                        + Cli.version(outcome.toVersion());
            default:
                return "FAILED: " + Cli.oneLine(cli.redactSecrets(outcome.error()));
        }
    }

    private static String summary(MigrationReport report) {
        int total = report.tenants().size();
        return total + " tenant" + (total == 1 ? "" : "s") + ": "
                + report.count(TenantMigration.Status.MIGRATED) + " migrated, "
                + report.count(TenantMigration.Status.CURRENT) + " already current, "
                + report.count(TenantMigration.Status.FAILED) + " failed";
    }
}
