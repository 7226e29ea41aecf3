package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.NoTenantInScopeException;
import dev.tenantry.core.UnknownTenantException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantInfo;
import dev.tenantry.tenancy.TenantSchemaMapping;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.hibernate.jpa.HibernateHints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Provisioning, resolving and refusing tenants in per-request mode. */
@WithPostgres
class TenantLifecycleTest {

    private static TenantryPersistence tenantry;
    private static EntityManagerFactory emf;

    @BeforeAll
    static void start(TestDatabase db) {
        tenantry = Tenantry.start(db.config().perRequest().build());
        emf = tenantry.entityManagerFactory();
    }

    @AfterAll
    static void stop() {
        tenantry.close();
    }

    @Test
    void aDigitLeadingSchemaIsCreatedQuotedAndUsable(TestDatabase db) {
        tenantry.provisioning().provision("00_personal_todo");
        Tenants.in("00_personal_todo", () -> emf.runInTransaction(em -> new Users(em).create("me@todo.example", "Me")));

        assertThat(db.schemas()).contains("00_personal_todo");
        assertThat(db.column("SELECT email FROM \"00_personal_todo\".users")).containsExactly("me@todo.example");
    }

    @Test
    void provisioningIsIdempotent(TestDatabase db) {
        MigrationResult first = tenantry.provisioning().provision("twice");
        MigrationResult second = tenantry.provisioning().provision("twice");

        assertThat(first.schemaCreated()).isTrue();
        assertThat(first.migrationsExecuted()).isEqualTo(3);
        assertThat(second.alreadyCurrent()).isTrue();
        assertThat(db.column("SELECT count(*) FROM twice.flyway_schema_history")).containsExactly("3");
    }

    @Test
    void concurrentProvisioningOfOneTenantCreatesItOnce(TestDatabase db) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<MigrationResult>> results = pool.invokeAll(IntStream.range(0, 6)
                    .mapToObj(i -> (Callable<MigrationResult>) () -> tenantry.provisioning().provision("raced"))
                    .toList());
            long created = 0;
            for (Future<MigrationResult> result : results) {
                created += result.get().schemaCreated() ? 1 : 0;
            }
            assertThat(created).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(db.column("SELECT count(*) FROM raced.flyway_schema_history WHERE success")).containsExactly("3");
        assertThat(tenantry.provisioning().find("raced")).map(TenantInfo::state).contains(TenantInfo.READY);
    }

    @Test
    void anUnknownTenantIsRefusedWithItsNameAndSchema() {
        assertThatThrownBy(() -> Tenants.in("ghost", () -> emf.callInTransaction(em -> new Users(em).count())))
                .satisfies(e -> assertThat(causeOfType(e, UnknownTenantException.class))
                        .isNotNull()
                        .satisfies(unknown -> {
                            assertThat(unknown.tenant()).isEqualTo("ghost");
                            assertThat(unknown.schema()).isEqualTo("ghost");
                            assertThat(unknown.getMessage()).contains("ghost");
                        }));
    }

    @Test
    void workWithNoTenantInScopeIsRefusedNeverSentToPublic(TestDatabase db) {
        assertThat(Tenants.current()).isEmpty();

        assertThatThrownBy(() -> emf.callInTransaction(em -> new Users(em).count()))
                .satisfies(e -> assertThat(causeOfType(e, NoTenantInScopeException.class)).isNotNull());
        assertThat(db.tables()).doesNotContain("public.users");
    }

    @Test
    void theHibernateTenantIdPropertyChoosesTheTenantWithoutAScope() {
        tenantry.provisioning().provision("by_property");
        try (EntityManager em = emf.createEntityManager(Map.of(HibernateHints.HINT_TENANT_ID, "by_property"))) {
            em.getTransaction().begin();
            new Users(em).create("prop@example.com", "Prop");
            em.getTransaction().commit();
        }
        long count = Tenants.in("by_property", () -> emf.callInTransaction(em -> new Users(em).count()));
        assertThat(count).isEqualTo(1);
    }

    @Test
    void hostileTenantIdsAreRefusedBeforeAnySql(TestDatabase db) {
        List<String> schemasBefore = db.schemas();
        List<String> hostile = List.of("prod\"; DROP SCHEMA prod CASCADE; --", "a b", "Prod", "x.y", "pg_catalog",
                "information_schema", "public", "", "tenantry", "\u0430cme", "a".repeat(64), "semi;colon", "quote'd");

        for (String tenant : hostile) {
            assertThatThrownBy(() -> tenantry.provisioning().provision(tenant))
                    .as("provision(%s)", tenant).isInstanceOf(InvalidSchemaNameException.class);
            if (!tenant.equals("tenantry")) { // a valid name: refused only as a tenant of its own, not as a scope
                assertThatThrownBy(() -> Tenants.open(tenant))
                        .as("Tenants.open(%s)", tenant).isInstanceOf(InvalidSchemaNameException.class);
            }
        }
        assertThat(Tenants.current()).isEmpty();
        assertThat(db.schemas()).isEqualTo(schemasBefore);
        assertThat(tenantry.provisioning().list()).extracting(TenantInfo::tenant).doesNotContainAnyElementsOf(hostile);
    }

    @Test
    void eachTenantSchemaKeepsItsOwnMigrationHistory(TestDatabase db) {
        tenantry.provisioning().provision("history_a");
        tenantry.provisioning().provision("history_b");
        db.execute("DELETE FROM history_b.flyway_schema_history WHERE version = '3'");

        Map<String, String> versions = tenantry.provisioning().versions();

        assertThat(versions).containsEntry("history_a", "3").containsEntry("history_b", "2");
        assertThat(db.column("SELECT count(*) FROM history_a.flyway_schema_history")).containsExactly("3");
        assertThat(db.tables()).contains("history_a.flyway_schema_history", "history_b.flyway_schema_history");
    }

    @Test
    void listShowsProvisionedTenantsWithTheirSchemaStateAndVersion() {
        tenantry.provisioning().provision("listed");
        TenantInfo listed = tenantry.provisioning().list().stream()
                .filter(t -> t.tenant().equals("listed")).findFirst().orElseThrow();

        assertThat(listed.schema()).isEqualTo("listed");
        assertThat(listed.state()).isEqualTo(TenantInfo.READY);
        assertThat(listed.version()).isEqualTo("3");
    }

    @Test
    void anApplicationMappingLetsUuidTenantIdsUseValidSchemas(TestDatabase db) {
        String tenantId = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
        TenantSchemaMapping mapping = id -> "t_" + id.toLowerCase().replace("-", "");
        try (TenantryPersistence mapped = Tenantry.builder(db.config().perRequest().build()).mapping(mapping).start()) {
            mapped.provisioning().provision(tenantId);
            Tenants.in(tenantId, () -> mapped.entityManagerFactory()
                    .runInTransaction(em -> new Users(em).create("uuid@example.com", "U")));
        } finally {
            Tenants.useMapping(null);
        }
        assertThat(db.column("SELECT email FROM t_3f2504e04f8911d39a0c0305e82c3301.users")).containsExactly("uuid@example.com");
    }

    static <T extends Throwable> T causeOfType(Throwable thrown, Class<T> type) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
