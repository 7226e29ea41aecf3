package dev.tenantry.it.citus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.MigrationResult;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.CitusSandbox;
import dev.tenantry.it.support.WithCitus;
import dev.tenantry.tenancy.TenantryPersistence;
import dev.tenantry.tenancy.Tenants;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A single-node Citus database (the extension in a database of its own on the coordinator, which then holds the
 * shards itself): the shard tables sit in the tenant's schema beside its tables, hidden from {@code pg_class} but not
 * their row types, and template copies and clones must ignore them. This is the one place the suite creates a
 * database: on the coordinator only, which is all a single node needs.
 */
@WithCitus
class CitusSingleNodeTest {

    private static String database;

    @BeforeAll
    static void createSingleNodeDatabase(CitusSandbox sandbox) throws SQLException {
        database = sandbox.prefix() + "_single";
        // template0: Citus's maintenance daemon may hold template1 and make CREATE DATABASE from it fail.
        sandbox.execute("CREATE DATABASE " + database + " TEMPLATE template0");
        try (Connection connection = sandbox.cluster().connect(database); Statement statement = connection.createStatement()) {
            statement.execute("SET client_min_messages = warning");
            statement.execute("CREATE EXTENSION citus");
        }
    }

    @AfterAll
    static void dropIt(CitusSandbox sandbox) {
        sandbox.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    @Test
    void templateCopiesAndClonesIgnoreTheShardTablesBesideTheTenantsTables(CitusSandbox sandbox) throws SQLException {
        TenantryConfig config = sandbox.config().databaseUrl(sandbox.cluster().jdbcUrl().replaceFirst("/[^/]*$", "/" + database))
                .sharedSchema("tenantry").build();
        try (TenantryPersistence tenantry = Tenantry.start(config)) {
            tenantry.provisioning().provision("source");
            Tenants.in("source", () -> tenantry.entityManagerFactory().runInTransaction(em ->
                    new Users(em).create("one@single.example", "One")));
            try (Connection connection = sandbox.cluster().connect(database)) {
                assertThat(strings(connection, "SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
                        + " WHERE n.nspname = 'source' AND typname ~ '^users_[0-9]+$'")).as("the shard's row type").isNotEmpty();
            }

            MigrationResult copy = tenantry.provisioning().provisionFromTemplate("copied");
            MigrationResult clone = tenantry.provisioning().cloneTenant("source", "cloned", true);

            assertThat(copy.schemaCreated()).isTrue();
            assertThat(clone.targetVersion()).isEqualTo("3");
            long cloned = Tenants.in("cloned", () -> tenantry.entityManagerFactory().callInTransaction(em -> new Users(em).count()));
            assertThat(cloned).isEqualTo(1);
            try (Connection connection = sandbox.cluster().connect(database)) {
                assertThat(strings(connection, "SELECT n.nspname FROM pg_dist_schema s JOIN pg_namespace n ON n.oid = s.schemaid"
                        + " ORDER BY 1")).containsExactly("cloned", "copied", "source");
            }
        }
    }

    private static List<String> strings(Connection connection, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                values.add(rows.getString(1));
            }
        }
        return values;
    }
}
