package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.entities.AnonSessions;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@WithPostgres
class TenantIsolationTest {

    private static TenantryPersistence tenantry;
    private static EntityManagerFactory emf;
    private static TestDatabase db;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        tenantry = Tenantry.start(database.config().perRequest().build());
        emf = tenantry.entityManagerFactory();
        tenantry.provisioning().provision("prod");
        tenantry.provisioning().provision("stage");
    }

    @AfterAll
    static void stop() {
        tenantry.close();
    }

    @Test
    void writesInProdAreInvisibleFromStage() {
        Tenants.in("prod", () -> emf.runInTransaction(em -> {
            new Users(em).create("ada@prod.example", "Ada");
            new AnonSessions(em).start("{\"cart\": 1}", Duration.ofHours(1));
        }));

        long usersSeenFromStage = Tenants.in("stage", () -> emf.callInTransaction(em -> new Users(em).count()));
        long sessionsSeenFromStage = Tenants.in("stage", () -> emf.callInTransaction(em -> new AnonSessions(em).countLive()));

        assertThat(usersSeenFromStage).isZero();
        assertThat(sessionsSeenFromStage).isZero();
        assertThat(db.column("SELECT email FROM prod.users")).containsExactly("ada@prod.example");
        assertThat(db.column("SELECT count(*) FROM prod.anon_sessions")).containsExactly("1");
        assertThat(db.column("SELECT count(*) FROM stage.users")).containsExactly("0");
    }

    @Test
    void writesInStageAreInvisibleFromProd() {
        Tenants.in("stage", () -> emf.runInTransaction(em -> new Users(em).create("grace@stage.example", "Grace")));

        List<String> emailsInProd = Tenants.in("prod", () -> emf.callInTransaction(em ->
                em.createQuery("select u.email from User u", String.class).getResultList()));

        assertThat(emailsInProd).doesNotContain("grace@stage.example");
        assertThat(db.column("SELECT email FROM stage.users")).contains("grace@stage.example");
        assertThat(db.column("SELECT email FROM prod.users")).doesNotContain("grace@stage.example");
    }

    @Test
    void theSameEmailMayExistOncePerTenant() {
        User inProd = Tenants.in("prod", () -> emf.callInTransaction(em -> new Users(em).create("same@example.com", "P")));
        User inStage = Tenants.in("stage", () -> emf.callInTransaction(em -> new Users(em).create("SAME@example.com", "S")));

        assertThat(inProd.id()).isNotEqualTo(inStage.id());
        assertThat(db.column("SELECT display_name FROM prod.users WHERE email = 'same@example.com'")).containsExactly("P");
        assertThat(db.column("SELECT display_name FROM stage.users WHERE email = 'SAME@example.com'")).containsExactly("S");
    }

    @Test
    void theTablesLiveInTheTenantSchemasAndNowhereElse() {
        assertThat(db.tables()).contains("prod.users", "prod.anon_sessions", "stage.users", "stage.anon_sessions")
                .doesNotContain("public.users", "public.anon_sessions");
    }
}
