package dev.tenantry.bench;

/** What one measured transaction does. */
public enum Workload {

    /** A read-only request: find a user by id. */
    READ("read", "find a user by id"),
    /** A typical web request in one transaction: find the user by email, touch the anonymous session, update last-seen. */
    WEB("web", "find user by email, touch the anonymous session, update last-seen");

    private final String key;
    private final String description;

    Workload(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** The name in options and JSON. */
    public String key() {
        return key;
    }

    public String description() {
        return description;
    }
}
