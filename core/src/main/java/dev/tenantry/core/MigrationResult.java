package dev.tenantry.core;

/**
 * What migrating one schema did: the version before and after, how many migrations ran, and whether
 * the schema itself was created by this call. Versions are {@code null} for a schema with no history.
 */
public record MigrationResult(SchemaName schema, String initialVersion, String targetVersion,
                              int migrationsExecuted, boolean schemaCreated) {

    /** True when the schema was already at the latest version and nothing ran. */
    public boolean alreadyCurrent() {
        return migrationsExecuted == 0 && !schemaCreated;
    }

    /** {@code v3}; several modules' versions ({@code tenantry 3, app 101}) as they are; {@code empty} for none. */
    private static String describe(String version) {
        return version == null ? "empty" : version.indexOf(' ') >= 0 ? version : "v" + version;
    }

    @Override
    public String toString() {
        return schema + ": " + describe(initialVersion) + " -> " + describe(targetVersion) + " (" + migrationsExecuted
                + " migration" + (migrationsExecuted == 1 ? "" : "s") + (schemaCreated ? ", schema created" : "") + ")";
    }
}
