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
 * it keeps prepared and the catalog entries it has cached.
 */
final class ServerMemory {

    private ServerMemory() {
    }

    /** MiB allocated by the backends of every open connection of {@code pools}, summed; NaN when it cannot be read. */
    static double mebibytes(List<DataSource> pools) {
        if (pools.isEmpty()) {
            return Double.NaN;
        }
        long bytes = 0;
        for (DataSource pool : pools) {
            int open = Strategies.connections(pool);
            List<Connection> borrowed = new ArrayList<>(open);
            try {
                for (int i = 0; i < open; i++) {
                    borrowed.add(pool.getConnection());
                }
                for (Connection connection : borrowed) {
                    bytes += backendBytes(connection);
                }
            } catch (SQLException e) {
                return Double.NaN;
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
        return bytes / (1024.0 * 1024.0);
    }

    private static long backendBytes(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT sum(total_bytes) FROM pg_backend_memory_contexts")) {
            rows.next();
            return rows.getLong(1);
        } finally {
            if (!autoCommit) {
                connection.rollback();
            }
        }
    }
}
