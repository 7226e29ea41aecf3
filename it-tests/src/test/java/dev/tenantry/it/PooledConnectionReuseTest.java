package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With a pool of one connection, the same backend serves both tenants and carries nothing over. */
@WithPostgres
class PooledConnectionReuseTest {

    private record Session(Object backendPid, String searchPath, long users) {
    }

    private static Session look(EntityManagerFactory emf) {
        return emf.callInTransaction(em -> new Session(
                em.createNativeQuery("select pg_backend_pid()").getSingleResult(),
                (String) em.createNativeQuery("show search_path").getSingleResult(),
                new Users(em).count()));
    }

    @Test
    void aConnectionReusedAcrossTenantsCarriesNothingOver(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().poolMaxSize(1).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            tenantry.provisioning().provision("first");
            tenantry.provisioning().provision("second");
            Tenants.in("first", () -> emf.runInTransaction(em -> new Users(em).create("a@first.example", "A")));

            Session inFirst = Tenants.in("first", () -> look(emf));
            Session inSecond = Tenants.in("second", () -> look(emf));
            Session backInFirst = Tenants.in("first", () -> look(emf));

            assertThat(List.of(inSecond.backendPid(), backInFirst.backendPid())).containsOnly(inFirst.backendPid());
            assertThat(inFirst.users()).isEqualTo(1);
            assertThat(inSecond.users()).isZero();
            assertThat(backInFirst.users()).isEqualTo(1);
            assertThat(List.of(inFirst.searchPath(), inSecond.searchPath(), backInFirst.searchPath()))
                    .as("one search_path for every tenant, set when the connection was opened: no schema")
                    .containsOnly("\"\"");
        }
    }
}
