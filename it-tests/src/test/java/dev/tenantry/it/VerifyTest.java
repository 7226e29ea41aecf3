package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantVerification;
import dev.tenantry.tenancy.TenantVerifier;
import dev.tenantry.tenancy.TenantryPersistence;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** verify finds what a person would find by hand, and nothing on a healthy tenant. */
@WithPostgres
class VerifyTest {

    private static TenantryPersistence tenantry;
    private static TenantVerifier verifier;

    @BeforeAll
    static void start(TestDatabase db) {
        tenantry = Tenantry.start(db.config().perRequest().build());
        verifier = new TenantVerifier(tenantry.database(), tenantry.provisioning(),
                TenantVerifier.modelOf(tenantry.entityManagerFactory()));
    }

    @AfterAll
    static void stop() {
        tenantry.close();
    }

    private static TenantVerification verify(String tenant) {
        return verifier.verify(List.of(tenant)).get(0);
    }

    @Test
    void theModelIsReadFromTheEntityMappings() {
        Map<String, Set<String>> model = TenantVerifier.modelOf(tenantry.entityManagerFactory());
        assertThat(model).containsOnlyKeys("users", "anon_sessions");
        assertThat(model.get("anon_sessions")).contains("token_hash", "user_id", "payload", "expires_at", "version");
    }

    @Test
    void aHealthyTenantHasNoFindingsAndItsTablesAreWhereExpected() {
        tenantry.provisioning().provision("healthy");

        TenantVerification result = verify("healthy");

        assertThat(result.findings()).isEmpty();
        assertThat(result.tableLocations()).containsEntry("users", "healthy").containsEntry("anon_sessions", "healthy");
        assertThat(verifier.tableLocations().get("users")).contains("healthy");
        assertThat(verifier.effectiveSearchPath()).doesNotContain("healthy");
    }

    @Test
    void driftIsReportedColumnByColumn(TestDatabase db) {
        tenantry.provisioning().provision("drifted");
        db.execute("ALTER TABLE drifted.users ALTER COLUMN display_name TYPE varchar(10)");
        db.execute("ALTER TABLE drifted.anon_sessions DROP COLUMN payload");
        db.execute("ALTER TABLE drifted.users ADD COLUMN shoe_size int");

        assertThat(verify("drifted").findings()).containsExactlyInAnyOrder(
                "column users.display_name is character varying(10), the migrations make it text",
                "column anon_sessions.payload is missing",
                "column users.shoe_size (integer) is not made by the migrations");
    }

    @Test
    void missingTablesSchemasAndPendingMigrationsAreFindings(TestDatabase db) {
        tenantry.provisioning().provision("no_table");
        tenantry.provisioning().provision("no_schema");
        tenantry.provisioning().provision("behind");
        db.execute("DROP TABLE no_table.anon_sessions");
        db.execute("DROP SCHEMA no_schema CASCADE");
        db.execute("DELETE FROM behind.flyway_schema_history WHERE version = '3'");

        assertThat(verify("no_table").findings()).containsExactly("table anon_sessions is missing");
        assertThat(verify("no_table").tableLocations()).containsEntry("anon_sessions", null).containsEntry("users", "no_table");
        assertThat(verify("no_schema").findings()).contains("schema \"no_schema\" does not exist");
        assertThat(verify("behind").findings()).containsExactly("1 migration pending (at version 2)");
        assertThat(verify("never_registered").findings()).contains("tenant is not in the registry");
    }
}
