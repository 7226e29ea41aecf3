package dev.tenantry.cli;

import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.Adoption;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantProvisioning;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tenantry adopt}: the one-time move of a single-schema application's tables from {@code public}
 * into a tenant's schema, and the way back. Prints every statement, and with {@code --dry-run} only
 * prints them, as a plan.
 */
@Command(name = "adopt",
        sortOptions = false,
        description = {"Move existing tables from public into a tenant's schema, or back to public.",
            "For an application that kept its tables in public and now wants them in a tenant schema:"
                + " --from public --to <tenant> moves them (ALTER TABLE ... SET SCHEMA, which takes indexes,"
                + " constraints and owned sequences along) with their migration history, creates the schema and"
                + " registers the tenant as ready. Where public has no history, the tenant gets the template's,"
                + " which records the tables as migrated to the latest version.",
            "--from <tenant> --to public is the way back: the tables and history return to public, the tenant"
                + " leaves the registry, and its schema is dropped if nothing else is left in it.",
            "Everything runs in one transaction under both schemas' advisory locks. A table that exists on"
                + " both sides stops the move before anything changes. Only tables move: a standalone sequence"
                + " that a column default uses (not OWNED BY the column) stays where it is.",
            "Without --tables, the tables the migrations create are moved (those that exist).",
            "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  tenantry adopt --from public --to prod --dry-run     show the plan, change nothing",
            "  tenantry adopt --from public --to prod",
            "  tenantry adopt --from public --to prod --tables users,anon_sessions",
            "  tenantry adopt --from prod --to public                the way back",
            "",
            "Exit codes: 0 moved (or planned); 1 nothing to move, or the move failed and",
            "nothing changed; 2 bad arguments (neither or both sides public, an invalid",
            "tenant id) or bad configuration."})
public final class AdoptCommand implements Callable<Integer> {

    private static final String PUBLIC = SchemaName.PUBLIC.value();

    private final Cli cli;

    @Mixin
    private AppOptions app = new AppOptions();

    @Spec
    private CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "<public|tenant>",
            description = "Where the tables are now: public, or a tenant id.")
    private String from;

    @Option(names = "--to", required = true, paramLabel = "<public|tenant>",
            description = "Where they go: a tenant id, or public.")
    private String to;

    @Option(names = "--tables", split = ",", paramLabel = "<table>",
            description = "The tables to move, comma-separated (default: the tables the migrations create).")
    private List<String> tables = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print the statements as a plan; change nothing.")
    private boolean dryRun;

    AdoptCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        boolean fromPublic = PUBLIC.equals(from);
        boolean toPublic = PUBLIC.equals(to);
        if (fromPublic == toPublic) {
            throw new ParameterException(spec.commandLine(), "Exactly one of --from and --to must be public"
                    + (fromPublic ? " (both are)" : " (neither is: tables move between public and one tenant's schema)"));
        }
        String tenant = toPublic ? from : to;
        List<String> names = new ArrayList<>(new LinkedHashSet<>(tables.stream().map(String::strip).toList()));
        if (names.stream().anyMatch(String::isEmpty)) {
            throw new ParameterException(spec.commandLine(), "--tables has an empty table name");
        }
        try (Cli.Operations operations = cli.operations(cli.config(app), app)) {
            TenantProvisioning provisioning = operations.provisioning();
            Cli.checkTenantIds(List.of(tenant), provisioning, "nothing was moved");
            Adoption plan = provisioning.adopt(tenant, toPublic, names, true);
            if (plan.tables().isEmpty()) {
                throw new TenantryException("Nothing to adopt: " + (names.isEmpty() ? "none of the tables the migrations"
                        + " create" : "none of " + String.join(", ", names)) + " exists in " + quoted(plan.fromSchema())
                        + "; nothing was changed");
            }
            if (dryRun) {
                cli.out().println("Dry run: nothing was changed. The adoption would run, in one transaction:");
                plan.statements().forEach(sql -> cli.out().println("  plan> " + sql));
                cli.out().println(toPublic
                        ? "  plan> -- then remove tenant " + tenant + " from the registry, and drop schema "
                            + quoted(plan.fromSchema()) + " if nothing is left in it"
                        : "  plan> -- then register tenant " + tenant + " as ready, at the version its history records");
                cli.out().println("Tables that would move from " + quoted(plan.fromSchema()) + " to " + quoted(plan.toSchema())
                        + ": " + String.join(", ", plan.tables()));
                return Cli.OK;
            }
            Adoption adoption = provisioning.adopt(tenant, toPublic, names, false);
            cli.out().println("Ran, in one transaction:");
            adoption.statements().forEach(sql -> cli.out().println("  sql> " + sql));
            cli.out().println("Moved " + Cli.count(adoption.tables().size(), "table") + " from " + quoted(adoption.fromSchema())
                    + " to " + quoted(adoption.toSchema()) + ": " + String.join(", ", adoption.tables()));
            if (toPublic) {
                boolean dropped = adoption.statements().stream().anyMatch(sql -> sql.startsWith("DROP SCHEMA"));
                cli.out().println("Tenant " + tenant + " was removed from the registry; schema " + quoted(adoption.fromSchema())
                        + (dropped ? " was dropped (nothing was left in it)." : " was kept: other objects are still in it."));
            } else {
                Optional<TenantInfo> info = provisioning.find(tenant);
                cli.out().println("Tenant " + tenant + " is registered" + info.map(i -> " and " + i.state() + " at version "
                        + Cli.version(i.version())).orElse("") + ".");
            }
            return Cli.OK;
        }
    }

    private static String quoted(String schema) {
        return "\"" + schema + "\"";
    }
}
