package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.Database;
import dev.tenantry.core.TenantryConfig;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * {@code TENANTRY_STATEMENT_CACHE}: how many statements a pooled connection keeps prepared on the server,
 * seen from the server itself ({@code pg_prepared_statements} of the connection's own backend). In per-request
 * mode every tenant's statement is a text of its own, so the default keeps thousands; per deployment pgjdbc's
 * default of 256 stays. Either way pgjdbc prepares a text on the server at its fifth execution on a connection.
 * Parameters in the URL still win.
 */
@WithPostgres
class StatementCacheTest {

    /** Distinct statement texts, as 150 tenants' two statements each would be. */
    private static final int TEXTS = 300;

    @Test
    void perRequestKeepsThousandsOfStatementsPrepared(TestDatabase db) throws SQLException {
        assertThat(preparedAfterDistinctTexts(db.config().perRequest(), 5)).isEqualTo(TEXTS);
    }

    @Test
    void perDeploymentKeepsPgjdbcDefaults(TestDatabase db) throws SQLException {
        assertThat(preparedAfterDistinctTexts(db.config().perDeployment("public"), 5)).isBetween(256, 257);
    }

    @Test
    void aTextIsPreparedOnTheServerAtItsFifthExecution(TestDatabase db) throws SQLException {
        assertThat(preparedAfterDistinctTexts(db.config().perRequest(), 4)).isZero();
    }

    @Test
    void aSmallerCacheEvictsTheLeastRecentlyUsed(TestDatabase db) throws SQLException {
        int prepared = preparedAfterDistinctTexts(db.config().perRequest().statementCache(100), 5);
        // pgjdbc closes an evicted statement on the server along with the next message it sends, so the last
        // eviction may still be on its way.
        assertThat(prepared).isBetween(100, 101);
    }

    @Test
    void zeroPreparesNothingOnTheServer(TestDatabase db) throws SQLException {
        assertThat(preparedAfterDistinctTexts(db.config().perRequest().statementCache(0), 5)).isZero();
    }

    @Test
    void parametersInTheUrlWin(TestDatabase db) throws SQLException {
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "prepareThreshold=0";
        TenantryConfig.Builder config = TenantryConfig.builder().environment(db.environment()).databaseUrl(url).perRequest();
        assertThat(preparedAfterDistinctTexts(config, 5)).isZero();
    }

    /**
     * Runs {@value #TEXTS} distinct texts {@code times} times each, one text after the other, on one pooled
     * connection; how many its backend then keeps prepared.
     */
    private static int preparedAfterDistinctTexts(TenantryConfig.Builder config, int times) throws SQLException {
        try (Database database = Database.open(config.poolMaxSize(1).poolMinIdle(0).build());
             Connection connection = database.pool().getConnection()) {
            for (int n = 0; n < TEXTS * times; n++) {
                int i = n / times;
                try (PreparedStatement statement = connection.prepareStatement("SELECT ?::int + " + i)) {
                    statement.setInt(1, i);
                    try (ResultSet rows = statement.executeQuery()) {
                        rows.next();
                        assertThat(rows.getInt(1)).isEqualTo(2 * i);
                    }
                }
            }
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_prepared_statements")) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
