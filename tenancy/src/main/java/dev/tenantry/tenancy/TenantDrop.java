package dev.tenantry.tenancy;

import dev.tenantry.core.SchemaName;

/**
 * What dropping a tenant removed. The schema, with everything in it, and the registry row always go; the
 * tenant's own role ({@code TENANTRY_TENANT_ROLES}), where one exists, goes with them unless the server
 * refuses, and then it is kept and {@link #roleKeptBecause()} says why. Roles given the schema by other
 * means ({@code --owner}, {@code --grant}) are never touched.
 *
 * @param role            the tenant's own role, quoted, or {@code null} when the server has none for the schema
 * @param roleKeptBecause {@code null} when the role was dropped or there was none; otherwise the server's reason
 */
public record TenantDrop(String tenant, SchemaName schema, String role, String roleKeptBecause) {

    /** Whether the tenant's own role existed and was dropped with the schema. */
    public boolean roleDropped() {
        return role != null && roleKeptBecause == null;
    }
}
