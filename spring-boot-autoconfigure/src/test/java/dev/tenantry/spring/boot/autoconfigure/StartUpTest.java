package dev.tenantry.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.TenantUnavailableException;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.MigrationReport;
import dev.tenantry.tenancy.TenantMigration;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** Start-up as a whole Spring Boot application runs it: migrations first, failures isolated, Boot's Flyway off. */
@WithPostgres
class StartUpTest {

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class App {
    }

    private static ConfigurableApplicationContext start(TestDatabase db, String... properties) {
        return new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
                .properties(db.springProperties()).properties("tenantry.mode=per-request")
                .properties(properties)
                .run();
    }

    @Test
    void aTenantWhoseMigrationFailsAtStartIsRefusedAndTheOthersAreServed(TestDatabase db) {
        try (ConfigurableApplicationContext first = start(db, "tenantry.provision-on-start=su_good,su_bad")) {
            assertThat(first.getBean(TenantryMigrations.class).provisioningFailures()).isEmpty();
        }
        db.execute("CREATE TABLE su_bad.tags (id int)"); // V101 will collide with it in su_bad only

        try (ConfigurableApplicationContext next = start(db, "tenantry.migrations.locations=classpath:db/it_app_next")) {
            MigrationReport report = next.getBean(TenantryMigrations.class).report().orElseThrow();
            assertThat(report.tenants()).filteredOn(t -> t.tenant().equals("su_good"))
                    .singleElement().extracting(TenantMigration::status).isEqualTo(TenantMigration.Status.MIGRATED);
            assertThat(report.tenants()).filteredOn(t -> t.tenant().equals("su_bad"))
                    .singleElement().extracting(TenantMigration::status).isEqualTo(TenantMigration.Status.FAILED);
            assertThat(next.getBean(TenantProvisioning.class).unavailable()).containsOnlyKeys("su_bad");

            EntityManagerFactory emf = next.getBean(EntityManagerFactory.class);
            long users = Tenants.in("su_good", () -> emf.callInTransaction(em -> new Users(em).count()));
            assertThat(users).isZero();
            assertThatThrownBy(() -> Tenants.in("su_bad", () -> emf.callInTransaction(em -> new Users(em).count())))
                    .isInstanceOf(TenantUnavailableException.class).hasMessageContaining("su_bad");
            assertThat(db.tables()).contains("su_good.tags");
        }
    }

    @Test
    void migrateOnStartFalseLeavesTenantsAsTheyAre(TestDatabase db) {
        try (ConfigurableApplicationContext first = start(db, "tenantry.provision-on-start=su_later")) {
            assertThat(db.tables()).doesNotContain("su_later.tags");
        }
        try (ConfigurableApplicationContext next = start(db, "tenantry.migrations.locations=classpath:db/it_app_next",
                "tenantry.migrate-on-start=false")) {
            assertThat(next.getBean(TenantryMigrations.class).report()).isEmpty();
            assertThat(db.tables()).doesNotContain("su_later.tags");
        }
    }

    @Test
    void bootsOwnFlywayIsOffAndLeavesPublicAlone(TestDatabase db) {
        try (ConfigurableApplicationContext context = start(db)) {
            assertThat(context.getEnvironment().getProperty("spring.flyway.enabled")).isEqualTo("false");
            assertThat(context.getBeanNamesForType(org.flywaydb.core.Flyway.class)).isEmpty();
            assertThat(db.tables()).noneMatch(table -> table.startsWith("public."));
        }
    }
}
