package dev.tenantry.tenancy.hibernate;

/**
 * The logical schema that tenant-scoped entities name, and how it appears in SQL until a connection
 * resolves it. Write {@code @Table(name = "users", schema = TenantSchema.LOGICAL)}; Hibernate renders the
 * table as {@code "tenantry.tenant".users}, and the connection handed out for a tenant replaces that
 * placeholder with the tenant's quoted schema before the statement reaches the driver.
 *
 * <p>The placeholder holds a dot, which no valid schema name can, so SQL that escaped the rewrite fails
 * with "schema does not exist" instead of reading another schema. Native SQL may use
 * {@link #PLACEHOLDER} the same way.
 */
public final class TenantSchema {

    /** The schema name to put in {@code @Table(schema = ...)} of tenant-scoped entities. */
    public static final String LOGICAL = "tenant";

    /** The quoted identifier that stands for the current tenant's schema in SQL text. */
    public static final String PLACEHOLDER = "\"tenantry.tenant\"";

    /** {@link #PLACEHOLDER} without its quotes: the identifier Hibernate is given. */
    static final String PLACEHOLDER_NAME = "tenantry.tenant";

    private TenantSchema() {
    }

    /**
     * Replaces every occurrence of the placeholder in {@code sql} with {@code quotedSchema}; returns
     * {@code sql} itself, with no copy, when it holds none.
     */
    public static String resolve(String sql, String quotedSchema) {
        if (sql == null || sql.indexOf(PLACEHOLDER) < 0) {
            return sql;
        }
        return sql.replace(PLACEHOLDER, quotedSchema);
    }
}
