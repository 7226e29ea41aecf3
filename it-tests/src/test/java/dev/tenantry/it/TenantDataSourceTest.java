package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.NoTenantInScopeException;
import dev.tenantry.core.UnknownTenantException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.TenantryRuntime;
import dev.tenantry.tenancy.Tenants;
import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hand-written SQL over {@code TenantryPersistence.dataSource()}: the tenant in scope, or nothing at all. */
@WithPostgres
class TenantDataSourceTest {

    private static final String COUNT_USERS = "select count(*) from " + TenantSchema.PLACEHOLDER + ".users";

    private static TenantryPersistence tenantry;
    private static DataSource dataSource;
    private static TestDatabase db;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        tenantry = Tenantry.start(database.config().perRequest().build());
        dataSource = tenantry.dataSource();
        tenantry.provisioning().provision("jdbc_a");
        tenantry.provisioning().provision("jdbc_b");
        db.execute("INSERT INTO jdbc_a.users (id, email, created_at, updated_at, version)"
                + " VALUES (gen_random_uuid(), 'a@example.com', now(), now(), 0)");
    }

    @AfterAll
    static void stop() {
        tenantry.close();
    }

    @Test
    void placeholderResolvesToTheTenantInScopeWhenTheConnectionIsBorrowed() throws Exception {
        assertThat(Tenants.call("jdbc_a", () -> count(COUNT_USERS))).isEqualTo(1);
        assertThat(Tenants.call("jdbc_b", () -> count(COUNT_USERS))).isZero();
    }

    @Test
    void plainStatementsResolveThePlaceholderToo() throws Exception {
        long rows = Tenants.call("jdbc_a", () -> {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                 ResultSet result = statement.executeQuery(COUNT_USERS)) {
                result.next();
                return result.getLong(1);
            }
        });
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void withNoTenantEveryStatementIsRefusedButTheConnectionAnswersWhatNeedsNoSql() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            assertThat(connection.isValid(2)).isTrue();
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
            assertThatThrownBy(() -> connection.prepareStatement(COUNT_USERS)).isInstanceOf(NoTenantInScopeException.class);
            assertThatThrownBy(() -> connection.prepareStatement("select 1")).isInstanceOf(NoTenantInScopeException.class);
            try (Statement statement = connection.createStatement()) {
                assertThatThrownBy(() -> statement.execute("select count(*) from public.pg_class"))
                        .isInstanceOf(NoTenantInScopeException.class);
            }
        }
    }

    @Test
    void anUnknownTenantIsRefusedWhenTheConnectionIsBorrowed() {
        assertThatThrownBy(() -> Tenants.call("jdbc_nobody", TenantDataSourceTest::borrowAndClose))
                .isInstanceOf(UnknownTenantException.class)
                .hasMessageContaining("jdbc_nobody");
    }

    @Test
    void thePoolItselfIsReachableByUnwrapping() throws SQLException {
        // Per request with the tests' pool of 8: two lanes, each a HikariCP pool of its own.
        assertThat(dataSource.isWrapperFor(dev.tenantry.core.internal.PoolLanes.class)).isTrue();
        assertThat(dataSource.unwrap(dev.tenantry.core.internal.PoolLanes.class)).isSameAs(tenantry.database().pool());
        assertThat(dataSource.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)).as("several lanes, no one pool").isFalse();
        assertThat(tenantry.database().lanePools()).hasSize(2);
    }

    @Test
    void withOneLaneThePoolIsOneHikariPool() throws SQLException {
        try (TenantryRuntime runtime = Tenantry.builder(db.config().perRequest().poolLanes(1).build()).open()) {
            assertThat(runtime.dataSource().unwrap(com.zaxxer.hikari.HikariDataSource.class))
                    .isSameAs(runtime.database().lanePools().get(0));
        }
    }

    @Test
    void perDeploymentConnectionsWorkInTheDeploymentSchema() throws Exception {
        try (TenantryRuntime runtime = Tenantry.builder(db.config().perDeployment("jdbc_deploy").build()).open()) {
            try (Connection connection = runtime.dataSource().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("insert into " + TenantSchema.PLACEHOLDER + ".users (id, email, created_at, updated_at, version)"
                        + " values (gen_random_uuid(), 'd@example.com', now(), now(), 0)");
            }
        }
        assertThat(db.column("SELECT email FROM jdbc_deploy.users")).containsExactly("d@example.com");
    }

    private static long count(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        }
    }

    private static Void borrowAndClose() throws SQLException {
        try (Connection ignored = dataSource.getConnection()) {
            return null;
        }
    }
}
