package dev.tenantry.tenancy;

/**
 * An open unit of work in one tenant, from {@link Tenants#open(String)}. Close it (try-with-resources)
 * on the thread that opened it; closing restores whatever tenant was in scope before.
 */
public final class TenantScope implements AutoCloseable {

    private final String tenant;
    private final TenantScope previous;
    private final Thread owner;
    private boolean closed;

    TenantScope(String tenant, TenantScope previous) {
        this.tenant = tenant;
        this.previous = previous;
        this.owner = Thread.currentThread();
    }

    /** The tenant id this scope runs in. */
    public String tenant() {
        return tenant;
    }

    TenantScope previous() {
        return previous;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("Tenant scope for '" + tenant + "' must be closed on the thread that opened it ("
                    + owner.getName() + "), not on " + Thread.currentThread().getName());
        }
        Tenants.restore(this);
        closed = true;
    }

    @Override
    public String toString() {
        return "TenantScope[" + tenant + "]";
    }
}
