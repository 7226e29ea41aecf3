package dev.tenantry.it.citus;

import static dev.tenantry.it.support.CommandLineRun.ok;
import static dev.tenantry.it.support.CommandLineRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.Citus;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.CommandLineRun;
import dev.tenantry.it.support.WithCitus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tenantry command line against the coordinator: the same commands, tenants spread, placement shown, moves. */
@WithCitus
class CitusCommandLineTest {

    @Test
    void tenantsCreatedThroughTheCoordinatorSpreadOverBothWorkersAndOneMoves(CitusSandbox sandbox) {
        Map<String, String> env = sandbox.environment();
        List<String> tenants = sandbox.tenants("cli", 4);
        List<String> create = new ArrayList<>(List.of("tenants", "create"));
        create.addAll(tenants.subList(0, 2));
        ok(env, create.toArray(String[]::new));
        List<String> fromTemplate = new ArrayList<>(List.of("tenants", "create", "--from-template"));
        fromTemplate.addAll(tenants.subList(2, 4));
        ok(env, fromTemplate.toArray(String[]::new));

        CommandLineRun listed = ok(env, "tenants", "list");
        Citus.Node first = sandbox.cluster().workers().get(0);
        Citus.Node second = sandbox.cluster().workers().get(1);
        assertThat(listed.out()).containsPattern("tenant\\s+schema\\s+state\\s+version\\s+node")
                .contains(first.toString()).contains(second.toString()).contains("Tenants per node: ");
        for (String tenant : tenants) {
            assertThat(listed.out()).containsPattern(tenant + "\\s+" + tenant + "\\s+ready\\s+3\\s+" + sandbox.nodeOf(tenant));
        }
        assertThat(ok(env, "status").out()).containsPattern("tenant\\s+schema\\s+node\\s+state")
                .containsPattern(tenants.get(0) + "\\s+" + tenants.get(0) + "\\s+" + sandbox.nodeOf(tenants.get(0)) + "\\s+ready");

        String tenant = tenants.get(1);
        Citus.Node from = sandbox.nodeOf(tenant);
        Citus.Node to = from.equals(first) ? second : first;
        CommandLineRun moved = ok(env, "tenants", "move", tenant, "--to", to.toString());
        assertThat(moved.out()).contains("Moving tenant " + tenant + " (schema \"" + tenant + "\") from " + from + " to " + to)
                .contains("Moved tenant " + tenant + " from " + from + " to " + to + " in ");
        assertThat(sandbox.nodeOf(tenant)).isEqualTo(to);
        assertThat(ok(env, "tenants", "move", tenant, "--to", to.toString()).out())
                .contains("Tenant " + tenant + " lives on " + to + " already; nothing was moved.");

        CommandLineRun nowhere = run(env, "tenants", "move", tenant, "--to", to.host() + ":1");
        assertThat(nowhere.exit()).isEqualTo(1);
        assertThat(nowhere.err()).startsWith("tenantry: ").contains("is not a node that holds tenants").contains("nothing was moved");
        CommandLineRun badMode = run(env, "tenants", "move", tenant, "--to", to.toString(), "--mode", "fast");
        assertThat(badMode.exit()).isEqualTo(2);
        assertThat(badMode.err()).contains("--mode: 'fast' is not a transfer mode");

        ok(env, "migrate", "--all");
        ok(env, "verify");
        CommandLineRun rebalanced = ok(env, "rebalance");
        assertThat(rebalanced.out()).containsAnyOf("The cluster is balanced", "Rebalanced in ");
    }

    @Test
    void theDemoPassesThroughTheCoordinator(CitusSandbox sandbox) {
        // The demo's tenants are prod and stage, whatever the registry: drop them afterwards only if this run made them.
        List<String> before = sandbox.column("SELECT nspname FROM pg_namespace WHERE nspname IN ('prod', 'stage')");
        try {
            CommandLineRun demo = ok(sandbox.environment(), "demo");

            assertThat(demo.out()).contains("OK: prod's rows are invisible from stage, and stage's from prod");
            assertThat(sandbox.distributed("prod")).isTrue();
            assertThat(sandbox.distributed("stage")).isTrue();
            assertThat(sandbox.distributed(sandbox.sharedSchema())).isFalse();
        } finally {
            // Out of this class's registry too, so that the other tests' migrate --all does not meet them.
            sandbox.execute("DELETE FROM " + sandbox.sharedSchema() + ".tenants WHERE tenant_id IN ('prod', 'stage')");
            for (String schema : List.of("prod", "stage")) {
                if (!before.contains(schema)) {
                    sandbox.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
        }
    }

    @Test
    void movingOnPlainPostgresqlIsRefusedSayingWhy(CitusSandbox sandbox) {
        Map<String, String> env = new java.util.HashMap<>(sandbox.environment());
        env.put("TENANTRY_CITUS", "off");
        String tenant = sandbox.tenant("uncitused");
        ok(env, "tenants", "create", tenant);

        CommandLineRun refused = run(env, "tenants", "move", tenant, "--to", sandbox.cluster().workers().get(0).toString());

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("needs a Citus coordinator").contains("TENANTRY_CITUS=off").contains("nothing was moved");
        assertThat(ok(env, "tenants", "list").out()).doesNotContain("node");
    }
}
