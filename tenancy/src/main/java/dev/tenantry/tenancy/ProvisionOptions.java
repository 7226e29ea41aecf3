package dev.tenantry.tenancy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How tenants are created by {@link TenantProvisioning#provision(List, ProvisionOptions, java.util.function.Consumer)}:
 * by replaying the migrations or by copying the migrated template, how many at a time, and which roles get each
 * new schema. Immutable; each method returns a changed copy.
 */
public final class ProvisionOptions {

    private static final ProvisionOptions DEFAULTS = new ProvisionOptions(false, 1, null, List.of());

    private final boolean fromTemplate;
    private final int parallelism;
    private final String owner;
    private final List<String> grants;

    private ProvisionOptions(boolean fromTemplate, int parallelism, String owner, List<String> grants) {
        this.fromTemplate = fromTemplate;
        this.parallelism = parallelism;
        this.owner = owner;
        this.grants = List.copyOf(grants);
    }

    /** Replaying the migrations, one tenant at a time, no roles. */
    public static ProvisionOptions defaults() {
        return DEFAULTS;
    }

    /** Copies new schemas from the migrated template ({@link TenantProvisioning#provisionFromTemplate}). */
    public ProvisionOptions fromTemplate(boolean copy) {
        return new ProvisionOptions(copy, parallelism, owner, grants);
    }

    /** How many tenants are created at once, each on a connection of its own (at least 1). */
    public ProvisionOptions parallelism(int tenants) {
        TenantWorkers.checkParallelism(tenants);
        return new ProvisionOptions(fromTemplate, tenants, owner, grants);
    }

    /** Makes {@code role} the owner of each tenant's schema ({@link TenantProvisioning#grantSchema}). */
    public ProvisionOptions owner(String role) {
        return new ProvisionOptions(fromTemplate, parallelism, role, grants);
    }

    /** Grants each role {@code USAGE} and {@code CREATE} on each tenant's schema. */
    public ProvisionOptions grants(List<String> roles) {
        List<String> all = new ArrayList<>(new LinkedHashSet<>(roles));
        return new ProvisionOptions(fromTemplate, parallelism, owner, all);
    }

    public boolean fromTemplate() {
        return fromTemplate;
    }

    public int parallelism() {
        return parallelism;
    }

    /** The owner role, or {@code null}. */
    public String owner() {
        return owner;
    }

    /** The roles granted the use of each schema, the owner not among them. */
    public List<String> grants() {
        return grants.stream().filter(role -> !role.equals(owner)).toList();
    }
}
