package dev.tenantry.core.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * How a new physical connection reaches PostgreSQL, found out once when it is opened. PostgreSQL answers a
 * connection's start-up with the process id of the backend that serves it; a pooler such as PgBouncer answers the
 * start-up itself, with an id of its own, and later runs the client's statements on server sessions whose backends
 * have other ids. So a connection whose announced id differs from {@code pg_backend_pid()} goes through a pooler.
 * A proxy that passes PostgreSQL's own start-up answer through is not seen as one. Not API.
 *
 * @param setting      the variable naming the URL the connection was opened with, for messages
 * @param announcedPid the backend process id the driver was told at start-up
 * @param serverPid    the backend process id the server reported for the connection's first statement
 */
public record ConnectionRoute(String setting, int announcedPid, int serverPid) {

    /** Asks the server, in one round trip, which backend serves {@code connection}. */
    static ConnectionRoute inspect(String setting, Connection connection) throws SQLException {
        int announced = connection.unwrap(PGConnection.class).getBackendPID();
        int server = PhysicalConnections.withUnnamedStatement(connection, statement -> {
            try (ResultSet rows = statement.executeQuery("SELECT pg_backend_pid()")) {
                rows.next();
                return rows.getInt(1);
            }
        });
        return new ConnectionRoute(setting, announced, server);
    }

    /** Whether something between the driver and PostgreSQL answered the start-up itself: a pooler. */
    public boolean throughPooler() {
        return announcedPid != serverPid;
    }

    /** One sentence on what was seen, for logs and errors. */
    public String describe() {
        return throughPooler()
                ? setting + " reaches PostgreSQL through a connection pooler (the connection was announced as backend "
                        + announcedPid + " at start-up, and PostgreSQL ran its first statement in backend " + serverPid + ")"
                : setting + " reaches PostgreSQL directly (the backend announced at start-up, " + announcedPid
                        + ", ran the connection's first statement)";
    }
}
