package dev.tenantry.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The server memory a strategy's connections hold: each open connection is borrowed at once (so that every
 * backend of the pool answers, none twice) and asked for the memory its backend has allocated
 * ({@code pg_backend_memory_contexts}, PostgreSQL 14 and later), which includes the statements and plans
 * it keeps prepared and the catalog entries it has cached, and for the statements it keeps prepared
 * ({@code pg_prepared_statements}), and for how many of those still get a custom plan each time: PostgreSQL
 * plans a prepared statement afresh for its first five executions, and only then settles on a generic plan.
 */
final class ServerMemory {

    private ServerMemory() {
    }

    /**
     * What the backends of a strategy's connections hold.
     *
     * @param mebibytes   MiB allocated, summed over the backends; NaN when it cannot be read
     * @param plans       of those, the MiB of prepared statements' plans and query trees (the memory contexts
     *                    named CachedPlan, CachedPlanSource and CachedPlanQuery); the rest is mostly the catalog
     *                    entries cached; NaN when unknown
     * @param statements  statements prepared on the server, averaged over the backends; NaN when unknown
     * @param unsettled   of those, the ones with no generic plan yet (still planned on every execution),
     *                    averaged over the backends; NaN when unknown
     */
    record Reading(double mebibytes, double plans, double statements, double unsettled) {

        static final Reading UNKNOWN = new Reading(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    /** Reads every open connection of {@code pools}. */
    static Reading read(List<DataSource> pools) {
        if (pools.isEmpty()) {
            return Reading.UNKNOWN;
        }
        long bytes = 0;
        long planBytes = 0;
        long statements = 0;
        long unsettled = 0;
        int backends = 0;
        for (DataSource pool : pools) {
            int open = Strategies.connections(pool);
            List<Connection> borrowed = new ArrayList<>(open);
            try {
                for (int i = 0; i < open; i++) {
                    borrowed.add(pool.getConnection());
                }
                for (Connection connection : borrowed) {
                    long[] backend = backend(connection);
                    bytes += backend[0];
                    statements += backend[1];
                    unsettled += backend[2];
                    planBytes += backend[3];
                    backends++;
                }
            } catch (SQLException e) {
                return Reading.UNKNOWN;
            } finally {
                for (Connection connection : borrowed) {
                    try {
                        connection.close();
                    } catch (SQLException e) {
                        // returning a connection to its pool; the figure is what matters
                    }
                }
            }
        }
        return backends == 0 ? Reading.UNKNOWN : new Reading(bytes / (1024.0 * 1024.0), planBytes / (1024.0 * 1024.0),
                (double) statements / backends,
                (double) unsettled / backends);
    }

    /**
     * The backend's allocated bytes, its prepared statements, those of them with no generic plan yet, and the bytes of
     * its plans.
     */
    private static long[] backend(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT (SELECT sum(total_bytes) FROM pg_backend_memory_contexts),"
                     + " (SELECT count(*) FROM pg_prepared_statements),"
                     + " (SELECT count(*) FROM pg_prepared_statements WHERE generic_plans = 0),"
                     + " (SELECT coalesce(sum(total_bytes), 0) FROM pg_backend_memory_contexts"
                     + " WHERE name IN ('CachedPlan', 'CachedPlanSource', 'CachedPlanQuery'))")) {
            rows.next();
            return new long[] {rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4)};
        } finally {
            if (!autoCommit) {
                connection.rollback();
            }
        }
    }
}
