package dev.tenantry.cli;

import dev.tenantry.core.Citus;
import dev.tenantry.tenancy.TenantPlacement;
import dev.tenantry.tenancy.TenantStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tenantry status}: where every tenant stands, one row each (schema, registry state, the version
 * its own history records, migrations pending, the last failure), then a count of the healthy ones and of
 * each kind of problem. It reports; it does not judge: the exit code is 0 whatever it finds.
 */
@Command(name = "status",
        sortOptions = false,
        description = {"Show every tenant: schema, state, migration version, migrations pending, last failure.",
            "The version is read from each schema's own history table (one query for up to 500 tenants), not"
                + " from the registry's record of it. A tenant is healthy when it is ready, its schema exists,"
                + " nothing is pending and no failure is recorded. For what exactly is wrong with a tenant's"
                + " tables, run tenantry verify.",
            "On a Citus coordinator a node column says where each tenant's schema lives (coordinator: not"
                + " distributed), and a last line how many tenants each node holds.",
            "The exit code is 0 whatever the tenants' state (status reports; it does not fail): use"
                + " tenantry verify where a check should fail a script.",
            "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  tenantry status",
            "  tenantry status --width 200        longer failure messages",
            "",
            "Exit codes: 0 the status was read, whatever it says; 1 the database could not be",
            "read; 2 bad arguments or configuration."})
public final class StatusCommand implements Callable<Integer> {

    /** The default width of the last-failure column. */
    static final int FAILURE_WIDTH = 80;

    private final Cli cli;

    @Mixin
    private AppOptions app = new AppOptions();

    @Option(names = "--width", paramLabel = "N", defaultValue = "" + FAILURE_WIDTH,
            description = "Cut the last failure to N characters (default: ${DEFAULT-VALUE}).")
    private int width;

    StatusCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        List<TenantStatus> statuses;
        Map<String, Citus.Placement> nodes = null;
        List<Citus.Node> workers = List.of();
        try (Cli.Operations operations = cli.operations(cli.config(app), app)) {
            statuses = operations.provisioning().status();
            TenantPlacement placement = operations.provisioning().placement();
            if (placement.clustered() && !statuses.isEmpty()) {
                nodes = placement.nodes();
                workers = placement.workers();
            }
        }
        if (statuses.isEmpty()) {
            cli.out().println("No tenants yet; create one with: tenantry tenants create <tenant>");
            return Cli.OK;
        }
        TextTable table = nodes == null ? new TextTable("tenant", "schema", "state", "version", "pending", "last failure")
                : new TextTable("tenant", "schema", "node", "state", "version", "pending", "last failure");
        int healthy = 0;
        int notReady = 0;
        int missing = 0;
        int pending = 0;
        int failed = 0;
        for (TenantStatus status : statuses) {
            String state = status.state() + (status.schemaExists() ? "" : ", schema missing");
            if (nodes == null) {
                table.row(status.tenant(), status.schema(), state, Cli.version(status.version()), status.pending(),
                        lastFailure(status));
            } else {
                table.row(status.tenant(), status.schema(), Cli.node(nodes.get(status.tenant())), state,
                        Cli.version(status.version()), status.pending(), lastFailure(status));
            }
            if (status.healthy()) {
                healthy++;
            }
            if (!status.state().equals(dev.tenantry.tenancy.TenantInfo.READY)) {
                notReady++;
            }
            if (!status.schemaExists()) {
                missing++;
            } else if (status.pending() > 0) {
                pending++;
            }
            if (status.lastError() != null || status.failedInHistory() > 0) {
                failed++;
            }
        }
        table.print(cli.out(), "");
        List<String> problems = new ArrayList<>();
        if (notReady > 0) {
            problems.add(notReady + " not ready");
        }
        if (missing > 0) {
            problems.add(missing + " schema missing");
        }
        if (pending > 0) {
            problems.add(pending + " with migrations pending");
        }
        if (failed > 0) {
            problems.add(failed + " with a failure recorded");
        }
        cli.out().println();
        cli.out().println(Cli.count(statuses.size(), "tenant") + ": " + healthy + " healthy"
                + (problems.isEmpty() ? "" : "; " + String.join(", ", problems)));
        if (nodes != null) {
            cli.out().println(Cli.nodeCounts(nodes.values(), workers));
        }
        if (pending > 0 || failed > 0) {
            cli.out().println("Migrate the pending ones with: tenantry migrate --all; see what is wrong with: tenantry verify");
        } else if (missing > 0 || notReady > 0) {
            cli.out().println("See what is wrong with: tenantry verify");
        }
        return Cli.OK;
    }

    private String lastFailure(TenantStatus status) {
        String failure = status.lastError() != null ? cli.reason(status.lastError())
                : status.failedInHistory() > 0 ? Cli.count(status.failedInHistory(), "failed migration") + " in the history"
                : null;
        return Cli.truncate(failure, Math.max(10, width));
    }
}
