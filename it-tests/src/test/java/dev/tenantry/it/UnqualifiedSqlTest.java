package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.app.AppModel;
import dev.tenantry.it.support.StandardError;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import jakarta.persistence.EntityManagerFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SQL that Hibernate's mapping does not qualify (a native query without {@code {h-schema}}, plain JDBC on Tenantry's
 * pool) never reaches {@code public} or another tenant: per request it finds no schema and fails, per deployment it
 * finds the deployment's schema. {@code public} holds the same tables as the tenants, with rows, so a read there would
 * be seen.
 */
@WithPostgres
class UnqualifiedSqlTest {

    private static List<String> publicBefore;

    @BeforeAll
    static void aSingleSchemaRunLeftItsTablesInPublic(TestDatabase db) {
        AppModel.createSharedSchema(db);
        AppModel.leaveSingleSchemaRunInPublic(db);
        publicBefore = AppModel.rowsIn(db, "public");
    }

    private static Object nativeCount(EntityManagerFactory emf) {
        return emf.callInTransaction(em -> em.createNativeQuery("select count(*) from notes").getSingleResult());
    }

    @Test
    void perRequestSqlNamingNoSchemaFindsNoTableNotEvenPublics(TestDatabase db) throws SQLException {
        try (TenantryPersistence tenantry = AppModel.start(db.config().perRequest().build())) {
            tenantry.provisioning().provision("uq_a");
            Tenants.in("uq_a", () -> tenantry.entityManagerFactory().runInTransaction(em -> AppModel.writeEverything(em, "uq_a")));

            Throwable nativeQuery = catchThrowable(() -> Tenants.in("uq_a", () -> nativeCount(tenantry.entityManagerFactory())));
            Throwable plainJdbc;
            try (Connection connection = tenantry.database().pool().getConnection()) {
                plainJdbc = catchThrowable(() -> AppModel.notesFoundNamingNoSchema(connection));
                assertThat(connection.getSchema()).as("a pooled connection's current schema").isNull();
            }
            long withPlaceholder = Tenants.in("uq_a", () -> tenantry.entityManagerFactory().callInTransaction(em ->
                    ((Number) em.createNativeQuery("select count(*) from {h-schema}notes").getSingleResult()).longValue()));

            assertThat(nativeQuery).hasRootCauseMessage("ERROR: relation \"notes\" does not exist\n  Position: 22");
            assertThat(plainJdbc).isInstanceOf(SQLException.class).hasMessageContaining("relation \"notes\" does not exist");
            assertThat(withPlaceholder).isEqualTo(1);
        }
        assertThat(AppModel.rowsIn(db, "public")).isEqualTo(publicBefore);
    }

    @Test
    void perDeploymentSqlNamingNoSchemaFindsTheDeploymentsSchema(TestDatabase db) throws SQLException {
        try (TenantryPersistence prod = AppModel.start(db.config().perDeployment("uq_prod").build());
             TenantryPersistence stage = AppModel.start(db.config().perDeployment("uq_stage").build())) {
            prod.entityManagerFactory().runInTransaction(em -> AppModel.writeEverything(em, "prod"));
            stage.entityManagerFactory().runInTransaction(em -> AppModel.writeEverything(em, "stage"));

            assertThat(nativeCount(prod.entityManagerFactory())).isEqualTo(1L);
            try (Connection fromProd = prod.database().pool().getConnection();
                 Connection fromStage = stage.database().pool().getConnection()) {
                assertThat(AppModel.notesFoundNamingNoSchema(fromProd)).containsExactly("prod");
                assertThat(AppModel.notesFoundNamingNoSchema(fromStage)).containsExactly("stage");
                try (Statement statement = fromStage.createStatement()) {
                    statement.execute("insert into notes (id, body) values (nextval('notes_seq'), 'stage, by hand')");
                }
                assertThat(fromProd.getSchema()).isEqualTo("uq_prod");
            }
        }
        assertThat(AppModel.rowsIn(db, "uq_stage")).contains("note stage", "note stage, by hand");
        assertThat(AppModel.rowsIn(db, "public")).isEqualTo(publicBefore);
    }

    @Test
    void perDeploymentInPublicSqlNamingNoSchemaFindsPublic(TestDatabase db) throws SQLException {
        // public holds the single-schema run's tables without a migration history: taken as it is, not migrated.
        try (TenantryPersistence deployment = AppModel.start(db.config().perDeployment(null).autoProvision(false).build());
             Connection connection = deployment.database().pool().getConnection()) {
            assertThat(AppModel.notesFoundNamingNoSchema(connection)).containsExactly("public");
        }
    }

    @Test
    void anExtensionWithFunctionsOnlyOffThePathIsReportedAndItsFunctionsNeedTheirSchema(TestDatabase db) throws SQLException {
        db.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public");
        try {
            String log = StandardError.during(() -> {
                try (TenantryPersistence tenantry = AppModel.start(db.config().perRequest().build());
                     Connection connection = tenantry.database().pool().getConnection();
                     Statement statement = connection.createStatement()) {
                    assertThat(catchThrowable(() -> statement.execute("select gen_salt('bf')")))
                            .hasMessageContaining("function gen_salt(unknown) does not exist");
                    statement.execute("select public.gen_salt('bf')");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(log).contains("Extensions off the search_path of pooled connections ('')", "pgcrypto (schema public)",
                    "TENANTRY_EXTENSION_SCHEMAS");
        } finally {
            db.execute("DROP EXTENSION pgcrypto");
        }
    }

    @Test
    void anExtensionWithOperatorsOffThePathRefusesTheStartUntilItsSchemaIsListed(TestDatabase db) throws SQLException {
        db.execute("CREATE EXTENSION IF NOT EXISTS citext SCHEMA public");
        try {
            InvalidConfigurationException refused = catchThrowableOfType(InvalidConfigurationException.class,
                    () -> AppModel.start(db.config().perRequest().build()));

            assertThat(refused.setting()).isEqualTo("TENANTRY_EXTENSION_SCHEMAS");
            assertThat(refused.getMessage()).contains("citext (schema public)", "case-sensitive");
            try (TenantryPersistence tenantry = AppModel.start(db.config().perRequest().extensionSchemas("public").build());
                 Connection connection = tenantry.database().pool().getConnection();
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("select 'ABC'::citext = 'abc'")) {
                rows.next();
                assertThat(rows.getBoolean(1)).as("citext's =, found on the path").isTrue();
                // The price, as documented: SQL that names no schema now also finds public's tables.
                assertThat(AppModel.notesFoundNamingNoSchema(connection)).containsExactly("public");
            }
        } finally {
            db.execute("DROP EXTENSION citext");
        }
    }
}
