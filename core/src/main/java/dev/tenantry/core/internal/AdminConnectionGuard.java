package dev.tenantry.core.internal;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.core.Pooler;
import dev.tenantry.core.TenantryConfig;
import java.sql.Connection;
import java.sql.SQLNonTransientConnectionException;

/**
 * The setup of every connection for schema changes: refuses one that goes through a pooler, unless the pooler is
 * declared to run in session mode. Schema changes take session-level advisory locks and Flyway sets the session's
 * {@code search_path}; a transaction-mode pooler spreads those statements over several server sessions, where calls
 * hang, deadlock, or leave locks held. Refusing the connection makes that a prompt error naming the setting to
 * change. Not API.
 */
public final class AdminConnectionGuard implements ConnectionSetup {

    private final Pooler pooler;
    private final boolean ownUrl;

    /** @param ownUrl whether {@code TENANTRY_ADMIN_DATABASE_URL} is set, rather than schema changes using {@code DATABASE_URL} */
    public AdminConnectionGuard(Pooler pooler, boolean ownUrl) {
        this.pooler = pooler;
        this.ownUrl = ownUrl;
    }

    @Override
    public void prepare(Connection connection, ConnectionRoute route) throws SQLNonTransientConnectionException {
        if (!route.throughPooler() || pooler == Pooler.SESSION) {
            return;
        }
        String problem = (ownUrl ? "reaches PostgreSQL through a pooler: " : "is not set, so schema changes use DATABASE_URL,"
                + " and ") + route.describe() + ". Schema changes (provisioning, migrations) hold session-level locks and"
                + " settings for their whole run, which a transaction-mode pooler spreads over several server sessions,"
                + " where they hang or deadlock. " + (ownUrl ? "Point it" : "Set it") + " at PostgreSQL itself"
                + (pooler == Pooler.DETECT ? "; or, if this pooler runs in session mode, set " + TenantryConfig.POOLER
                        + "=session" : "");
        InvalidConfigurationException reason = new InvalidConfigurationException(TenantryConfig.ADMIN_DATABASE_URL, problem);
        throw new SQLNonTransientConnectionException(reason.getMessage(), "08004", reason);
    }
}
