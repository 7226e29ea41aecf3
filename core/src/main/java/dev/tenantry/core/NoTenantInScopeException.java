package dev.tenantry.core;

/**
 * Per-request mode reached the database with no tenant chosen. Tenantry never falls back to
 * {@code public}: run the work inside {@code Tenants.in(tenant, ...)} or open the EntityManager
 * with the {@code org.hibernate.tenantId} property.
 */
public class NoTenantInScopeException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public NoTenantInScopeException() {
        super("No tenant in scope: run the work inside Tenants.in(tenant, ...) or open the EntityManager"
                + " with the property org.hibernate.tenantId");
    }
}
