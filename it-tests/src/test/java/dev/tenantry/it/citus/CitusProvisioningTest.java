package dev.tenantry.it.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.Citus;
import dev.tenantry.core.CitusMode;
import dev.tenantry.core.Database;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.TenantryException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.WithCitus;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantSchemaMapping;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Provisioning through a Citus coordinator: tenant schemas become distributed schemas spread over the workers,
 * Tenantry's own schemas stay on the coordinator, whatever the server's schema-based sharding setting says.
 */
@WithCitus
class CitusProvisioningTest {

    @Test
    void tenantsAreDistributedOverBothWorkersAndTenantrysOwnSchemasStayOnTheCoordinator(CitusSandbox sandbox) {
        List<String> plain = sandbox.tenants("plain", 4);
        List<String> copied = sandbox.tenants("copied", 4);
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().build())) {
            assertThat(tenantry.database().citus().active()).isTrue();
            plain.forEach(tenantry.provisioning()::provision);
            copied.forEach(tenantry.provisioning()::provisionFromTemplate);
            for (String tenant : plain) {
                Tenants.in(tenant, () -> tenantry.entityManagerFactory().runInTransaction(em ->
                        new Users(em).create("someone@" + tenant + ".example", tenant)));
            }

            List<String> all = new ArrayList<>(plain);
            all.addAll(copied);
            Map<String, Citus.Placement> placements = sandbox.placements(all);
            assertThat(placements).hasSize(8);
            assertThat(placements.values()).allSatisfy(p -> assertThat(p.node()).as("%s", p).isNotNull());
            Set<Citus.Node> nodes = new HashSet<>();
            placements.values().forEach(p -> nodes.add(p.node()));
            assertThat(nodes).as("the workers holding the tenants").containsExactlyInAnyOrderElementsOf(sandbox.cluster().workers());
            // each schema lives whole on one node: all its tables' shards together
            assertThat(sandbox.column("SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name::text LIKE ?",
                    plain.get(0) + ".%")).containsExactly("1");
            assertThat(sandbox.column("SELECT count(*) FROM citus_shards WHERE table_name::text LIKE ?",
                    copied.get(0) + ".%")).containsExactly("3");

            assertThat(sandbox.distributed(sandbox.sharedSchema())).as("the registry's schema is distributed").isFalse();
            assertThat(sandbox.distributed(TenantProvisioning.TEMPLATE_SCHEMA)).as("the template is distributed").isFalse();
            assertThat(tenantry.provisioning().versions()).containsAllEntriesOf(
                    all.stream().collect(Collectors.toMap(t -> t, t -> "3")));
            assertThat(sandbox.column("SELECT count(*) FROM " + plain.get(1) + ".users")).containsExactly("1");
        }
    }

    @Test
    void provisioningAgainUpdatesTheRegistryThroughTheCoordinator(CitusSandbox sandbox) {
        String tenant = sandbox.tenant("again");
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().build())) {
            MigrationResult first = tenantry.provisioning().provision(tenant);
            MigrationResult second = tenantry.provisioning().provision(tenant);
            MigrationResult copy = tenantry.provisioning().provisionFromTemplate(tenant);

            assertThat(first.schemaCreated()).isTrue();
            assertThat(second.alreadyCurrent()).isTrue();
            assertThat(copy.schemaCreated()).isFalse();
            assertThat(tenantry.provisioning().find(tenant)).get().satisfies(info -> assertThat(info.ready()).isTrue());
        }
    }

    @Test
    void aRegistryThatCitusDistributedStillTakesTenantsAndIsBroughtBackToTheCoordinator(CitusSandbox sandbox) {
        // What happened before Tenantry knew Citus: with schema-based sharding on, Citus distributed the new
        // registry schema, and the registry's upsert (now() in ON CONFLICT DO UPDATE) was refused there.
        String registry = sandbox.prefix() + "_was_distributed";
        String sharding = "?options=-c%20citus.enable_schema_based_sharding%3Don";
        String before = sandbox.tenant("before_repair");
        String after = sandbox.tenant("after_repair");
        try (TenantryPersistence unaware = Tenantry.start(sandbox.config().sharedSchema(registry).citus(CitusMode.OFF)
                .databaseUrl(sandbox.cluster().jdbcUrl() + sharding).build())) {
            assertThat(sandbox.distributed(registry)).isTrue();
            unaware.provisioning().provision(before);
            unaware.provisioning().provision(before);
        }

        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().sharedSchema(registry).build())) {
            assertThat(sandbox.distributed(registry)).isFalse();
            tenantry.provisioning().provision(after);

            assertThat(tenantry.provisioning().list()).extracting(info -> info.tenant() + " " + info.state())
                    .containsExactly(after + " ready", before + " ready");
            assertThat(sandbox.distributed(after)).isTrue();
        }
    }

    @Test
    void tenantsAreDistributedEvenWhereTheServerDoesNotShardSchemas(CitusSandbox sandbox) {
        String tenant = sandbox.tenant("setting_off");
        String copy = sandbox.tenant("setting_off_copy");
        // The session default comes from the connection: as if the server had schema-based sharding off.
        String url = sandbox.cluster().jdbcUrl() + "?options=-c%20citus.enable_schema_based_sharding%3Doff";
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().databaseUrl(url).build())) {
            try (var connection = tenantry.database().admin().getConnection();
                 var rows = connection.createStatement().executeQuery("SHOW citus.enable_schema_based_sharding")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualTo("off");
            }
            tenantry.provisioning().provision(tenant);
            tenantry.provisioning().provisionFromTemplate(copy);

            assertThat(sandbox.distributed(tenant)).isTrue();
            assertThat(sandbox.distributed(copy)).isTrue();
            assertThat(sandbox.nodeOf(tenant)).isIn(sandbox.cluster().workers());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aTenantSchemaMadeBeforeCitusIsDistributedWhenProvisioned(CitusSandbox sandbox) {
        String tenant = sandbox.tenant("from_before");
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().build())) {
            tenantry.provisioning().provision(tenant);
            Tenants.in(tenant, () -> tenantry.entityManagerFactory().runInTransaction(em ->
                    new Users(em).create("kept@before.example", "Kept")));
            sandbox.execute("SELECT citus_schema_undistribute('" + tenant + "')");
            assertThat(sandbox.distributed(tenant)).isFalse();

            MigrationResult again = tenantry.provisioning().provision(tenant);

            assertThat(again.schemaCreated()).isFalse();
            assertThat(sandbox.distributed(tenant)).isTrue();
            assertThat(sandbox.nodeOf(tenant)).isIn(sandbox.cluster().workers());
            assertThat(sandbox.column("SELECT email FROM " + tenant + ".users")).containsExactly("kept@before.example");
            // the coordinator's local copy of the rows was freed, not left invisible on its disk
            assertThat(sandbox.column("SELECT pg_relation_size(?::regclass)", tenant + ".users")).containsExactly("0");
        }
    }

    @Test
    void clonesWithDataAreDistributedWithEveryRow(CitusSandbox sandbox) {
        String source = sandbox.tenant("clone_source");
        String target = sandbox.tenant("clone_target");
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().build())) {
            tenantry.provisioning().provisionFromTemplate(source);
            Tenants.in(source, () -> tenantry.entityManagerFactory().runInTransaction(em -> {
                for (int i = 0; i < 25; i++) {
                    new Users(em).create("user" + i + "@clone.example", "User " + i);
                }
            }));

            MigrationResult clone = tenantry.provisioning().cloneTenant(source, target, true);

            assertThat(clone.targetVersion()).isEqualTo("3");
            assertThat(sandbox.distributed(target)).isTrue();
            assertThat(sandbox.column("SELECT count(*) FROM " + target + ".users")).containsExactly("25");
            long found = Tenants.in(target, () -> tenantry.entityManagerFactory().callInTransaction(em -> new Users(em).count()));
            assertThat(found).isEqualTo(25);
        }
    }

    @Test
    void migrateAllRunsEveryTenantsMigrationsThroughTheCoordinator(CitusSandbox sandbox) {
        List<String> tenants = sandbox.tenants("migrated", 3);
        try (Database database = Database.open(sandbox.config().build())) {
            TenantProvisioning atThree = TenantProvisioning.open(database, List.of(Tenantry.MIGRATIONS), TenantSchemaMapping.identity());
            tenants.forEach(atThree::provision);

            TenantProvisioning withMore = TenantProvisioning.open(database, List.of(Tenantry.MIGRATIONS, "classpath:db/it/extra"),
                    TenantSchemaMapping.identity());
            MigrationReport report = withMore.migrate(tenants, 2, outcome -> { });

            assertThat(report.failures()).isEmpty();
            assertThat(report.count(TenantMigration.Status.MIGRATED)).isEqualTo(3);
            assertThat(withMore.versions()).containsAllEntriesOf(
                    tenants.stream().collect(Collectors.toMap(t -> t, t -> "100")));
            assertThat(sandbox.column("SELECT count(*) FROM information_schema.columns WHERE table_schema = ?"
                    + " AND table_name = 'users' AND column_name = 'nickname'", tenants.get(2))).containsExactly("1");
            assertThat(tenants).allSatisfy(tenant -> assertThat(sandbox.distributed(tenant)).isTrue());
        }
    }

    @Test
    void droppingATenantRemovesItsDistributedSchema(CitusSandbox sandbox) {
        String tenant = sandbox.tenant("dropped");
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().build())) {
            tenantry.provisioning().provision(tenant);
            assertThat(sandbox.distributed(tenant)).isTrue();

            tenantry.provisioning().drop(tenant, tenant);

            assertThat(sandbox.distributed(tenant)).isFalse();
            assertThat(sandbox.column("SELECT count(*) FROM citus_shards WHERE table_name::text LIKE ?", tenant + ".%"))
                    .containsExactly("0");
            assertThat(sandbox.column("SELECT 1 FROM pg_namespace WHERE nspname = ?", tenant)).isEmpty();
        }
    }

    @Test
    void aWorkerIsRefusedForSchemaChanges(CitusSandbox sandbox) {
        Citus.Node worker = sandbox.cluster().workers().get(0);
        String url = "jdbc:postgresql://" + worker + "/" + sandbox.cluster().jdbcUrl().replaceFirst(".*/", "");
        try (Database database = Database.open(sandbox.config().databaseUrl(url).build())) {
            assertThatThrownBy(database::citus)
                    .isInstanceOf(TenantryException.class)
                    .hasMessageContaining("is a Citus worker")
                    .hasMessageContaining("coordinator");
        }
        try (Database database = Database.open(sandbox.config().databaseUrl(url).citus(CitusMode.OFF).build())) {
            assertThat(database.citus()).isSameAs(Citus.NONE);
        }
    }
}
