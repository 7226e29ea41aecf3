package dev.tenantry.it.citus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.Citus;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.IsolationSoak;
import dev.tenantry.it.support.WithCitus;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import jakarta.persistence.EntityManagerFactory;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Isolation through the coordinator: the soak over tenants spread on both workers, and tenant roles, which must be
 * able to reach the worker holding their schema.
 */
@WithCitus
class CitusIsolationTest {

    static final int TRANSACTIONS = IsolationSoak.size("citus.soak.transactions", 2_000);

    @Test
    void manyThreadsAndTenantsThroughTheCoordinatorNeverCrossTenantsAndLoseNothing(CitusSandbox sandbox) throws Exception {
        List<String> tenants = sandbox.tenants("soak", 8);
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().poolMaxSize(4).build())) {
            tenants.forEach(tenantry.provisioning()::provisionFromTemplate);
            Set<Citus.Node> nodes = new HashSet<>();
            sandbox.placements(tenants).values().forEach(placement -> nodes.add(placement.node()));
            assertThat(nodes).as("the soak's tenants span both workers").hasSize(2);

            IsolationSoak.Result result = IsolationSoak.run(
                    new IsolationSoak.Settings("tenantry, Citus coordinator, pool 4", TRANSACTIONS, 6, tenants, 7,
                            TenantSchema.PLACEHOLDER + ".users"),
                    tenantry.entityManagerFactory(), sandbox::connect);
            System.out.println(result.summary());

            result.assertIsolatedAndComplete();
        }
    }

    @Test
    void tenantRolesWorkThroughTheCoordinatorAndRefuseAnotherTenantsSchema(CitusSandbox sandbox) {
        String mine = sandbox.tenant("roles_mine");
        String other = sandbox.tenant("roles_other");
        try (TenantryPersistence tenantry = Tenantry.start(sandbox.config().tenantRoles(true).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            tenantry.provisioning().provision(mine);
            tenantry.provisioning().provisionFromTemplate(other);
            Tenants.in(other, () -> emf.runInTransaction(em -> new Users(em).create("secret@other.example", "S")));

            long count = Tenants.in(mine, () -> emf.callInTransaction(em -> {
                new Users(em).create("me@mine.example", "Me");
                return new Users(em).count();
            }));
            String actingAs = Tenants.in(mine, () -> emf.callInTransaction(em ->
                    (String) em.createNativeQuery("select current_user").getSingleResult()));

            assertThat(count).isEqualTo(1);
            assertThat(actingAs).startsWith("t:" + mine + "@");
            assertThat(sandbox.distributed(mine)).isTrue();
            assertThatThrownBy(() -> Tenants.in(mine, () -> emf.callInTransaction(em ->
                    em.createNativeQuery("select count(*) from \"" + other + "\".users").getSingleResult())))
                    .hasStackTraceContaining("permission denied for schema " + other);
        }
        assertThat(sandbox.column("SELECT count(*) FROM " + other + ".users")).containsExactly("1");
    }
}
