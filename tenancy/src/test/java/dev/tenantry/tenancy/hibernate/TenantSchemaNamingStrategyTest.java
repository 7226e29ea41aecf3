package dev.tenantry.tenancy.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.dialect.PostgreSQLDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantSchemaNamingStrategyTest {

    private final TenantSchemaNamingStrategy strategy = new TenantSchemaNamingStrategy();

    @Test
    void logicalTenantSchemaMapsToTheQuotedPlaceholder() {
        Identifier physical = strategy.toPhysicalSchemaName(Identifier.toIdentifier("tenant"), null);

        assertThat(physical.getText()).isEqualTo("tenantry.tenant");
        assertThat(physical.isQuoted()).isTrue();
    }

    @Test
    void quotedLogicalTenantSchemaMapsToo() {
        Identifier physical = strategy.toPhysicalSchemaName(Identifier.toIdentifier("tenant", true), null);

        assertThat(physical.getText()).isEqualTo("tenantry.tenant");
        assertThat(physical.isQuoted()).isTrue();
    }

    @Test
    void logicalSchemaConstantIsWhatEntitiesName() {
        Identifier physical = strategy.toPhysicalSchemaName(Identifier.toIdentifier(TenantSchema.LOGICAL), null);

        assertThat(physical.getText()).isEqualTo(TenantSchema.PLACEHOLDER_NAME);
    }

    @Test
    void placeholderRendersForPostgresExactlyAsTheConnectionsExpect() {
        Identifier physical = strategy.toPhysicalSchemaName(Identifier.toIdentifier("tenant"), null);

        assertThat(physical.render(new PostgreSQLDialect())).isEqualTo(TenantSchema.PLACEHOLDER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"public", "tenantry", "prod", "Tenant", "TENANT", "tenants", "tenant_", "my_tenant"})
    void otherSchemaNamesPassThroughUnchanged(String name) {
        Identifier logical = Identifier.toIdentifier(name);

        assertThat(strategy.toPhysicalSchemaName(logical, null)).isSameAs(logical);
    }

    @Test
    void nullSchemaStaysNull() {
        assertThat(strategy.toPhysicalSchemaName(null, null)).isNull();
    }

    @Test
    void tablesColumnsCatalogsAndSequencesNamedTenantAreNotTouched() {
        Identifier tenant = Identifier.toIdentifier("tenant");

        assertThat(strategy.toPhysicalTableName(tenant, null)).isSameAs(tenant);
        assertThat(strategy.toPhysicalColumnName(tenant, null)).isSameAs(tenant);
        assertThat(strategy.toPhysicalCatalogName(tenant, null)).isSameAs(tenant);
        assertThat(strategy.toPhysicalSequenceName(tenant, null)).isSameAs(tenant);
    }

    @Test
    void subclassCallingSuperKeepsTheMapping() {
        TenantSchemaNamingStrategy custom = new TenantSchemaNamingStrategy() {
            private static final long serialVersionUID = 1L;

            @Override
            public Identifier toPhysicalTableName(Identifier logicalName,
                    org.hibernate.engine.jdbc.env.spi.JdbcEnvironment jdbcEnvironment) {
                return Identifier.toIdentifier("app_" + logicalName.getText());
            }
        };

        assertThat(custom.toPhysicalSchemaName(Identifier.toIdentifier("tenant"), null).getText())
                .isEqualTo("tenantry.tenant");
        assertThat(custom.toPhysicalTableName(Identifier.toIdentifier("users"), null).getText()).isEqualTo("app_users");
    }

    @Test
    void wrappedStrategyNamesEverythingButTheTenantSchema() {
        TenantSchemaNamingStrategy snakeCase = new TenantSchemaNamingStrategy(
                new org.hibernate.boot.model.naming.PhysicalNamingStrategySnakeCaseImpl());

        assertThat(snakeCase.toPhysicalSchemaName(Identifier.toIdentifier("tenant"), null).getText())
                .isEqualTo("tenantry.tenant");
        assertThat(snakeCase.toPhysicalSchemaName(Identifier.toIdentifier("sharedData"), null).getText())
                .isEqualTo("shared_data");
        assertThat(snakeCase.toPhysicalTableName(Identifier.toIdentifier("TodoItem"), null).getText())
                .isEqualTo("todo_item");
        assertThat(snakeCase.toPhysicalColumnName(Identifier.toIdentifier("displayName"), null).getText())
                .isEqualTo("display_name");
        assertThat(snakeCase.toPhysicalSequenceName(Identifier.toIdentifier("todoSeq"), null).getText())
                .isEqualTo("todo_seq");
    }
}
