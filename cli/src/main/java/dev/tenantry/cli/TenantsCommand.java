package dev.tenantry.cli;

import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantProvisioning;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code tenantry tenants}: the tenant registry of the database named by {@code DATABASE_URL}, with
 * {@code list} to show it and {@code create} to provision tenants.
 */
@Command(name = "tenants",
        description = "List and create tenants in the database named by DATABASE_URL.",
        subcommands = {TenantsCommand.ListTenants.class, TenantsCommand.CreateTenants.class})
public final class TenantsCommand {

    TenantsCommand() {
    }

    /** {@code tenantry tenants list}: one row per registered tenant with its schema, state and version. */
    @Command(name = "list",
            description = {"List every tenant with its schema, state and migration version.",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored."})
    public static final class ListTenants implements Callable<Integer> {

        private final Cli cli;

        ListTenants(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            try (Cli.Operations operations = cli.operations(cli.config())) {
                List<TenantInfo> tenants = operations.provisioning().list();
                if (tenants.isEmpty()) {
                    cli.out().println("No tenants yet; create one with: tenantry tenants create <tenant>");
                    return Cli.OK;
                }
                // The version each ready schema is really at, read from its own history table; the
                // registry's copy is only a record of the last provisioning or migration.
                Map<String, String> versions = operations.provisioning().versions();
                TextTable table = new TextTable("tenant", "schema", "state", "version");
                List<TenantInfo> withErrors = new ArrayList<>();
                for (TenantInfo tenant : tenants) {
                    String version = versions.containsKey(tenant.tenant()) ? versions.get(tenant.tenant()) : tenant.version();
                    table.row(tenant.tenant(), tenant.schema(), tenant.state(), Cli.version(version));
                    if (tenant.lastError() != null) {
                        withErrors.add(tenant);
                    }
                }
                table.print(cli.out(), "");
                for (TenantInfo tenant : withErrors) {
                    cli.out().println("last error of " + tenant.tenant() + ": " + Cli.oneLine(tenant.lastError()));
                }
                return Cli.OK;
            }
        }
    }

    /** {@code tenantry tenants create <tenant>...}: provisions each tenant, after checking every id first. */
    @Command(name = "create",
            description = {"Provision tenants (idempotent).",
                "Creates each tenant's schema if needed, migrates it to the latest version and marks the tenant"
                    + " ready.",
                "Every id is checked before anything is created, so one invalid id creates nothing.",
                "Tenant ids are schema names: 1 to 63 lowercase letters, digits and underscores.",
                "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored."})
    public static final class CreateTenants implements Callable<Integer> {

        private final Cli cli;

        @Parameters(arity = "1..*", paramLabel = "<tenant>", description = "The tenant ids to provision.")
        private List<String> tenants;

        CreateTenants(Cli cli) {
            this.cli = cli;
        }

        @Override
        public Integer call() {
            List<String> ids = new ArrayList<>(new LinkedHashSet<>(tenants));
            int width = ids.stream().mapToInt(String::length).max().orElse(0);
            int failed = 0;
            try (Cli.Operations operations = cli.operations(cli.config())) {
                TenantProvisioning provisioning = operations.provisioning();
                Cli.checkTenantIds(ids, provisioning, "no tenant was created");
                for (String tenant : ids) {
                    String name = TextTable.pad(tenant, width);
                    try {
                        MigrationResult result = provisioning.provision(tenant);
                        cli.out().println(name + "  " + describe(result));
                    } catch (TenantryException e) {
                        failed++;
                        cli.out().println(name + "  FAILED: " + Cli.oneLine(cli.redactSecrets(e.getMessage())));
                        cli.trace(e);
                    }
                }
            }
            if (failed > 0) {
                cli.err().println("tenantry: " + failed + " of " + ids.size() + " tenant" + (ids.size() == 1 ? "" : "s")
                        + " could not be provisioned");
                return Cli.FAILED;
            }
            return Cli.OK;
        }

        private static String describe(MigrationResult result) {
            String version = Cli.version(result.targetVersion());
            if (result.schemaCreated()) {
                return "created          version " + version;
            }
            if (result.migrationsExecuted() > 0) {
                return "already existed  migrated " + Cli.version(result.initialVersion()) + " -> " + version;
            }
            return "already existed  version " + version;
        }
    }
}
