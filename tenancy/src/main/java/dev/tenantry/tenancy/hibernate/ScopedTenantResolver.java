package dev.tenantry.tenancy.hibernate;

import dev.tenantry.tenancy.Tenants;
import org.hibernate.context.spi.CurrentTenantIdentifierResolver;

/**
 * Tells Hibernate which tenant a new session belongs to: the one in {@link Tenants} scope on the
 * opening thread. With no scope it answers {@link #NO_TENANT}, which is never a valid tenant: the session
 * still opens (so an explicit {@code org.hibernate.tenantId} can take over), but its first database
 * access fails with {@code NoTenantInScopeException} instead of falling back to any schema.
 */
public final class ScopedTenantResolver implements CurrentTenantIdentifierResolver<String> {

    /** The identifier of a session opened with no tenant in scope. */
    public static final String NO_TENANT = "<no tenant in scope>";

    @Override
    public String resolveCurrentTenantIdentifier() {
        String tenant = Tenants.currentOrNull();
        return tenant == null ? NO_TENANT : tenant;
    }

    @Override
    public boolean validateExistingCurrentSessions() {
        return true;
    }
}
