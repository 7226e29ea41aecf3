package dev.tenantry.tenancy.internal;

import org.hibernate.boot.Metadata;

/**
 * Carries Hibernate's boot mapping of one factory out of the build, so that Tenantry can read where each table
 * and sequence went once the factory stands. Put in the factory's settings under {@link #SETTING}; the
 * {@code TenantMappingIntegrator} fills it. Read once, then forgotten, so the factory does not keep the boot model
 * alive. Not API.
 */
public final class BootModel {

    /** The settings key under which a factory built by Tenantry carries its {@code BootModel}. */
    public static final String SETTING = "dev.tenantry.boot_model";

    private volatile Metadata metadata;

    /** Called by the integrator while the factory is built. */
    public void capture(Metadata metadata) {
        this.metadata = metadata;
    }

    /** The captured mapping, once; {@code null} if the integrator did not run. */
    public Metadata take() {
        Metadata taken = metadata;
        metadata = null;
        return taken;
    }
}
