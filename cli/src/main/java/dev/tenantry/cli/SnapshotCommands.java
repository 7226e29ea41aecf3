package dev.tenantry.cli;

import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.internal.SettingParsers;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantResult;
import dev.tenantry.tenancy.TenantSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The snapshot commands of {@code tenantry tenants}: {@code snapshot} takes them, {@code snapshots} lists and
 * prunes them, {@code restore} puts one back.
 */
final class SnapshotCommands {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    private SnapshotCommands() {
    }

    /** {@code tenantry tenants snapshot <tenant>... | --all}: copies tenants' schemas, rows and history, aside. */
    @Command(name = "snapshot",
            sortOptions = false,
            description = {"Take a snapshot of tenants: a copy of each one's schema with every row and its migration"
                    + " history, in one transaction, into a schema of its own named tenantry_snap_<UTC time>_<schema>.",
                "Snapshots are recorded in the shared schema's snapshots table; they are never served, migrated or"
                    + " verified as tenants. tenants restore puts one back; tenants snapshots lists and prunes them."
                    + " Schemas holding views, functions, triggers or types of their own cannot be copied.",
                "With one tenant, the snapshot's name is printed alone on the last line, for scripts:"
                    + " name=$(tenantry tenants snapshot acme | tail -1).",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {
                "  tenantry tenants snapshot acme",
                "  tenantry tenants snapshot --all --parallel 4",
                "",
                "Exit codes: 0 every snapshot was taken; 1 a snapshot failed (the others were",
                "taken); 2 an invalid tenant id or bad configuration, nothing was taken."})
    static final class Take implements Callable<Integer> {

        private final Cli cli;

        @Spec
        private CommandSpec spec;

        @Parameters(arity = "0..*", paramLabel = "<tenant>", description = "The ready tenants to snapshot.")
        private List<String> tenants = new ArrayList<>();

        @Option(names = "--all", description = "Snapshot every ready tenant.")
        private boolean all;

        @Option(names = "--parallel", paramLabel = "N", defaultValue = "1",
                description = "Take N snapshots at a time, 1 to " + MigrateCommand.MAX_PARALLEL + " (default: ${DEFAULT-VALUE}).")
        private int parallel;

        @Mixin
        private AppOptions app = new AppOptions();

        Take(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if (all == !tenants.isEmpty()) {
                throw new ParameterException(spec.commandLine(), all ? "Name tenants or use --all, not both"
                        : "Name the tenants to snapshot, or use --all");
            }
            Cli.checkParallel(spec, parallel);
            try (Cli.Operations operations = cli.operations(cli.config(app), app)) {
                TenantProvisioning provisioning = operations.provisioning();
                List<String> ids = new ArrayList<>(new LinkedHashSet<>(tenants));
                Cli.checkTenantIds(ids, provisioning, "no snapshot was taken");
                if (all) {
                    ids = provisioning.list().stream().filter(TenantInfo::ready).map(TenantInfo::tenant).toList();
                    if (ids.isEmpty()) {
                        cli.out().println("No ready tenants to snapshot.");
                        return Cli.OK;
                    }
                }
                if (ids.size() == 1) {
                    TenantSnapshot snapshot = provisioning.snapshot(ids.get(0));
                    cli.out().println("Took snapshot of tenant " + snapshot.tenant() + " (schema \"" + snapshot.schema()
                            + "\") at version " + Cli.version(snapshot.version()) + ":");
                    cli.out().println(snapshot.name());
                    return Cli.OK;
                }
                int width = ids.stream().mapToInt(String::length).max().orElse(0);
                long start = System.nanoTime();
                List<TenantResult<TenantSnapshot>> results = provisioning.snapshot(ids, parallel, result -> {
                    String name = TextTable.pad(result.tenant(), width);
                    cli.out().println(result.failed() ? name + "  FAILED: " + cli.reason(result.error().getMessage())
                            : name + "  " + result.value().name());
                });
                long failed = results.stream().filter(TenantResult::failed).count();
                cli.out().printf(java.util.Locale.ROOT, "%s snapshotted in %.1f s, %d failed%n",
                        Cli.count(results.size() - failed, "tenant"), (System.nanoTime() - start) / 1e9, failed);
                return failed == 0 ? Cli.OK : Cli.FAILED;
            }
        }
    }

    /** {@code tenantry tenants snapshots [<tenant>] [--prune --older-than 7d]}: lists snapshots, or prunes old ones. */
    @Command(name = "snapshots",
            sortOptions = false,
            description = {"List snapshots, newest first, or drop the old ones.",
                "--prune --older-than D drops every snapshot taken more than D ago (7d, 12h, 30m), each schema with its"
                    + " record in one transaction.",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {
                "  tenantry tenants snapshots",
                "  tenantry tenants snapshots acme",
                "  tenantry tenants snapshots --prune --older-than 7d",
                "",
                "Exit codes: 0 listed or pruned; 1 the database could not be read or a snapshot",
                "could not be dropped; 2 bad arguments or configuration."})
    static final class ListOrPrune implements Callable<Integer> {

        private final Cli cli;

        @Spec
        private CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "<tenant>", description = "List this tenant's snapshots only.")
        private String tenant;

        @Option(names = "--prune", description = "Drop the snapshots older than --older-than.")
        private boolean prune;

        @Option(names = "--older-than", paramLabel = "DURATION", description = "With --prune: 7d, 12h, 30m.")
        private String olderThan;

        ListOrPrune(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            if (prune && (olderThan == null || tenant != null)) {
                throw new ParameterException(spec.commandLine(), tenant != null
                        ? "--prune drops old snapshots of every tenant; leave out the tenant"
                        : "--prune needs --older-than, such as --older-than 7d");
            }
            if (!prune && olderThan != null) {
                throw new ParameterException(spec.commandLine(), "--older-than goes with --prune");
            }
            Duration age = null;
            if (prune) {
                try {
                    age = SettingParsers.duration("--older-than", olderThan);
                } catch (TenantryException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            try (Cli.Operations operations = cli.operations(cli.config())) {
                TenantProvisioning provisioning = operations.provisioning();
                if (prune) {
                    List<TenantSnapshot> dropped = provisioning.pruneSnapshots(age);
                    for (TenantSnapshot snapshot : dropped) {
                        cli.out().println("dropped " + snapshot.name() + " (tenant " + snapshot.tenant() + ", taken "
                                + TIME.format(snapshot.takenAt()) + " UTC)");
                    }
                    cli.out().println("Dropped " + Cli.count(dropped.size(), "snapshot") + " taken more than " + olderThan
                            + " ago.");
                    return Cli.OK;
                }
                if (tenant != null) {
                    Cli.checkTenantIds(List.of(tenant), provisioning, "nothing was listed");
                }
                List<TenantSnapshot> snapshots = tenant == null ? provisioning.snapshots() : provisioning.snapshots(tenant);
                if (snapshots.isEmpty()) {
                    cli.out().println("No snapshots" + (tenant == null ? "" : " of tenant " + tenant)
                            + "; take one with: tenantry tenants snapshot <tenant>");
                    return Cli.OK;
                }
                TextTable table = new TextTable("snapshot", "tenant", "version", "taken (UTC)", "age");
                Instant now = Instant.now();
                for (TenantSnapshot snapshot : snapshots) {
                    table.row(snapshot.name() + (snapshot.schemaExists() ? "" : " (schema missing)"), snapshot.tenant(),
                            Cli.version(snapshot.version()), TIME.format(snapshot.takenAt()),
                            age(Duration.between(snapshot.takenAt(), now)));
                }
                table.print(cli.out(), "");
                return Cli.OK;
            }
        }

        private static String age(Duration age) {
            if (age.toDays() > 0) {
                return age.toDays() + "d " + age.toHoursPart() + "h";
            }
            if (age.toHours() > 0) {
                return age.toHours() + "h " + age.toMinutesPart() + "m";
            }
            return Math.max(0, age.toMinutes()) + "m";
        }
    }

    /** {@code tenantry tenants restore <tenant> --from <snapshot> --confirm <tenant>}: puts a snapshot back. */
    @Command(name = "restore",
            sortOptions = false,
            description = {"Put a snapshot back: the tenant's schema is replaced by a copy of the snapshot, rows and"
                    + " migration history, in one transaction under both schemas' locks.",
                "Every row the tenant has now is replaced, so --confirm must repeat the tenant id. The snapshot must"
                    + " have been taken of this tenant; it stays, and can be restored again.",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
                ""},
            footerHeading = "%nExamples:%n",
            footer = {
                "  tenantry tenants restore acme --from tenantry_snap_20261128_101500123_acme --confirm acme",
                "",
                "Exit codes: 0 restored; 1 no such snapshot, a snapshot of another tenant, or the",
                "restore failed and the tenant is as it was; 2 a missing or wrong --confirm,",
                "an invalid tenant id or bad configuration."})
    static final class Restore implements Callable<Integer> {

        private final Cli cli;

        @Parameters(index = "0", paramLabel = "<tenant>", description = "The tenant to restore.")
        private String tenant;

        @Option(names = "--from", required = true, paramLabel = "<snapshot>", description = "The snapshot to put back.")
        private String from;

        @Option(names = "--confirm", paramLabel = "<tenant>", description = "The tenant id again, to confirm.")
        private String confirm;

        @Mixin
        private AppOptions app = new AppOptions();

        Restore(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Cli.Operations operations = cli.operations(cli.config(app), app)) {
                TenantProvisioning provisioning = operations.provisioning();
                Cli.checkTenantIds(List.of(tenant), provisioning, "nothing was restored");
                SchemaName schema = provisioning.checkTenant(tenant);
                if (confirm == null || !confirm.equals(tenant)) {
                    throw new Cli.UsageError("Refusing to restore tenant '" + tenant + "' (schema " + schema.quoted() + ") "
                            + (confirm == null ? "without --confirm " + tenant : "with --confirm '" + confirm
                            + "', which does not repeat the tenant id exactly") + ": every row it has now is replaced;"
                            + " nothing was restored", null);
                }
                MigrationResult result = provisioning.restore(tenant, from, confirm);
                cli.out().println("Restored tenant " + tenant + " (schema " + schema.quoted() + ") from snapshot " + from
                        + ": version " + Cli.version(result.initialVersion()) + " -> " + Cli.version(result.targetVersion())
                        + ", every row as it was in the snapshot.");
                return Cli.OK;
            }
        }
    }
}
