package dev.tenantry.it.citus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.WithCitus;
import dev.tenantry.tenancy.Adoption;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A single-server application's tables (in {@code public}, with their history) adopted into a tenant on a Citus
 * coordinator: the tenant's schema becomes a distributed schema on a worker, foreign keys and rows intact, and the
 * way back brings the tables to {@code public} on the coordinator.
 */
@WithCitus
class CitusAdoptTest {

    /**
     * Marks what this class puts in the coordinator's shared {@code public}, so that a crashed run's leftovers are
     * recognised: a comment on each table (Citus drops comments when a schema is distributed and brought back) and
     * the domain of every user's email.
     */
    private static final String MARK = "tenantry-it: Citus adopt test";
    private static final String EMAIL = "legacy@citus-adopt.tenantry-it.example";
    private static final List<String> TABLES = List.of("users", "anon_sessions", "flyway_schema_history");

    @BeforeEach
    @AfterEach
    void publicHoldsNoModelTablesOfOurs(CitusSandbox sandbox) {
        List<String> present = sandbox.column("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY (?)",
                (Object) TABLES.toArray(String[]::new));
        if (present.isEmpty()) {
            return;
        }
        boolean marked = !sandbox.column("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = 'public' AND c.relname = ANY (?) AND obj_description(c.oid, 'pg_class') = ?",
                TABLES.toArray(String[]::new), MARK).isEmpty();
        boolean ourRows = present.contains("users") && sandbox.column("SELECT count(*) FILTER (WHERE email <> ?) || ' '"
                + " || count(*) FROM public.users", EMAIL).equals(List.of("0 1"));
        if (!marked && !ourRows) {
            throw new IllegalStateException("public holds " + present + " on the coordinator, which are not this test's;"
                    + " the adopt test needs public free of the model's tables");
        }
        for (String table : present) {
            sandbox.execute("DROP TABLE IF EXISTS public." + table + " CASCADE");
        }
    }

    @Test
    void publicTablesAreAdoptedIntoADistributedTenantAndBack(CitusSandbox sandbox) {
        String tenant = sandbox.tenant("legacy");
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().build())) {
            // The application as it ran on one server: its tables and history in public, a foreign key between them.
            new SchemaMigrator(tenantry.database().admin(), List.of(Tenantry.MIGRATIONS)).provision(null, SchemaName.PUBLIC);
            for (String table : TABLES) {
                sandbox.execute("COMMENT ON TABLE public." + table + " IS '" + MARK + "'");
            }
            sandbox.execute("INSERT INTO public.users (id, email) VALUES ('00000000-0000-0000-0000-00000000000a', '" + EMAIL + "')");
            sandbox.execute("INSERT INTO public.anon_sessions (id, token_hash, user_id, expires_at) VALUES"
                    + " (gen_random_uuid(), sha256('token'::bytea), '00000000-0000-0000-0000-00000000000a', now() + interval '1 hour')");

            Adoption plan = tenantry.provisioning().adopt(tenant, false, List.of(), true);
            assertThat(plan.statements()).contains("SET LOCAL citus.enable_schema_based_sharding = off",
                    "SELECT pg_catalog.citus_schema_distribute('\"" + tenant + "\"'::regnamespace)");
            assertThat(plan.statements().get(plan.statements().size() - 1)).contains("citus_schema_distribute");
            assertThat(sandbox.column("SELECT 1 FROM pg_namespace WHERE nspname = ?", tenant)).isEmpty();

            tenantry.provisioning().adopt(tenant, false, List.of(), false);

            assertThat(sandbox.distributed(tenant)).isTrue();
            assertThat(sandbox.nodeOf(tenant)).isIn(sandbox.cluster().workers());
            assertThat(sandbox.column("SELECT count(*) FROM citus_shards WHERE table_name::text LIKE ?", tenant + ".%"))
                    .containsExactly("3");
            assertThat(sandbox.column("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = ANY (?)",
                    (Object) TABLES.toArray(String[]::new))).containsExactly("0");
            assertThat(sandbox.column("SELECT count(*) FROM " + tenant + ".anon_sessions s JOIN " + tenant
                    + ".users u ON u.id = s.user_id")).containsExactly("1");
            boolean found = Tenants.in(tenant, () -> tenantry.entityManagerFactory().callInTransaction(em ->
                    new Users(em).findByEmail(EMAIL).isPresent()));
            assertThat(found).isTrue();
            assertThat(tenantry.provisioning().versions()).containsEntry(tenant, "3");

            Adoption back = tenantry.provisioning().adopt(tenant, true, List.of(), false);

            assertThat(back.statements().get(0)).contains("citus_schema_undistribute");
            assertThat(sandbox.column("SELECT email FROM public.users")).containsExactly(EMAIL);
            assertThat(sandbox.column("SELECT count(*) FROM public.anon_sessions WHERE user_id IS NOT NULL")).containsExactly("1");
            assertThat(sandbox.column("SELECT 1 FROM pg_namespace WHERE nspname = ?", tenant)).isEmpty();
            assertThat(tenantry.provisioning().find(tenant)).isEmpty();
        }
    }
}
