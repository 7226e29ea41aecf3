package dev.tenantry.core.internal;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.Pooler;
import dev.tenantry.core.TenantryConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.postgresql.PGStatement;
import org.postgresql.jdbc.PgConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The setup of every pooled connection: keeps pgjdbc from preparing statements on the server under a name where a
 * pooler could run them on another client's server session. pgjdbc names them per connection ({@code S_1},
 * {@code S_2}, ...); behind a transaction-mode pooler that does not track those names, one client's {@code S_3}
 * runs wherever another client prepared its own {@code S_3}: errors, commits that return and wrote nothing, and,
 * since each tenant's statements name its schema, reads and writes in another tenant's schema. Unnamed statements
 * live only until the next one and cannot be met by another client, so they are safe behind any pooler.
 *
 * <p>What each {@link Pooler} setting does with a connection, given its {@link ConnectionRoute}:
 * {@code detect} turns named statements off behind a pooler and keeps them otherwise; {@code transaction} always
 * turns them off; {@code session} keeps them; {@code transaction-with-prepared-statements} keeps them once a probe
 * has seen the pooler rename a named statement on its way to PostgreSQL (PgBouncer prepares it under a name of its
 * own), and refuses the connection otherwise. Each decision is logged the first time it is made. Not API.
 */
public final class NamedStatementGuard implements ConnectionSetup {

    private static final Logger LOG = LoggerFactory.getLogger(NamedStatementGuard.class);
    private static final String PROBE = "tenantry_prepared_statement_probe";
    /** How pgjdbc names server-side statements; a pooler that passes a name through leaves it so. */
    private static final Pattern DRIVER_NAME = Pattern.compile("S_[0-9]+");
    private static final String DUPLICATE_PREPARED_STATEMENT = "42P05";

    private final Pooler pooler;
    private final String urlThreshold;
    private final AtomicReference<String> lastReport = new AtomicReference<>();

    /** @param urlThreshold {@code prepareThreshold} as written in {@code DATABASE_URL}, or {@code null} */
    public NamedStatementGuard(Pooler pooler, String urlThreshold) {
        this.pooler = Objects.requireNonNull(pooler, "pooler");
        this.urlThreshold = urlThreshold;
    }

    @Override
    public void prepare(Connection connection, ConnectionRoute route) throws SQLException {
        PgConnection driver = connection.unwrap(PgConnection.class);
        // prepareThreshold=-1 means "prepare at the first execution, and transfer everything in binary", which
        // pgjdbc keeps as a separate flag; both name statements.
        int configured = driver.getForceBinary() ? -1 : driver.getPrepareThreshold();
        String renamedAs = null;
        boolean unnamed;
        switch (pooler) {
            case DETECT -> unnamed = route.throughPooler();
            case TRANSACTION -> unnamed = true;
            case SESSION -> unnamed = false;
            default -> {
                unnamed = false;
                if (route.throughPooler()) {
                    renamedAs = requireNamesCarried(connection, route);
                }
            }
        }
        if (unnamed) {
            driver.setPrepareThreshold(0);
            driver.setForceBinary(false);
        }
        report(route, unnamed, configured, renamedAs);
    }

    /**
     * Prepares a probe statement under a name, inside a transaction so that the pooler keeps one server session, and
     * asks that session what the statement is called there; refuses the connection unless the pooler renamed it.
     *
     * @return the name PostgreSQL knows the probe by
     */
    private String requireNamesCarried(Connection connection, ConnectionRoute route) throws SQLException {
        String name = null;
        boolean collided = false;
        connection.setAutoCommit(false);
        try {
            try (PreparedStatement probe = connection.prepareStatement("SELECT CAST(? AS int) AS " + PROBE)) {
                probe.unwrap(PGStatement.class).setPrepareThreshold(1);
                probe.setInt(1, 1);
                probe.executeQuery().close();
            } catch (SQLException e) {
                if (!DUPLICATE_PREPARED_STATEMENT.equals(e.getSQLState())) {
                    throw e;
                }
                collided = true; // another client's statement of that name on this server session: names pass through
            }
            if (!collided) {
                name = PhysicalConnections.withUnnamedStatement(connection, statement -> {
                    // The probe's marker is split so that this text does not contain it.
                    try (ResultSet rows = statement.executeQuery("SELECT name FROM pg_prepared_statements"
                            + " WHERE strpos(statement, 'tenantry_prepared_' || 'statement_probe') > 0")) {
                        return rows.next() ? rows.getString(1) : null;
                    }
                });
                if (name != null && DRIVER_NAME.matcher(name).matches()) {
                    // Prepared statements outlive transactions: leave nothing on a server session other clients share.
                    String deallocate = "DEALLOCATE \"" + name + "\"";
                    PhysicalConnections.withUnnamedStatement(connection, statement -> statement.execute(deallocate));
                }
            }
        } finally {
            connection.rollback();
            connection.setAutoCommit(true);
        }
        if (collided || name == null || DRIVER_NAME.matcher(name).matches()) {
            String seen = collided ? "under a name another client's statement already had there"
                    : name == null ? "without a trace" : "under the driver's own name (" + name + ")";
            String problem = "is " + pooler.setting() + ", but " + route.describe() + " that passed a named prepared"
                    + " statement to PostgreSQL " + seen + ": it does not carry prepared statements from one server session"
                    + " to the next (PgBouncer before 1.21, or max_prepared_statements = 0), or it runs in session mode."
                    + " Enable max_prepared_statements in PgBouncer, or set " + TenantryConfig.POOLER + " to detect (or"
                    + " session, for a session-mode pooler)";
            InvalidConfigurationException reason = new InvalidConfigurationException(TenantryConfig.POOLER, problem);
            throw new SQLNonTransientConnectionException(reason.getMessage(), "08004", reason);
        }
        return name;
    }

    private void report(ConnectionRoute route, boolean unnamed, int configured, String renamedAs) {
        String from = urlThreshold != null ? " from DATABASE_URL" : "";
        String statements = unnamed
                ? "statements are not prepared on the server" + (configured != 0
                        ? " (prepareThreshold 0 instead of " + configured + from + ")" : " (prepareThreshold 0)")
                : "statements are prepared on the server as configured (prepareThreshold " + configured + from + ")";
        String key = route.throughPooler() + "/" + statements;
        if (key.equals(lastReport.getAndSet(key))) {
            return;
        }
        String setting = TenantryConfig.POOLER + "=" + pooler.setting();
        if (pooler == Pooler.DETECT && unnamed && configured != 0) {
            LOG.warn("{}. With {}, {}: safe whatever the pooler's mode, at some cost in throughput. If the pooler carries"
                    + " prepared statements (PgBouncer 1.21 or later with max_prepared_statements above 0), set {}"
                    + "=transaction-with-prepared-statements to keep them; if it runs in session mode, {}=session; to state"
                    + " that it does neither and silence this warning, {}=transaction.", route.describe(), setting,
                    statements, TenantryConfig.POOLER, TenantryConfig.POOLER, TenantryConfig.POOLER);
        } else if (renamedAs != null) {
            LOG.info("{}, which carries prepared statements (it prepared the driver's named statement as {}); with {}, {}.",
                    route.describe(), renamedAs, setting, statements);
        } else {
            LOG.info("{}; with {}, {}.", route.describe(), setting, statements);
        }
    }
}
