package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.tenancy.TenantScope;
import dev.tenantry.tenancy.Tenants;
import io.micrometer.context.ThreadLocalAccessor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * The tenant as a Micrometer context-propagation value ({@value #KEY}), so that whatever propagates a
 * {@code ContextSnapshot} (Reactor, Spring's {@code ContextPropagatingTaskDecorator}, Micrometer's observations)
 * carries the tenant too. Registered through {@code META-INF/services}. Setting a value opens a tenant scope on
 * the receiving thread, and restoring closes it; a captured "no tenant" leaves the receiving thread as it is.
 */
public final class TenantThreadLocalAccessor implements ThreadLocalAccessor<String> {

    /** The key the tenant is captured under. */
    public static final String KEY = "tenantry.tenant";

    /** Per thread, what each {@code setValue} did, innermost first: the scope it opened, or none. */
    private static final ThreadLocal<Deque<Optional<TenantScope>>> OPENED = ThreadLocal.withInitial(ArrayDeque::new);

    @Override
    public Object key() {
        return KEY;
    }

    @Override
    public String getValue() {
        return Tenants.currentOrNull();
    }

    @Override
    public void setValue(String tenant) {
        OPENED.get().push(Optional.of(Tenants.open(tenant)));
    }

    @Override
    public void setValue() {
        // The captured context had no tenant: leave whatever this thread has. Tenant scopes only nest.
        OPENED.get().push(Optional.empty());
    }

    @Override
    public void restore(String previousValue) {
        closeInnermost();
    }

    @Override
    public void restore() {
        closeInnermost();
    }

    private static void closeInnermost() {
        Deque<Optional<TenantScope>> opened = OPENED.get();
        Optional<TenantScope> scope = opened.poll();
        if (scope != null) {
            scope.ifPresent(TenantScope::close);
        }
        if (opened.isEmpty()) {
            OPENED.remove();
        }
    }
}
