package dev.tenantry.tenancy.hibernate;

import java.util.Objects;
import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategy;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/**
 * Maps the logical schema {@link TenantSchema#LOGICAL} of tenant-scoped entities to the placeholder
 * that tenant connections resolve; every other name goes to the strategy it wraps, by default Hibernate's
 * standard one, which leaves names unchanged. Frameworks with naming rules of their own (Spring Boot's
 * snake case) wrap theirs: {@code new TenantSchemaNamingStrategy(new PhysicalNamingStrategySnakeCaseImpl())}.
 */
public class TenantSchemaNamingStrategy implements PhysicalNamingStrategy, java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final PhysicalNamingStrategy names;

    public TenantSchemaNamingStrategy() {
        this(PhysicalNamingStrategyStandardImpl.INSTANCE);
    }

    /** @param names the strategy for every name but the logical tenant schema */
    public TenantSchemaNamingStrategy(PhysicalNamingStrategy names) {
        this.names = Objects.requireNonNull(names, "names");
    }

    /** The strategy this one hands every other name to. */
    public PhysicalNamingStrategy names() {
        return names;
    }

    @Override
    public Identifier toPhysicalCatalogName(Identifier logicalName, JdbcEnvironment jdbcEnvironment) {
        return names.toPhysicalCatalogName(logicalName, jdbcEnvironment);
    }

    @Override
    public Identifier toPhysicalSchemaName(Identifier logicalName, JdbcEnvironment jdbcEnvironment) {
        if (logicalName != null && TenantSchema.LOGICAL.equals(logicalName.getText())) {
            return Identifier.toIdentifier(TenantSchema.PLACEHOLDER_NAME, true);
        }
        return names.toPhysicalSchemaName(logicalName, jdbcEnvironment);
    }

    @Override
    public Identifier toPhysicalTableName(Identifier logicalName, JdbcEnvironment jdbcEnvironment) {
        return names.toPhysicalTableName(logicalName, jdbcEnvironment);
    }

    @Override
    public Identifier toPhysicalSequenceName(Identifier logicalName, JdbcEnvironment jdbcEnvironment) {
        return names.toPhysicalSequenceName(logicalName, jdbcEnvironment);
    }

    @Override
    public Identifier toPhysicalColumnName(Identifier logicalName, JdbcEnvironment jdbcEnvironment) {
        return names.toPhysicalColumnName(logicalName, jdbcEnvironment);
    }

    @Override
    public Identifier toPhysicalTypeName(Identifier logicalName, JdbcEnvironment jdbcEnvironment) {
        return names.toPhysicalTypeName(logicalName, jdbcEnvironment);
    }
}
