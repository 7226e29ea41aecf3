package dev.tenantry.tenancy.internal;

import dev.tenantry.tenancy.hibernate.TenantSchema;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tenant SQL texts of one pool, each resolved once per schema and then handed out as the same
 * {@code String} instance. pgjdbc keys its per-connection statement cache by SQL text: a text it has seen
 * before, as the very instance it keeps, is found without hashing or comparing a fresh copy of a few hundred
 * characters, and the pool's connections share one copy of each text instead of one each. Hibernate hands
 * out the same instance of each of its SQL strings, which keeps the lookup here cheap as well.
 *
 * <p>Bounded: once it holds {@code capacity} texts it forgets them all and starts over, so a working set
 * larger than the bound costs what resolving every time costs, and no more memory. Thread-safe. Not API.
 */
public final class ResolvedSql {

    private final int capacity;
    private final Map<String, Map<String, String>> bySchema = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    /** @param capacity resolved texts kept at most, over all schemas */
    public ResolvedSql(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * {@code sql} with {@link TenantSchema#PLACEHOLDER} replaced by {@code quotedSchema}, the same instance for the
     * same text and schema while it is kept; {@code sql} itself when it holds no placeholder.
     */
    public String resolve(String sql, String quotedSchema) {
        if (sql == null) {
            return null;
        }
        Map<String, String> texts = bySchema.get(quotedSchema);
        String resolved = texts == null ? null : texts.get(sql);
        if (resolved != null) {
            return resolved;
        }
        resolved = TenantSchema.resolve(sql, quotedSchema);
        if (resolved == sql) {
            return sql;
        }
        if (size.incrementAndGet() > capacity) {
            // Start over: racing threads may each clear, or add a text just after; the bound stays approximate
            // by at most the number of threads, and every text handed out is still correct.
            bySchema.clear();
            size.set(1);
        }
        String kept = bySchema.computeIfAbsent(quotedSchema, schema -> new ConcurrentHashMap<>())
                .putIfAbsent(sql, resolved);
        if (kept != null) {
            size.decrementAndGet();
            return kept;
        }
        return resolved;
    }

    /** Resolved texts kept now, over all schemas. */
    public int size() {
        return size.get();
    }
}
