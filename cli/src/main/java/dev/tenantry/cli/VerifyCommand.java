package dev.tenantry.cli;

import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantVerification;
import dev.tenantry.tenancy.TenantVerifier;
import dev.tenantry.tenancy.TenantryPersistence;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code tenantry verify}: checks tenants against the entity model the way a person would by hand, and
 * prints where each model table lives (from {@code pg_tables}), every finding, and the search_path a
 * pooled connection really has. Starts Tenantry with JPA, since the model comes from the entity mappings.
 */
@Command(name = "verify",
        sortOptions = false,
        description = {"Check tenants against the entity model; exit code 1 on any finding.",
            "Starts Tenantry with JPA to read the model (the tenant tables the entities map, with their columns),"
                + " then checks each tenant in one catalog query: its schema exists; each model table is in it,"
                + " with the columns the migrations make, of the same types (compared with the migrated template"
                + " schema); no column or table drifted in; no migration is pending or failed; the tenant is"
                + " ready in the registry.",
            "Prints, per tenant, which schema holds each model table (pg_tables) and every finding; model tables"
                + " found in schemas that belong to no tenant (such as public before an adoption); and the"
                + " search_path of a pooled connection, which Tenantry sets when it opens one, the same for every"
                + " tenant, and which its own SQL never relies on.",
            "Without tenant ids, verifies every tenant in the registry.",
            "Reads DATABASE_URL (and DATABASE_USER, DATABASE_PASSWORD); DATABASE_SCHEMA is ignored.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  tenantry verify                every registered tenant",
            "  tenantry verify acme globex    just these",
            "",
            "Exit codes: 0 no findings; 1 at least one finding, or the check could not run;",
            "2 an invalid tenant id or bad configuration."})
public final class VerifyCommand implements Callable<Integer> {

    private static final String LOCATIONS = "SELECT tablename, schemaname FROM pg_catalog.pg_tables"
            + " WHERE tablename = ANY (?) ORDER BY 1, 2";

    private final Cli cli;

    @Mixin
    private AppOptions app = new AppOptions();

    @Parameters(arity = "0..*", paramLabel = "<tenant>",
            description = "The tenants to verify (default: every tenant in the registry).")
    private List<String> tenants = new ArrayList<>();

    VerifyCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(tenants));
        TenantryConfig config = cli.config(app);
        try (AppClasspath classpath = AppClasspath.of(app.classpath);
             TenantryPersistence tenantry = cli.start(config, classpath)) {
            TenantProvisioning provisioning = tenantry.provisioning();
            Cli.checkTenantIds(ids, provisioning, "nothing was verified");
            Map<String, Set<String>> model = TenantVerifier.modelOf(tenantry.entityManagerFactory());
            TenantVerifier verifier = new TenantVerifier(tenantry.database(), provisioning, model);
            if (ids.isEmpty() && provisioning.list().isEmpty()) {
                cli.out().println("No tenants to verify; create one with: tenantry tenants create <tenant>");
                return Cli.OK;
            }
            List<TenantVerification> results = verifier.verify(ids);
            Map<String, Set<String>> locations = locations(tenantry, model.keySet());
            String searchPath = verifier.effectiveSearchPath();

            cli.out().println("Entity model: tenant tables " + String.join(", ", model.keySet())
                    + " (from the JPA mappings)");
            cli.out().println("search_path of a pooled connection: " + searchPath
                    + " (set on each new connection, the same for every tenant, so that SQL naming no schema finds no"
                    + " tenant's table; Tenantry's own SQL names each tenant's schema)");
            cli.out().println();
            return report(results, model.keySet(), locations, provisioning);
        }
    }

    private int report(List<TenantVerification> results, Set<String> modelTables, Map<String, Set<String>> locations,
                       TenantProvisioning provisioning) {
        List<String> headers = new ArrayList<>(List.of("tenant", "schema"));
        headers.addAll(modelTables);
        headers.add("result");
        TextTable table = new TextTable(headers.toArray(String[]::new));
        List<String> findings = new ArrayList<>();
        int withFindings = 0;
        int width = results.stream().mapToInt(r -> r.tenant().length()).max().orElse(0);
        for (TenantVerification result : results) {
            List<Object> row = new ArrayList<>(List.of(result.tenant(), result.schema()));
            for (String model : modelTables) {
                row.add(locations.getOrDefault(model, Set.of()).contains(result.schema()) ? result.schema() : "missing");
            }
            row.add(result.ok() ? "ok" : Cli.count(result.findings().size(), "finding"));
            table.row(row.toArray());
            if (!result.ok()) {
                withFindings++;
                for (String finding : result.findings()) {
                    findings.add("  " + TextTable.pad(result.tenant(), width) + "  " + cli.reason(finding));
                }
            }
        }
        cli.out().println("Where each model table lives (pg_tables), per tenant:");
        table.print(cli.out(), "");
        if (!findings.isEmpty()) {
            cli.out().println();
            cli.out().println("Findings:");
            findings.forEach(cli.out()::println);
        }

        Set<String> tenantSchemas = new HashSet<>();
        provisioning.list().stream().map(TenantInfo::schema).forEach(tenantSchemas::add);
        results.stream().map(TenantVerification::schema).forEach(tenantSchemas::add);
        List<String> elsewhere = new ArrayList<>();
        locations.forEach((model, schemas) -> schemas.stream()
                .filter(s -> !tenantSchemas.contains(s) && !TenantProvisioning.isTemplateSchema(s)
                        && !s.startsWith(TenantProvisioning.SNAPSHOT_PREFIX))
                .forEach(s -> elsewhere.add(s + "." + model)));
        cli.out().println();
        cli.out().println("Model tables outside the tenants' schemas (and the templates and the snapshots): "
                + (elsewhere.isEmpty() ? "none" : String.join(", ", elsewhere)
                + " (they belong to no tenant: per-request work never reads them)"));
        cli.out().println(Cli.count(results.size(), "tenant") + " verified: " + (results.size() - withFindings) + " ok, "
                + withFindings + " with findings");
        return withFindings == 0 ? Cli.OK : Cli.FAILED;
    }

    /** For each model table, every schema holding a table of that name. */
    private static Map<String, Set<String>> locations(TenantryPersistence tenantry, Set<String> tables) {
        Map<String, Set<String>> locations = new TreeMap<>();
        try (Connection connection = tenantry.database().pool().getConnection();
             PreparedStatement statement = connection.prepareStatement(LOCATIONS)) {
            statement.setArray(1, connection.createArrayOf("text", tables.toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    locations.computeIfAbsent(rows.getString(1), t -> new TreeSet<>()).add(rows.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new TenantryException("Cannot read pg_tables: " + e.getMessage(), e);
        }
        return locations;
    }
}
