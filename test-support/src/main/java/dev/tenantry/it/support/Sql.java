package dev.tenantry.it.support;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Plain JDBC for checking what is really in a database, outside Tenantry: one fresh connection per call. */
final class Sql {

    /** Opens a plain connection. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private Sql() {
    }

    /** Runs a query and returns the first column of every row as text. */
    static List<String> column(Connector connector, String sql, Object... parameters) {
        try (Connection connection = connector.connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    static void execute(Connector connector, String sql) {
        try (Connection connection = connector.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }
}
