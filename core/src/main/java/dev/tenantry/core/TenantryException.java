package dev.tenantry.core;

/**
 * The root of every exception Tenantry throws on purpose. When the failure concerns one tenant,
 * {@link #tenant()} and {@link #schema()} name it, and the message says so too.
 */
public class TenantryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String tenant;
    private final String schema;

    public TenantryException(String message) {
        this(message, null, null, null);
    }

    public TenantryException(String message, Throwable cause) {
        this(message, null, null, cause);
    }

    protected TenantryException(String message, String tenant, String schema, Throwable cause) {
        super(message, cause);
        this.tenant = tenant;
        this.schema = schema;
    }

    /** The tenant id the failure concerns, or {@code null} when it concerns no single tenant. */
    public String tenant() {
        return tenant;
    }

    /** The schema the failure concerns, or {@code null} when it concerns no single schema. */
    public String schema() {
        return schema;
    }
}
