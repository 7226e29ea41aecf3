package dev.tenantry.tenancy.hibernate;

/** Hibernate's {@code Wrapped} contract for the connection providers: the provider itself, or its pool. */
final class Unwrapping {

    private Unwrapping() {
    }

    static boolean canUnwrap(Class<?> type, Object provider, Object pool) {
        return type.isInstance(provider) || type.isInstance(pool);
    }

    static <T> T unwrap(Class<T> type, Object provider, Object pool) {
        if (type.isInstance(provider)) {
            return type.cast(provider);
        }
        if (type.isInstance(pool)) {
            return type.cast(pool);
        }
        throw new IllegalArgumentException("Cannot unwrap " + provider.getClass().getName() + " as " + type.getName());
    }
}
