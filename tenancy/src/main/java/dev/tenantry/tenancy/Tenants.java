package dev.tenantry.tenancy;

import dev.tenantry.core.InvalidSchemaNameException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * The tenant of the current thread's unit of work, for per-request mode. Hibernate reads it when a
 * session opens (through {@code ScopedTenantResolver}), so every EntityManager opened inside
 * {@code Tenants.in("stage", ...)} works in stage's schema. Scopes nest and restore the outer tenant
 * when they end; they do not follow work to other threads, so hand the tenant id over explicitly
 * ({@link #wrap(String, Runnable)}).
 *
 * <p>While a scope is open the SLF4J MDC holds {@value #MDC_TENANT} and, when the tenant id is a valid
 * schema name under the installed mapping, {@value #MDC_SCHEMA}.
 */
public final class Tenants {

    /** MDC key holding the tenant id while a scope is open. */
    public static final String MDC_TENANT = "tenant";
    /** MDC key holding the tenant's schema while a scope is open. */
    public static final String MDC_SCHEMA = "tenant_schema";

    private static final ThreadLocal<TenantScope> CURRENT = new ThreadLocal<>();
    private static volatile TenantSchemaMapping mapping = TenantSchemaMapping.identity();

    private Tenants() {
    }

    /**
     * Opens a scope for {@code tenant} on this thread. The id is checked here, before any SQL: an empty
     * id, or one the installed mapping turns into an invalid schema, is refused.
     *
     * @throws InvalidSchemaNameException for a refused id
     */
    public static TenantScope open(String tenant) {
        String schema = mapping.resolve(tenant).value();
        TenantScope scope = new TenantScope(tenant, CURRENT.get());
        CURRENT.set(scope);
        MDC.put(MDC_TENANT, tenant);
        MDC.put(MDC_SCHEMA, schema);
        return scope;
    }

    /** Runs {@code work} in {@code tenant} and returns its result. */
    public static <T> T in(String tenant, Supplier<T> work) {
        try (TenantScope ignored = open(tenant)) {
            return work.get();
        }
    }

    /** Runs {@code work} in {@code tenant}. */
    public static void in(String tenant, Runnable work) {
        try (TenantScope ignored = open(tenant)) {
            work.run();
        }
    }

    /** Runs {@code work}, which may throw checked exceptions, in {@code tenant}. */
    public static <T> T call(String tenant, Callable<T> work) throws Exception {
        try (TenantScope ignored = open(tenant)) {
            return work.call();
        }
    }

    /** The tenant in scope on this thread, if any. */
    public static Optional<String> current() {
        TenantScope scope = CURRENT.get();
        return scope == null ? Optional.empty() : Optional.of(scope.tenant());
    }

    /** The tenant in scope on this thread, or {@code null}: the allocation-free form for hot paths. */
    public static String currentOrNull() {
        TenantScope scope = CURRENT.get();
        return scope == null ? null : scope.tenant();
    }

    /**
     * Hands a tenant over to work that will run on another thread (an executor, a
     * {@code CompletableFuture}, a virtual thread): the returned task opens the scope where it runs.
     */
    public static Runnable wrap(String tenant, Runnable work) {
        mapping.resolve(tenant); // refuse a bad id here, on the caller's thread, not later on a worker
        return () -> in(tenant, work);
    }

    /** Like {@link #wrap(String, Runnable)} for the tenant in scope now. */
    public static Runnable wrapCurrent(Runnable work) {
        String tenant = current().orElseThrow(dev.tenantry.core.NoTenantInScopeException::new);
        return wrap(tenant, work);
    }

    /**
     * Installs the mapping used to check ids and fill the MDC when scopes open; Tenantry's bootstrap
     * calls this with the application's mapping. One mapping per process.
     */
    public static void useMapping(TenantSchemaMapping tenantSchemaMapping) {
        mapping = tenantSchemaMapping == null ? TenantSchemaMapping.identity() : tenantSchemaMapping;
    }

    static void restore(TenantScope closing) {
        TenantScope current = CURRENT.get();
        if (current != closing) {
            throw new IllegalStateException("Tenant scopes closed out of order: closing " + closing
                    + " while " + current + " is innermost");
        }
        TenantScope previous = closing.previous();
        if (previous == null) {
            CURRENT.remove();
            MDC.remove(MDC_TENANT);
            MDC.remove(MDC_SCHEMA);
        } else {
            CURRENT.set(previous);
            MDC.put(MDC_TENANT, previous.tenant());
            MDC.put(MDC_SCHEMA, mapping.resolve(previous.tenant()).value());
        }
    }
}
