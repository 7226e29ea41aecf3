package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import org.junit.jupiter.api.Test;

/** An application keeps its persistence.xml unit; Tenantry lays its settings over it. */
@WithPostgres
class PersistenceXmlTest {

    @Test
    void aPersistenceUnitFromPersistenceXmlWorksPerRequest(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.builder(db.config().perRequest().build())
                .persistenceUnit("shop").start()) {
            tenantry.provisioning().provision("xml_a");
            tenantry.provisioning().provision("xml_b");
            Tenants.in("xml_a", () -> tenantry.entityManagerFactory()
                    .runInTransaction(em -> new Users(em).create("xml@a.example", "X")));

            long inB = Tenants.in("xml_b", () -> tenantry.entityManagerFactory()
                    .callInTransaction(em -> new Users(em).count()));

            assertThat(inB).isZero();
            assertThat(tenantry.entityManagerFactory().getProperties()).containsEntry("hibernate.jdbc.batch_size", "20");
        }
        assertThat(db.column("SELECT email FROM xml_a.users")).containsExactly("xml@a.example");
    }
}
