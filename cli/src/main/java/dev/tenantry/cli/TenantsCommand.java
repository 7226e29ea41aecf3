package dev.tenantry.cli;

import dev.tenantry.core.Citus;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.TenantDrop;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.ProvisionOptions;
import dev.tenantry.tenancy.TenantMove;
import dev.tenantry.tenancy.TenantPlacement;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantResult;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tenantry tenants}: the tenant registry of the database named by {@code DATABASE_URL}, with
 * {@code list} to show it, {@code create} to provision tenants, {@code clone} to copy one, {@code drop} to
 * delete one, {@code snapshot}, {@code snapshots} and {@code restore} for snapshots, {@code export} for
 * pg_dump backups, and on a Citus cluster {@code move} to put one on another node.
 */
@Command(name = "tenants",
        description = "List, create, clone, drop, snapshot, restore, export and move tenants in the database named by DATABASE_URL.",
        subcommands = {TenantsCommand.ListTenants.class, TenantsCommand.CreateTenants.class,
            TenantsCommand.CloneTenant.class, TenantsCommand.DropTenant.class, SnapshotCommands.Take.class,
            SnapshotCommands.ListOrPrune.class, SnapshotCommands.Restore.class, ExportCommand.class,
            TenantsCommand.MoveTenant.class})
public final class TenantsCommand {

    TenantsCommand() {
    }

    /** {@code tenantry tenants list}: one row per registered tenant with its schema, state and version. */
    @Command(name = "list",
            description = {"List every tenant with its schema, state and migration version.",
                "On a Citus coordinator also the node each tenant's schema lives on (coordinator: not distributed),"
                    + " and how many tenants each node holds.",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored."})
    public static final class ListTenants implements Callable<Integer> {

        private final Cli cli;

        @Mixin
        private AppOptions app = new AppOptions();

        ListTenants(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Cli.Operations operations = cli.operations(cli.config(app), app)) {
                List<TenantInfo> tenants = operations.provisioning().list();
                if (tenants.isEmpty()) {
                    cli.out().println("No tenants yet; create one with: tenantry tenants create <tenant>");
                    return Cli.OK;
                }
                // The version each ready schema is really at, read from its own history table; the
                // registry's copy is only a record of the last provisioning or migration.
                Map<String, String> versions = operations.provisioning().versions();
                TenantPlacement placement = operations.provisioning().placement();
                Map<String, Citus.Placement> nodes = placement.clustered() ? placement.nodes() : null;
                TextTable table = nodes == null ? new TextTable("tenant", "schema", "state", "version")
                        : new TextTable("tenant", "schema", "state", "version", "node");
                List<TenantInfo> withErrors = new ArrayList<>();
                for (TenantInfo tenant : tenants) {
                    String version = versions.containsKey(tenant.tenant()) ? versions.get(tenant.tenant()) : tenant.version();
                    table.row(tenant.tenant(), tenant.schema(), tenant.state(), Cli.version(version),
                            nodes == null ? null : Cli.node(nodes.get(tenant.tenant())));
                    if (tenant.lastError() != null) {
                        withErrors.add(tenant);
                    }
                }
                table.print(cli.out(), "");
                if (nodes != null) {
                    cli.out().println(Cli.nodeCounts(nodes.values(), placement.workers()));
                }
                for (TenantInfo tenant : withErrors) {
                    cli.out().println("last error of " + tenant.tenant() + ": " + Cli.oneLine(tenant.lastError()));
                }
                return Cli.OK;
            }
        }
    }

    /**
     * {@code tenantry tenants create <tenant>...}: provisions each tenant, after checking every id (and
     * every role named) first; optionally copied from the template, and handed to a role.
     */
    @Command(name = "create",
            sortOptions = false,
            description = {"Provision tenants (idempotent).",
                "Creates each tenant's schema if needed, migrates it to the latest version and marks the tenant"
                    + " ready. With --from-template the schema is copied from the migrated template schema"
                    + " (" + TenantProvisioning.TEMPLATE_SCHEMA + ", or " + TenantProvisioning.TEMPLATE_SCHEMA
                    + "_<hash> when migration modules come beside the model's) in one transaction instead of"
                    + " replaying every migration; the copy includes the migration history, so the tenant counts as migrated.",
                "Every id, and every role named by --owner or --grant, is checked before anything is created, so"
                    + " one invalid id or missing role creates nothing. After that, one tenant's failure stops no other.",
                "--parallel N creates N tenants at a time, each worker on one connection for all its tenants. From the"
                    + " template, each new tenant is one transaction (the copy and its ready row in the registry), so"
                    + " it costs one commit; on a server that waits for the disk at each commit (synchronous_commit ="
                    + " on), several at a time share those waits.",
                "Tenant ids are schema names: 1 to 63 lowercase letters, digits and underscores.",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {
                "  tenantry tenants create acme globex",
                "  tenantry tenants create --from-template t_0001 t_0002 t_0003",
                "  tenantry tenants create --from-template --parallel 4 $(seq -f 't_%%04g' 1 1000)",
                "  tenantry tenants create acme --owner acme_app       acme_app owns schema acme",
                "  tenantry tenants create acme --grant reporting      reporting may use and create in it",
                "",
                "Exit codes: 0 every tenant is ready; 1 a tenant could not be provisioned or",
                "granted; 2 an invalid tenant id, a missing role or bad configuration, nothing",
                "was created."})
    public static final class CreateTenants implements Callable<Integer> {

        private final Cli cli;

        @Parameters(arity = "1..*", paramLabel = "<tenant>", description = "The tenant ids to provision.")
        private List<String> tenants;

        @Option(names = "--from-template",
                description = "Copy new schemas from the migrated template schema instead of replaying the migrations.")
        private boolean fromTemplate;

        @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
                description = "Create N tenants at a time, 1 to " + MigrateCommand.MAX_PARALLEL + " (default:"
                        + " ${DEFAULT-VALUE}). Each takes one database connection while the command runs.")
        private int parallel;

        @Option(names = "--owner", paramLabel = "<role>",
                description = "Make this role the owner of each tenant's schema and grant it USAGE and CREATE on it.")
        private String owner;

        @Option(names = "--grant", paramLabel = "<role>",
                description = "Grant this role USAGE and CREATE on each tenant's schema (repeatable).")
        private List<String> grants = new ArrayList<>();

        @Mixin
        private LockOptions lock = new LockOptions();

        @Mixin
        private AppOptions app = new AppOptions();

        @Spec
        private CommandSpec spec;

        CreateTenants(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Cli.checkParallel(spec, parallel);
            List<String> ids = new ArrayList<>(new LinkedHashSet<>(tenants));
            List<String> roles = new ArrayList<>();
            if (owner != null) {
                roles.add(owner);
            }
            grants.stream().filter(role -> !roles.contains(role)).forEach(roles::add);
            int width = ids.stream().mapToInt(String::length).max().orElse(0);
            List<TenantResult<MigrationResult>> results;
            try (Cli.Operations operations = cli.operations(cli.config(app, lock.settings()), app)) {
                TenantProvisioning provisioning = operations.provisioning();
                Cli.checkTenantIds(ids, provisioning, "no tenant was created");
                Cli.checkRolesExist(operations.database(), roles, "no tenant was created");
                ProvisionOptions options = ProvisionOptions.defaults().fromTemplate(fromTemplate).parallelism(parallel)
                        .owner(owner).grants(grants);
                long start = System.nanoTime();
                results = provisioning.provision(ids, options, result -> print(result, width, options));
                if (ids.size() > 1) {
                    cli.out().printf(java.util.Locale.ROOT, "%s in %.1f s (%d at a time)%n", Cli.count(ids.size(), "tenant"),
                            (System.nanoTime() - start) / 1e9, Math.min(parallel, ids.size()));
                }
            }
            long failed = results.stream().filter(TenantResult::failed).count();
            if (failed > 0) {
                cli.err().println("tenantry: " + failed + " of " + Cli.count(ids.size(), "tenant")
                        + " could not be provisioned");
                return Cli.FAILED;
            }
            return Cli.OK;
        }

        /** One line per tenant as it finishes: what was done, and to which roles it was handed. */
        private void print(TenantResult<MigrationResult> result, int width, ProvisionOptions options) {
            String name = TextTable.pad(result.tenant(), width);
            if (result.failed()) {
                cli.out().println(name + "  FAILED: " + cli.reason(result.error().getMessage()));
                cli.trace(result.error());
                return;
            }
            String line = name + "  " + describe(result.value(), fromTemplate);
            if (options.owner() != null) {
                line += "  owner " + options.owner();
            }
            if (!options.grants().isEmpty()) {
                line += "  granted to " + String.join(", ", options.grants());
            }
            cli.out().println(line);
        }

        private static String describe(MigrationResult result, boolean fromTemplate) {
            String outcome = result.schemaCreated() ? (fromTemplate ? "created from template" : "created")
                    : "already existed";
            String version = Cli.version(result.targetVersion());
            String detail = !result.schemaCreated() && result.migrationsExecuted() > 0
                    ? "migrated " + Cli.version(result.initialVersion()) + " -> " + version
                    : "version " + version;
            return TextTable.pad(outcome, fromTemplate ? "created from template".length() : "already existed".length())
                    + "  " + detail;
        }
    }

    /** {@code tenantry tenants clone <source> <target> [--with-data]}: a new tenant as a copy of another. */
    @Command(name = "clone",
            sortOptions = false,
            description = {"Create a tenant as a copy of another.",
                "Copies the source tenant's schema into a new schema for the target tenant, in one transaction:"
                    + " tables, columns, defaults, constraints, indexes, sequences, grants and the migration"
                    + " history, so the copy is at the source's version; with --with-data every row too. The"
                    + " target is registered as a ready tenant. If any step fails, nothing is left behind.",
                "The source must be a ready tenant; the target must be a new tenant id whose schema does not exist."
                    + " Schemas holding views, functions, triggers or types of their own cannot be copied.",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {
                "  tenantry tenants clone acme acme_empty                structure and history only",
                "  tenantry tenants clone prod stage_copy --with-data   rows too",
                "",
                "Exit codes: 0 the copy exists and is ready; 1 the copy failed, nothing was",
                "created; 2 an invalid tenant id or bad configuration."})
    public static final class CloneTenant implements Callable<Integer> {

        private final Cli cli;

        @Parameters(index = "0", paramLabel = "<source>", description = "The ready tenant to copy.")
        private String source;

        @Parameters(index = "1", paramLabel = "<target>", description = "The new tenant id.")
        private String target;

        @Option(names = "--with-data", description = "Copy every row too, not only the structure and migration history.")
        private boolean withData;

        @Mixin
        private AppOptions app = new AppOptions();

        CloneTenant(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Cli.Operations operations = cli.operations(cli.config(app), app)) {
                TenantProvisioning provisioning = operations.provisioning();
                Cli.checkTenantIds(List.of(source, target), provisioning, "nothing was copied");
                SchemaName to = provisioning.checkTenant(target);
                if (source.equals(target)) {
                    throw new Cli.UsageError("Cannot clone tenant '" + source + "' onto itself; name a new tenant id", null);
                }
                Optional<TenantInfo> original = provisioning.find(source);
                if (original.isEmpty() || !original.get().ready()) {
                    throw new TenantryException("Cannot clone tenant '" + source + "' (schema "
                            + provisioning.checkTenant(source).quoted() + "): " + original.map(i -> "it is " + i.state()
                            + ", not ready").orElse("it is not in the registry") + "; nothing was copied");
                }
                // Checked here, before the library registers the target: a refused copy leaves no trace.
                if (provisioning.find(target).isPresent()) {
                    throw new TenantryException("Tenant '" + target + "' exists already (schema " + to.quoted()
                            + "); nothing was copied. Choose a new tenant id, or drop it first (tenantry tenants drop "
                            + target + " --confirm " + target + ")");
                }
                if (Cli.schemaExists(operations.database(), to.value())) {
                    throw new TenantryException("Schema " + to.quoted() + " exists already but belongs to no tenant;"
                            + " nothing was copied. Choose another tenant id, or remove the schema first");
                }
                MigrationResult result = provisioning.cloneTenant(source, target, withData);
                cli.out().println("Cloned tenant " + source + " into " + target + " (schema " + result.schema().quoted()
                        + "): " + (withData ? "structure, migration history and every row" : "structure and migration"
                        + " history, no rows") + "; version " + Cli.version(result.targetVersion()) + ", ready.");
                return Cli.OK;
            }
        }
    }

    /** {@code tenantry tenants drop <tenant> --confirm <tenant>}: deletes a tenant's schema and registry row. */
    @Command(name = "drop",
            sortOptions = false,
            description = {"Drop a tenant: its schema with every table and row in it, and its registry row.",
                "Both go in one transaction, under the schema's advisory lock. There is no undo: --confirm must"
                    + " repeat the tenant id exactly, or nothing happens.",
                "public, Tenantry's shared schema and the template schema are never dropped. Roles are not"
                    + " dropped: neither roles given the schema with --owner or --grant nor, with"
                    + " TENANTRY_TENANT_ROLES=true, the tenant's own role (roles belong to the whole server).",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {
                "  tenantry tenants drop acme --confirm acme",
                "",
                "Exit codes: 0 dropped; 1 no such tenant, or the drop failed; 2 a missing or",
                "wrong --confirm, a refused tenant id or bad configuration. Unless the exit code",
                "is 0, nothing was dropped."})
    public static final class DropTenant implements Callable<Integer> {

        private final Cli cli;

        @Parameters(index = "0", paramLabel = "<tenant>", description = "The tenant to drop.")
        private String tenant;

        @Option(names = "--confirm", paramLabel = "<tenant>", description = "The tenant id again, to confirm.")
        private String confirm;

        DropTenant(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Cli.Operations operations = cli.operations(cli.config())) {
                TenantProvisioning provisioning = operations.provisioning();
                Cli.checkTenantIds(List.of(tenant), provisioning, "nothing was dropped");
                SchemaName schema = provisioning.checkTenant(tenant);
                if (confirm == null) {
                    throw new Cli.UsageError("Refusing to drop tenant '" + tenant + "' (schema " + schema.quoted()
                            + ") without --confirm " + tenant + ": it deletes the schema and every row in it", null);
                }
                if (!confirm.equals(tenant)) {
                    throw new Cli.UsageError("Refusing to drop tenant '" + tenant + "': --confirm '" + confirm
                            + "' does not repeat the tenant id exactly; nothing was dropped", null);
                }
                if (provisioning.find(tenant).isEmpty()) {
                    throw new TenantryException("Unknown tenant '" + tenant + "' (schema " + schema.quoted()
                            + "): it is not in the registry; nothing was dropped");
                }
                TenantDrop dropped = provisioning.drop(tenant, confirm);
                cli.out().println("Dropped tenant " + tenant + ": schema " + schema.quoted()
                        + " with everything in it, and its registry row.");
                if (dropped.roleDropped()) {
                    cli.out().println("Dropped its role " + dropped.role() + " too.");
                } else if (dropped.role() != null) {
                    cli.out().println("Kept its role " + dropped.role() + ", which the server would not drop: "
                            + dropped.roleKeptBecause());
                }
                return Cli.OK;
            }
        }
    }

    /** {@code tenantry tenants move <tenant> --to HOST:PORT}: a tenant's schema to another node of a Citus cluster. */
    @Command(name = "move",
            sortOptions = false,
            description = {"Move a tenant's schema to another node of a Citus cluster.",
                "Citus copies the schema, all its tables together, to the node (citus_schema_move) and switches the"
                    + " tenant over; the command returns when the tenant lives there. The tenant's application"
                    + " traffic goes on meanwhile: reads never wait; with logical replication writes wait only for"
                    + " the switch-over at the end, when blocking writes for the whole copy.",
                "--mode auto (the default) uses logical replication where the tenant's node has wal_level ="
                    + " logical, and blocks writes otherwise. A schema still on the coordinator is distributed"
                    + " first; a tenant already on the node is left alone.",
                "Needs DATABASE_URL to name the Citus coordinator. tenantry tenants list shows where each tenant"
                    + " lives, and the nodes.",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {
                "  tenantry tenants move acme --to 10.0.0.12:5432",
                "  tenantry tenants move acme --to 10.0.0.12:5432 --mode block-writes",
                "",
                "Exit codes: 0 the tenant lives on the node; 1 the move failed (the tenant stays",
                "where it was), an unknown tenant, or no Citus; 2 bad arguments or configuration."})
    public static final class MoveTenant implements Callable<Integer> {

        private final Cli cli;

        @Parameters(index = "0", paramLabel = "<tenant>", description = "The ready tenant to move.")
        private String tenant;

        @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "The node to move it to, as Citus"
                + " names it (pg_dist_node).")
        private String to;

        @Option(names = "--mode", paramLabel = "auto|logical|block-writes", defaultValue = "auto",
                description = "How Citus copies the schema (default: ${DEFAULT-VALUE}).")
        private String mode;

        MoveTenant(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            Citus.Node target = Cli.parse(() -> Citus.Node.parse(to), "--to");
            Citus.TransferMode transfer = Cli.parse(() -> Citus.TransferMode.parse(mode), "--mode");
            try (Cli.Operations operations = cli.operations(cli.config())) {
                TenantProvisioning provisioning = operations.provisioning();
                Cli.checkTenantIds(List.of(tenant), provisioning, "nothing was moved");
                TenantPlacement placement = provisioning.placement();
                if (placement.clustered() && placement.workers().contains(target)) {
                    Citus.Placement now = placement.nodes().get(tenant);
                    if (now != null && !target.equals(now.node())) {
                        cli.out().println("Moving tenant " + tenant + " (schema " + provisioning.checkTenant(tenant).quoted()
                                + ") from " + Cli.node(now) + " to " + target + " ...");
                        cli.out().flush();
                    }
                }
                TenantMove move = placement.move(tenant, target, transfer);
                if (!move.moved()) {
                    cli.out().println("Tenant " + tenant + " lives on " + target + " already"
                            + (move.distributed() ? " (its schema was distributed there)" : "") + "; nothing was moved.");
                } else {
                    cli.out().println("Moved tenant " + tenant + " from " + move.from() + " to " + move.to() + " in "
                            + Cli.seconds(move.took()) + " (" + Cli.describe(move.mode()) + ")"
                            + (move.distributed() ? "; its schema was distributed first" : "") + ".");
                }
                return Cli.OK;
            }
        }
    }
}
