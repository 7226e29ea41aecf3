package dev.tenantry.it.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.app.AppModel;
import dev.tenantry.it.app.Note;
import dev.tenantry.it.support.PgBouncer;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What SQL that names no schema finds behind PgBouncer, on every version installed here (Debian's 1.18, 1.25.2). In
 * transaction mode a session setting does not stay with the client, so Tenantry sets no {@code search_path} there: the
 * server sessions' own default decides, and Tenantry refuses to start until it finds what the mode requires, saying
 * what to run. In session mode, stated as such, Tenantry sets the path itself. Hibernate's own SQL names its schema and
 * stays in the tenant's whatever the path. {@code public} holds the same tables as the tenants, with rows.
 */
@WithPostgres
class SearchPathBehindPgBouncerTest {

    private static final Pattern ALTER_ROLE = Pattern.compile("ALTER ROLE \\S+ IN DATABASE \\S+ SET search_path = ('[^']*'|\"[^\"]+\")");

    private static List<String> publicBefore;

    @BeforeAll
    static void aSingleSchemaRunLeftItsTablesInPublic(TestDatabase db) {
        AppModel.createSharedSchema(db);
        AppModel.leaveSingleSchemaRunInPublic(db);
        publicBefore = AppModel.rowsIn(db, "public");
    }

    @BeforeEach
    void theServerDefaultIsPostgresOwn(TestDatabase db) {
        Assumptions.assumeFalse(PgBouncer.installed().isEmpty(), PgBouncer::missingMessage);
        db.execute("ALTER ROLE \"" + db.server().user() + "\" IN DATABASE \"" + db.name() + "\" RESET search_path");
    }

    private static TenantryConfig.Builder through(TestDatabase db, PgBouncer bouncer) {
        Map<String, String> env = new HashMap<>(db.environment());
        env.put(TenantryConfig.DATABASE_URL, bouncer.jdbcUrl(db.name()));
        env.put(TenantryConfig.ADMIN_DATABASE_URL, db.jdbcUrl());
        return TenantryConfig.builder().environment(env).poolMaxSize(4).poolMinIdle(0);
    }

    /** The statement the refusal says to run, run. */
    private static void runWhatTheRefusalSays(TestDatabase db, InvalidConfigurationException refusal) {
        Matcher statement = ALTER_ROLE.matcher(refusal.getMessage());
        assertThat(statement.find()).as("an ALTER ROLE statement in: %s", refusal.getMessage()).isTrue();
        db.execute(statement.group());
    }

    @Test
    void perRequestTransactionModeIsRefusedUntilTheServerSessionsFindNoSchemaThenSqlNamingNoSchemaFails(TestDatabase db)
            throws Exception {
        for (PgBouncer.Binary binary : PgBouncer.installed()) {
            theServerDefaultIsPostgresOwn(db);
            String tenant = "pgb_req_" + binary.minor();
            InvalidConfigurationException refused;
            try (PgBouncer bouncer = PgBouncer.using(binary).start(db.server())) {
                refused = catchThrowableOfType(InvalidConfigurationException.class,
                        () -> AppModel.start(through(db, bouncer).perRequest().build()));
            }
            assertThat(refused.setting()).isEqualTo("DATABASE_URL");
            assertThat(refused.getMessage()).contains("through a pooler", "finds schema public", "it must find no schema",
                    "SET search_path = ''", "RECONNECT", "TENANTRY_POOLER=session");
            runWhatTheRefusalSays(db, refused);

            // A new PgBouncer: its server connections open after the role's default changed.
            try (PgBouncer bouncer = PgBouncer.using(binary).start(db.server());
                 TenantryPersistence tenantry = AppModel.start(through(db, bouncer).perRequest().build())) {
                tenantry.provisioning().provision(tenant);
                Tenants.in(tenant, () -> tenantry.entityManagerFactory().runInTransaction(em -> AppModel.writeEverything(em, tenant)));

                Throwable nativeQuery = catchThrowable(() -> Tenants.in(tenant, () -> tenantry.entityManagerFactory()
                        .callInTransaction(em -> em.createNativeQuery("select count(*) from notes").getSingleResult())));
                Throwable plainJdbc;
                try (Connection connection = tenantry.database().pool().getConnection()) {
                    plainJdbc = catchThrowable(() -> AppModel.notesFoundNamingNoSchema(connection));
                }
                assertThat(nativeQuery).as("%s", binary).hasRootCauseInstanceOf(SQLException.class)
                        .rootCause().hasMessageContaining("relation \"notes\" does not exist");
                assertThat(plainJdbc).as("%s", binary).hasMessageContaining("relation \"notes\" does not exist");
                assertThat(Tenants.in(tenant, () -> tenantry.entityManagerFactory().callInTransaction(AppModel::readEverything)))
                        .isEqualTo(AppModel.everythingOnce(tenant));
            }
            assertThat(AppModel.rowsIn(db, tenant)).isEqualTo(AppModel.rowsOnce(tenant));
        }
        assertThat(AppModel.rowsIn(db, "public")).isEqualTo(publicBefore);
    }

    @Test
    void perDeploymentTransactionModeFindsTheDeploymentSchemaOnceTheRoleSaysSo(TestDatabase db) throws Exception {
        PgBouncer.Binary binary = PgBouncer.installed().get(0);
        InvalidConfigurationException refused;
        try (PgBouncer bouncer = PgBouncer.using(binary).start(db.server())) {
            refused = catchThrowableOfType(InvalidConfigurationException.class,
                    () -> AppModel.start(through(db, bouncer).perDeployment("pgb_prod").build()));
        }
        assertThat(refused.getMessage()).contains("it must find schema \"pgb_prod\"", "SET search_path = \"pgb_prod\"",
                "connect_query = 'SET search_path = \"pgb_prod\"'");
        assertThat(db.schemas()).as("refused before the schema was created").doesNotContain("pgb_prod");
        runWhatTheRefusalSays(db, refused);

        try (PgBouncer bouncer = PgBouncer.using(binary).start(db.server());
             TenantryPersistence prod = AppModel.start(through(db, bouncer).perDeployment("pgb_prod").build());
             Connection connection = prod.database().pool().getConnection()) {
            prod.entityManagerFactory().runInTransaction(em -> AppModel.writeEverything(em, "prod"));
            assertThat(AppModel.notesFoundNamingNoSchema(connection)).containsExactly("prod");
        }
        assertThat(AppModel.rowsIn(db, "public")).isEqualTo(publicBefore);
    }

    @Test
    void sessionModeStatedAsSuchGetsThePathFromTenantry(TestDatabase db) throws Exception {
        for (PgBouncer.Binary binary : PgBouncer.installed()) {
            String tenant = "pgb_session_" + binary.minor();
            try (PgBouncer bouncer = PgBouncer.using(binary).poolMode("session").serverConnections(5).start(db.server());
                 TenantryPersistence tenantry = AppModel.start(through(db, bouncer).perRequest()
                         .pooler(dev.tenantry.core.Pooler.SESSION).build());
                 Connection connection = tenantry.database().pool().getConnection()) {
                tenantry.provisioning().provision(tenant);
                assertThat(catchThrowable(() -> AppModel.notesFoundNamingNoSchema(connection))).as("%s", binary)
                        .hasMessageContaining("relation \"notes\" does not exist");
            }
        }
    }

    /**
     * The limit, shown: a client that sets {@code search_path} for its session through the same transaction-mode
     * PgBouncer changes it on a server session that Tenantry's transactions then run on. SQL that names no schema then
     * finds what that client chose; Hibernate's SQL, which names its schema, does not move.
     */
    @Test
    void anotherClientsSessionSettingThroughThePoolerReachesSqlNamingNoSchemaButNotHibernatesSql(TestDatabase db)
            throws Exception {
        PgBouncer.Binary binary = PgBouncer.installed().get(0);
        db.setRoleSearchPath("''");
        try (PgBouncer bouncer = PgBouncer.using(binary).serverConnections(1).start(db.server());
             TenantryPersistence tenantry = AppModel.start(through(db, bouncer).perRequest().build())) {
            tenantry.provisioning().provision("pgb_limit");
            try (Connection other = DriverManager.getConnection(bouncer.jdbcUrl(db.name()), db.server().user(),
                    db.server().password()); Statement statement = other.createStatement()) {
                statement.execute("SET search_path = public"); // outside a transaction: stays on the one server session
            }
            // A note only: with one server connection, the id generator table's separate transaction would wait forever.
            Tenants.in("pgb_limit", () -> tenantry.entityManagerFactory().runInTransaction(em -> em.persist(new Note("pgb_limit"))));
            List<String> seenByNativeSql;
            try (Connection connection = tenantry.database().pool().getConnection()) {
                seenByNativeSql = AppModel.notesFoundNamingNoSchema(connection);
            }

            assertThat(seenByNativeSql).as("SQL naming no schema, after another client's SET").containsExactly("public");
        }
        assertThat(AppModel.rowsIn(db, "pgb_limit")).as("Hibernate's SQL").containsExactly("note pgb_limit");
        assertThat(AppModel.rowsIn(db, "public")).isEqualTo(publicBefore);
    }
}
