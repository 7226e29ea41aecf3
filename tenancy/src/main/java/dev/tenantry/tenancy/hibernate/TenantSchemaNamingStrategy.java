package dev.tenantry.tenancy.hibernate;

import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/**
 * Maps the logical schema {@link TenantSchema#LOGICAL} of tenant-scoped entities to the placeholder
 * that tenant connections resolve; every other name passes through unchanged. Extend it, calling
 * {@code super}, if the application needs its own naming rules as well.
 */
public class TenantSchemaNamingStrategy extends PhysicalNamingStrategyStandardImpl {

    private static final long serialVersionUID = 1L;

    @Override
    public Identifier toPhysicalSchemaName(Identifier logicalName, JdbcEnvironment jdbcEnvironment) {
        if (logicalName != null && TenantSchema.LOGICAL.equals(logicalName.getText())) {
            return Identifier.toIdentifier(TenantSchema.PLACEHOLDER_NAME, true);
        }
        return super.toPhysicalSchemaName(logicalName, jdbcEnvironment);
    }
}
