package dev.tenantry.cli;

import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.AnonSession;
import dev.tenantry.entities.AnonSessions;
import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.persistence.EntityManagerFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code tenantry demo}: provisions tenants {@code prod} and {@code stage}, writes a user and a claimed
 * anonymous session in each through JPA, then checks by hand, with plain SQL, where everything landed and
 * that neither tenant can see the other's rows. Uses an embedded PostgreSQL unless {@code DATABASE_URL} is set.
 */
@Command(name = "demo",
        description = {"Show schema-per-tenant isolation end to end (embedded PostgreSQL unless DATABASE_URL is set).",
            "Provisions tenants prod and stage, writes a user and a claimed anonymous session in each through JPA,"
                + " then checks with plain SQL where the rows landed, and through JPA that neither tenant sees the"
                + " other's rows. Exit code 1 if that isolation check fails.",
            "Without DATABASE_URL an embedded PostgreSQL is started and discarded afterwards. With DATABASE_URL"
                + " the demo works in that database (schemas prod, stage and tenantry) and may be run again."})
public final class DemoCommand implements Callable<Integer> {

    /** A demo tenant and the user written in it. */
    private record DemoTenant(String tenant, String email, String name) {
    }

    /** What was written in one tenant. */
    private record Written(boolean userCreated, UUID sessionId, String claimedBy) {
    }

    /** One lookup of the isolation check. */
    private record Lookup(String inScope, String lookingFor, boolean expected, boolean found) {
    }

    private static final List<DemoTenant> TENANTS = List.of(
            new DemoTenant("prod", "ada@prod.example", "Ada"),
            new DemoTenant("stage", "grace@stage.example", "Grace"));

    private static final String SCHEMAS_SQL = "select nspname from pg_namespace"
            + " where nspname not like 'pg\\_%' and nspname <> 'information_schema' order by 1";
    private static final String TABLES_SQL = "select schemaname, tablename from pg_tables"
            + " where schemaname not in ('pg_catalog','information_schema') order by 1,2";

    private final Cli cli;

    DemoCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws Exception {
        PrintStream out = cli.out();
        Map<String, String> env = new HashMap<>(cli.env());
        String url = env.get(TenantryConfig.DATABASE_URL);
        EmbeddedPostgres embedded = null;
        try {
            if (url == null || url.isBlank()) {
                embedded = startEmbedded();
                env.put(TenantryConfig.DATABASE_URL, "jdbc:postgresql://localhost:" + embedded.getPort() + "/postgres");
                env.put(TenantryConfig.DATABASE_USER, "postgres");
                env.remove(TenantryConfig.DATABASE_PASSWORD);
                out.println("No DATABASE_URL set: started an embedded PostgreSQL on localhost:" + embedded.getPort()
                        + " (discarded when the demo ends).");
            }
            TenantryConfig config = Cli.perRequestConfig(env);
            if (embedded == null) {
                out.println("Using DATABASE_URL " + config.databaseUrl() + ".");
            }
            try (TenantryPersistence tenantry = cli.start(config)) {
                out.println("Tenantry started in per-request mode; the tenant registry is in schema \""
                        + config.sharedSchema() + "\".");
                return demo(tenantry);
            }
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }

    private static EmbeddedPostgres startEmbedded() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException | RuntimeException e) {
            throw new TenantryException("Could not start an embedded PostgreSQL (set DATABASE_URL to use a server"
                    + " instead): " + e.getMessage(), e);
        }
    }

    private int demo(TenantryPersistence tenantry) throws SQLException {
        PrintStream out = cli.out();
        EntityManagerFactory emf = tenantry.entityManagerFactory();

        section("1. Provision tenants prod and stage (idempotent)");
        TextTable provisioned = new TextTable("tenant", "schema", "result", "version");
        for (DemoTenant demo : TENANTS) {
            MigrationResult result = tenantry.provisioning().provision(demo.tenant());
            provisioned.row(demo.tenant(), result.schema(), result.schemaCreated() ? "created"
                    : result.migrationsExecuted() > 0 ? "migrated" : "already existed",
                    Cli.version(result.targetVersion()));
        }
        provisioned.print(out, "  ");

        section("2. Write through JPA, each tenant inside Tenants.in(<tenant>, ...)");
        Map<String, Written> written = new LinkedHashMap<>();
        TextTable writes = new TextTable("tenant", "user", "user is", "anonymous session (1h TTL)", "claimed by");
        for (DemoTenant demo : TENANTS) {
            Written w = write(emf, demo);
            written.put(demo.tenant(), w);
            writes.row(demo.tenant(), demo.email(), w.userCreated() ? "new" : "existing", w.sessionId(), w.claimedBy());
        }
        writes.print(out, "  ");

        section("3. Check by hand with plain SQL over a connection from the pool");
        try (Connection connection = tenantry.database().pool().getConnection()) {
            printSchemas(connection, tenantry);
            printTables(connection);
            printVersions(tenantry);
            printCounts(connection);
        }

        section("4. Isolation through JPA: same entities, same EntityManagerFactory, same pool; only the tenant"
                + " in scope differs");
        List<Lookup> lookups = new ArrayList<>();
        for (DemoTenant viewer : TENANTS) {
            for (DemoTenant owner : TENANTS) {
                if (!owner.equals(viewer)) {
                    lookups.addAll(lookups(emf, viewer, owner, written.get(owner.tenant())));
                }
            }
            lookups.addAll(lookups(emf, viewer, viewer, written.get(viewer.tenant())));
        }
        TextTable isolation = new TextTable("inside Tenants.in(...)", "looks up", "found", "expected");
        List<Lookup> wrong = new ArrayList<>();
        for (Lookup lookup : lookups) {
            isolation.row(lookup.inScope(), lookup.lookingFor(), yesNo(lookup.found()), yesNo(lookup.expected()));
            if (lookup.found() != lookup.expected()) {
                wrong.add(lookup);
            }
        }
        isolation.print(out, "  ");
        out.println();
        if (!wrong.isEmpty()) {
            for (Lookup lookup : wrong) {
                cli.err().println("tenantry: isolation check failed: inside Tenants.in(\"" + lookup.inScope() + "\", ...) "
                        + lookup.lookingFor() + " was " + (lookup.found() ? "found" : "not found"));
            }
            out.println("FAILED: the isolation check found " + wrong.size() + " unexpected result"
                    + (wrong.size() == 1 ? "" : "s"));
            return Cli.FAILED;
        }
        out.println("OK: prod's rows are invisible from stage, and stage's from prod");
        return Cli.OK;
    }

    private static Written write(EntityManagerFactory emf, DemoTenant demo) {
        return Tenants.in(demo.tenant(), () -> emf.callInTransaction(em -> {
            Users users = new Users(em);
            Optional<User> existing = users.findByEmail(demo.email());
            User user = existing.orElseGet(() -> users.create(demo.email(), demo.name()));
            AnonSessions sessions = new AnonSessions(em);
            AnonSessions.Started started = sessions.start(
                    "{\"demo\": true, \"tenant\": \"" + demo.tenant() + "\"}", Duration.ofHours(1));
            AnonSession claimed = sessions.claim(started.token(), user);
            return new Written(existing.isEmpty(), claimed.id(), claimed.user().email());
        }));
    }

    /** What {@code viewer} finds of {@code owner}'s rows: everything when they are the same tenant, nothing otherwise. */
    private static List<Lookup> lookups(EntityManagerFactory emf, DemoTenant viewer, DemoTenant owner, Written rows) {
        boolean own = viewer.equals(owner);
        String whose = own ? "its own" : owner.tenant() + "'s";
        return Tenants.in(viewer.tenant(), () -> emf.callInTransaction(em -> List.of(
                new Lookup(viewer.tenant(), whose + " user " + owner.email() + " by email", own,
                        new Users(em).findByEmail(owner.email()).isPresent()),
                new Lookup(viewer.tenant(), whose + " anonymous session by id", own,
                        em.find(AnonSession.class, rows.sessionId()) != null))));
    }

    private void printSchemas(Connection connection, TenantryPersistence tenantry) throws SQLException {
        Map<String, String> tenantOfSchema = new HashMap<>();
        for (TenantInfo info : tenantry.provisioning().list()) {
            tenantOfSchema.put(info.schema(), info.tenant());
        }
        String shared = tenantry.config().sharedSchema().value();
        subsection("(a) Schemas", "sql> " + SCHEMAS_SQL);
        TextTable table = new TextTable("schema", "what it holds");
        for (List<String> row : query(connection, SCHEMAS_SQL)) {
            String schema = row.get(0);
            String holds = schema.equals(shared) ? "Tenantry's shared schema: the tenant registry"
                    : tenantOfSchema.containsKey(schema) ? "the tables of tenant " + tenantOfSchema.get(schema)
                    : schema.equals("public") ? "PostgreSQL's default schema; no tenant data"
                    : "not Tenantry's";
            table.row(schema, holds);
        }
        table.print(cli.out(), "  ");
    }

    private void printTables(Connection connection) throws SQLException {
        subsection("(b) Where each table lives", "sql> " + TABLES_SQL);
        TextTable table = new TextTable("schemaname", "tablename");
        for (List<String> row : query(connection, TABLES_SQL)) {
            table.row(row.get(0), row.get(1));
        }
        table.print(cli.out(), "  ");
    }

    private void printVersions(TenantryPersistence tenantry) {
        subsection("(c) Migration version of each tenant",
                "java> provisioning().versions()  (reads each schema's own flyway_schema_history)");
        Map<String, String> versions = tenantry.provisioning().versions();
        TextTable table = new TextTable("tenant", "schema", "state", "version");
        for (TenantInfo info : tenantry.provisioning().list()) {
            table.row(info.tenant(), info.schema(), info.state(), Cli.version(versions.get(info.tenant())));
        }
        table.print(cli.out(), "  ");
    }

    private void printCounts(Connection connection) throws SQLException {
        subsection("(d) Rows per schema, read with schema-qualified SQL",
                "sql> " + countsSql(TENANTS.get(0).tenant()) + "  (and the same for each tenant)");
        TextTable table = new TextTable("schema", "users", "anon_sessions", "claimed sessions");
        for (DemoTenant demo : TENANTS) {
            List<String> counts = query(connection, countsSql(demo.tenant())).get(0);
            table.row(demo.tenant(), counts.get(0), counts.get(1), counts.get(2));
        }
        table.print(cli.out(), "  ");
    }

    private static String countsSql(String tenant) {
        String schema = SchemaName.ofTenant(tenant).quoted();
        return "select (select count(*) from " + schema + ".users), (select count(*) from " + schema
                + ".anon_sessions), (select count(*) from " + schema + ".anon_sessions where user_id is not null)";
    }

    private static List<List<String>> query(Connection connection, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(result.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    private static String yesNo(boolean value) {
        return value ? "yes" : "no";
    }

    private void section(String title) {
        cli.out().println();
        cli.out().println(title);
    }

    private void subsection(String title, String how) {
        cli.out().println();
        cli.out().println("  " + title);
        cli.out().println("  " + how);
    }
}
