package dev.tenantry.bench;

import dev.tenantry.tenancy.hibernate.TenantSchema;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/**
 * Maps the entities' logical tenant schema ({@link TenantSchema#LOGICAL}) to one fixed schema, or to none,
 * so that Hibernate renders unqualified SQL and the connection's {@code search_path} decides. This is
 * how the same entities serve the strategies that are not Tenantry's.
 */
public final class FixedSchemaNaming extends PhysicalNamingStrategyStandardImpl {

    private static final long serialVersionUID = 1L;

    private final String schema;

    /** @param schema the schema to qualify tenant tables with, or {@code null} for unqualified SQL */
    public FixedSchemaNaming(String schema) {
        this.schema = schema;
    }

    /** Unqualified SQL: the schema comes from the connection's {@code search_path}. */
    public static FixedSchemaNaming unqualified() {
        return new FixedSchemaNaming(null);
    }

    @Override
    public Identifier toPhysicalSchemaName(Identifier logicalName, JdbcEnvironment environment) {
        if (logicalName != null && TenantSchema.LOGICAL.equals(logicalName.getText())) {
            return schema == null ? null : Identifier.toIdentifier(schema, true);
        }
        return super.toPhysicalSchemaName(logicalName, environment);
    }
}
