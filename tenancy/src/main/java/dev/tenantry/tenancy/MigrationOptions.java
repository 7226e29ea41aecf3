package dev.tenantry.tenancy;

import dev.tenantry.core.TenantryException;

/**
 * How a migration run over many tenants goes: how many tenants at a time, how far (the latest version of every
 * module, or one module to a version, up or down), whether each tenant is snapshotted first, and how often a
 * tenant whose lock timed out is tried again. Immutable; each method returns a changed copy.
 *
 * <pre>{@code
 * provisioning.migrateAll(MigrationOptions.defaults().parallelism(4).retries(5), progress);
 * provisioning.migrate(List.of("acme"), MigrationOptions.defaults().to("app", "100"), progress);
 * }</pre>
 */
public final class MigrationOptions {

    private static final MigrationOptions DEFAULTS = new MigrationOptions(1, null, null, false, -1);

    private final int parallelism;
    private final String module;
    private final String targetVersion;
    private final boolean snapshot;
    private final int retries;

    private MigrationOptions(int parallelism, String module, String targetVersion, boolean snapshot, int retries) {
        this.parallelism = parallelism;
        this.module = module;
        this.targetVersion = targetVersion;
        this.snapshot = snapshot;
        this.retries = retries;
    }

    /** One tenant at a time, every module to its latest version, no snapshots, retries as configured. */
    public static MigrationOptions defaults() {
        return DEFAULTS;
    }

    /** How many tenants migrate at once, each on a connection of its own (at least 1). */
    public MigrationOptions parallelism(int tenants) {
        TenantWorkers.checkParallelism(tenants);
        return new MigrationOptions(tenants, module, targetVersion, snapshot, retries);
    }

    /**
     * Takes {@code module} to {@code version}: up, as far as that version and no further, or down, with the
     * module's undo scripts ({@code U<version>__<description>.sql}). The other modules are not touched.
     */
    public MigrationOptions to(String module, String version) {
        if (module == null || module.isBlank() || version == null || version.isBlank()) {
            throw new TenantryException("A migration target needs a module and a version, got module "
                    + module + " and version " + version);
        }
        return new MigrationOptions(parallelism, module, version.strip(), snapshot, retries);
    }

    /** Takes a snapshot of each tenant ({@link TenantProvisioning#snapshot}) just before migrating it. */
    public MigrationOptions snapshotFirst(boolean snapshotFirst) {
        return new MigrationOptions(parallelism, module, targetVersion, snapshotFirst, retries);
    }

    /**
     * How often a tenant whose migration was rolled back on the lock timeout is tried again, later in the same
     * run (0 to 100); unset, {@code TENANTRY_MIGRATION_RETRIES} decides.
     */
    public MigrationOptions retries(int times) {
        if (times < 0 || times > 100) {
            throw new IllegalArgumentException("retries must be from 0 to 100, got " + times);
        }
        return new MigrationOptions(parallelism, module, targetVersion, snapshot, times);
    }

    public int parallelism() {
        return parallelism;
    }

    /** The module of a target version, or {@code null} to take every module to its latest version. */
    public String module() {
        return module;
    }

    /** The target version of {@link #module()}, or {@code null}. */
    public String targetVersion() {
        return targetVersion;
    }

    public boolean snapshotFirst() {
        return snapshot;
    }

    /** The retries asked for, or {@code -1} when the configuration decides. */
    public int retries() {
        return retries;
    }

    @Override
    public String toString() {
        return "MigrationOptions{parallelism=" + parallelism + (module == null ? "" : ", to " + module + " " + targetVersion)
                + (snapshot ? ", snapshot first" : "") + (retries < 0 ? "" : ", retries=" + retries) + "}";
    }
}
