package dev.tenantry.core;

/**
 * What sits between Tenantry and PostgreSQL ({@code TENANTRY_POOLER}), which decides whether pooled connections
 * may keep statements prepared on the server under a name. pgjdbc names them per client connection ({@code S_1},
 * {@code S_2}, ...); a pooler that hands each transaction to whichever server session is free, without tracking
 * those names, runs one client's {@code S_3} on a session where {@code S_3} is another client's statement, which
 * for Tenantry is another tenant's statement.
 */
public enum Pooler {

    /**
     * The default: each new connection is checked, and behind a pooler statements are not prepared on the
     * server, which is safe whatever the pooler's mode. A pooler shows itself by answering the connection's
     * start-up with a backend process id of its own, which differs from {@code pg_backend_pid()}.
     */
    DETECT("detect"),

    /**
     * A pooler in session mode (PgBouncer's {@code pool_mode = session}), or none: each client connection keeps
     * one server session, so prepared statements are kept, and schema changes may go through it.
     */
    SESSION("session"),

    /**
     * A pooler in transaction mode that does not carry prepared statements (PgBouncer before 1.21, or
     * {@code max_prepared_statements = 0}): statements are never prepared on the server, also where the pooler
     * is not detected. Schema changes need {@code TENANTRY_ADMIN_DATABASE_URL}.
     */
    TRANSACTION("transaction"),

    /**
     * A pooler in transaction mode that carries prepared statements from one server session to the next
     * (PgBouncer 1.21 or later with {@code max_prepared_statements} above 0): prepared statements are kept.
     * Tenantry checks each new connection through the pooler and refuses one on which a named statement reaches
     * PostgreSQL under the driver's own name. Schema changes need {@code TENANTRY_ADMIN_DATABASE_URL}.
     */
    TRANSACTION_WITH_PREPARED_STATEMENTS("transaction-with-prepared-statements");

    private final String setting;

    Pooler(String setting) {
        this.setting = setting;
    }

    /** The spelling used by {@code TENANTRY_POOLER}. */
    public String setting() {
        return setting;
    }

    /** Whether this pooler moves a client connection from one server session to another between transactions. */
    public boolean transactionMode() {
        return this == TRANSACTION || this == TRANSACTION_WITH_PREPARED_STATEMENTS;
    }

    static Pooler parse(String name, String value) {
        for (Pooler pooler : values()) {
            if (pooler.setting.equalsIgnoreCase(value.strip()) || pooler.name().equalsIgnoreCase(value.strip())) {
                return pooler;
            }
        }
        throw new InvalidConfigurationException(name, "'" + value + "' is not a pooler; use detect, session,"
                + " transaction or transaction-with-prepared-statements");
    }
}
