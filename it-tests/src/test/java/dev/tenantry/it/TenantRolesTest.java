package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantDrop;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** With tenant roles on, the database itself refuses SQL that names another tenant's schema. */
@WithPostgres
class TenantRolesTest {

    /**
     * Roles belong to the whole server, not to the test's database: remove the ones this class made, so
     * that runs against a long-lived server leave nothing behind.
     */
    @AfterAll
    static void dropTheRolesOfThisDatabase(TestDatabase db) {
        for (String role : db.column("SELECT quote_ident(rolname) FROM pg_roles WHERE rolname LIKE 't:%@' || left(encode(sha256("
                + "convert_to(current_database(), 'UTF8')), 'hex'), 6)")) {
            db.execute("DROP OWNED BY " + role);
            db.execute("DROP ROLE " + role);
        }
    }

    private static final String PEEK_INTO_OTHER = "select count(*) from \"roles_other\".users";

    @Test
    void handWrittenSqlNamingAnotherTenantsSchemaIsRefusedByTheDatabase(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().tenantRoles(true).build())) {
            EntityManagerFactory emf = tenantry.entityManagerFactory();
            tenantry.provisioning().provision("roles_mine");
            tenantry.provisioning().provision("roles_other");
            Tenants.in("roles_other", () -> emf.runInTransaction(em -> new Users(em).create("secret@other.example", "S")));

            long mine = Tenants.in("roles_mine", () -> emf.callInTransaction(em -> {
                new Users(em).create("me@mine.example", "Me");
                return new Users(em).count();
            }));
            String actingAs = Tenants.in("roles_mine", () -> emf.callInTransaction(em ->
                    (String) em.createNativeQuery("select current_user").getSingleResult()));

            assertThat(mine).isEqualTo(1);
            assertThat(actingAs).startsWith("t:roles_mine@");
            assertThatThrownBy(() -> Tenants.in("roles_mine", () -> emf.callInTransaction(em ->
                    em.createNativeQuery(PEEK_INTO_OTHER).getSingleResult())))
                    .hasStackTraceContaining("permission denied for schema roles_other");
        }
        assertThat(db.column("SELECT count(*) FROM roles_other.users")).containsExactly("1");
    }

    @Test
    void withoutTenantRolesTheSamePeekSucceedsWhichIsWhatTheOptionPrevents(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().build())) {
            tenantry.provisioning().provision("plain_mine");
            tenantry.provisioning().provision("roles_other");
            Object count = Tenants.in("plain_mine", () -> tenantry.entityManagerFactory().callInTransaction(em ->
                    em.createNativeQuery(PEEK_INTO_OTHER).getSingleResult()));
            assertThat(count).isNotNull();
        }
    }

    @Test
    void workOutsideATransactionIsRefusedWithTenantRolesOn(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().tenantRoles(true).build())) {
            tenantry.provisioning().provision("roles_autocommit");
            assertThatThrownBy(() -> Tenants.in("roles_autocommit", () -> {
                try (EntityManager em = tenantry.entityManagerFactory().createEntityManager()) {
                    return em.createNativeQuery("select 1").getSingleResult();
                }
            })).hasStackTraceContaining("must run inside a transaction");
        }
    }

    @Test
    void droppingATenantDropsItsOwnRoleWithTheSchema(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().tenantRoles(true).build())) {
            tenantry.provisioning().provision("roles_dropped");
            Tenants.in("roles_dropped", () -> tenantry.entityManagerFactory().runInTransaction(em ->
                    new Users(em).create("gone@dropped.example", "G")));
            String role = roleOf(db, "roles_dropped");
            assertThat(role).as("the tenant's role").isNotNull();

            TenantDrop dropped = tenantry.provisioning().drop("roles_dropped", "roles_dropped");

            assertThat(dropped.roleDropped()).isTrue();
            assertThat(dropped.role()).isEqualTo("\"" + role + "\"");
            assertThat(roleOf(db, "roles_dropped")).isNull();
            assertThat(db.schemas()).doesNotContain("roles_dropped");
            assertThat(tenantry.provisioning().find("roles_dropped")).isEmpty();
        }
    }

    @Test
    void aRoleTheServerWillNotDropIsKeptAndTheTenantIsDroppedAllTheSame(TestDatabase db) {
        try (TenantryPersistence tenantry = Tenantry.start(db.config().perRequest().tenantRoles(true).build())) {
            tenantry.provisioning().provision("roles_anchored");
            String role = roleOf(db, "roles_anchored");
            // Something outside the schema depends on the role, so the server refuses to drop it.
            db.execute("CREATE TABLE public.roles_anchor (id int)");
            db.execute("ALTER TABLE public.roles_anchor OWNER TO \"" + role + "\"");
            try {
                TenantDrop dropped = tenantry.provisioning().drop("roles_anchored", "roles_anchored");

                assertThat(dropped.roleDropped()).isFalse();
                assertThat(dropped.role()).isEqualTo("\"" + role + "\"");
                assertThat(dropped.roleKeptBecause()).contains("cannot be dropped because some objects depend on it");
                assertThat(roleOf(db, "roles_anchored")).isEqualTo(role);
                assertThat(db.schemas()).doesNotContain("roles_anchored");
                assertThat(tenantry.provisioning().find("roles_anchored")).isEmpty();
            } finally {
                db.execute("DROP TABLE public.roles_anchor");
            }
        }
    }

    /** The name of the tenant role the server has for {@code schema} in the test's database, or {@code null}. */
    private static String roleOf(TestDatabase db, String schema) {
        java.util.List<String> roles = db.column("SELECT rolname FROM pg_roles WHERE rolname = 't:" + schema + "@' || left("
                + "encode(sha256(convert_to(current_database(), 'UTF8')), 'hex'), 6)");
        return roles.isEmpty() ? null : roles.get(0);
    }

    @Test
    void aPerDeploymentProcessCanRunAsItsSchemasRoleToo(TestDatabase db) {
        try (TenantryPersistence deployment = Tenantry.start(db.config().perDeployment("roles_deploy").tenantRoles(true).build())) {
            String actingAs = deployment.entityManagerFactory().callInTransaction(em ->
                    (String) em.createNativeQuery("select current_user").getSingleResult());
            assertThat(actingAs).startsWith("t:roles_deploy@");
        }
    }
}
