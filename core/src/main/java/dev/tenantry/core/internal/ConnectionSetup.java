package dev.tenantry.core.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * One step that {@link PhysicalConnections} runs on each new physical connection, before any pool hands it out:
 * once per connection, never per transaction. Not API.
 */
@FunctionalInterface
public interface ConnectionSetup {

    /**
     * Prepares {@code connection}, fresh from the driver and in auto-commit mode; leave it in auto-commit mode.
     * Throw to refuse the connection: it is closed, and the exception reaches whoever asked for it.
     *
     * @param route how the connection reaches PostgreSQL: directly, or through a pooler
     */
    void prepare(Connection connection, ConnectionRoute route) throws SQLException;
}
