package dev.tenantry.cli;

import dev.tenantry.core.Citus;
import dev.tenantry.tenancy.Rebalance;
import dev.tenantry.tenancy.RebalanceStep;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tenantry rebalance}: on a Citus cluster, distributes the tenant schemas still on the coordinator, then runs
 * Citus's rebalancer and prints each move as it starts and ends.
 */
@Command(name = "rebalance",
        sortOptions = false,
        description = {"Spread the tenants evenly over the nodes of a Citus cluster.",
            "First every ready tenant whose schema is still on the coordinator (made before Citus was added) is"
                + " distributed. Then Citus's rebalancer (citus_rebalance_start) moves schemas, each with all its"
                + " tables, until the nodes hold about as many each; the command prints each move as it starts and"
                + " ends, and returns when the rebalance is over. The rebalancer works on the whole cluster: schemas"
                + " that are no tenant's may move too.",
            "Application traffic goes on meanwhile, as for tenantry tenants move; --mode likewise (auto: logical"
                + " replication where every node has wal_level = logical, blocking writes otherwise).",
            "Needs DATABASE_URL to name the Citus coordinator.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  tenantry rebalance",
            "  tenantry rebalance --mode block-writes",
            "",
            "Exit codes: 0 the cluster is balanced; 1 a move failed (the moves done stay done), a",
            "rebalance was already running, or no Citus; 2 bad arguments or configuration."})
public final class RebalanceCommand implements Callable<Integer> {

    private final Cli cli;

    @Option(names = "--mode", paramLabel = "auto|logical|block-writes", defaultValue = "auto",
            description = "How Citus copies the schemas (default: ${DEFAULT-VALUE}).")
    private String mode;

    RebalanceCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        Citus.TransferMode transfer = Cli.parse(() -> Citus.TransferMode.parse(mode), "--mode");
        try (Cli.Operations operations = cli.operations(cli.config())) {
            Rebalance rebalance = operations.provisioning().placement().rebalance(transfer, this::print);
            if (rebalance.nothingToDo()) {
                cli.out().println("The cluster is balanced: nothing to distribute, nothing to move.");
            } else {
                cli.out().println("Rebalanced in " + Cli.seconds(rebalance.took()) + ": "
                        + Cli.count(rebalance.distributed().size(), "tenant") + " distributed, "
                        + Cli.count(rebalance.moves().size(), "schema") + " moved"
                        + (rebalance.mode() == null ? "" : " (" + Cli.describe(rebalance.mode()) + ")") + ".");
            }
            return Cli.OK;
        }
    }

    private void print(RebalanceStep step) {
        String counter = "[" + step.done() + "/" + step.total() + "] ";
        String who = step.tenant() != null ? "tenant " + step.tenant() + " (schema \"" + step.schema() + "\")"
                : "schema \"" + step.schema() + "\" (no tenant of this registry)";
        switch (step.kind()) {
            case DISTRIBUTED -> cli.out().println(counter + "distributed " + who + ": it was on the coordinator, it lives on "
                    + (step.to() == null ? "no node yet (no tables)" : step.to()) + " now");
            case PLANNED -> cli.out().println(step.total() == 0 ? "Nothing to move."
                    : "Citus's rebalancer will move " + Cli.count(step.total(), "schema") + ".");
            case MOVE_STARTED -> cli.out().println("[" + (step.done() + 1) + "/" + step.total() + "] moving " + who + " "
                    + step.from() + " -> " + step.to());
            case MOVED -> cli.out().println(counter + "moved " + who + " to " + step.to());
            default -> { }
        }
        cli.out().flush();
    }
}
