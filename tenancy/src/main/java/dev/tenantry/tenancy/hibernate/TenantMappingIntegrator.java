package dev.tenantry.tenancy.hibernate;

import dev.tenantry.tenancy.internal.BootModel;
import org.hibernate.boot.Metadata;
import org.hibernate.boot.spi.BootstrapContext;
import org.hibernate.engine.config.spi.ConfigurationService;
import org.hibernate.engine.spi.SessionFactoryImplementor;
import org.hibernate.integrator.spi.Integrator;

/**
 * Hands Hibernate's boot mapping to Tenantry, which reads from it which tables and sequences are tenant-scoped and
 * which are shared (see {@code TenantMapping}). Registered as a Java service, so Hibernate runs it for every
 * factory; it does nothing for a factory that Tenantry did not configure.
 */
public final class TenantMappingIntegrator implements Integrator {

    @Override
    public void integrate(Metadata metadata, BootstrapContext bootstrapContext, SessionFactoryImplementor sessionFactory) {
        Object bootModel = bootstrapContext.getServiceRegistry().requireService(ConfigurationService.class)
                .getSettings().get(BootModel.SETTING);
        if (bootModel instanceof BootModel) {
            ((BootModel) bootModel).capture(metadata);
        }
    }
}
