package dev.tenantry.tenancy.hibernate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.SchemaName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantSchemaTest {

    private static final String ACME = "\"acme\"";

    @Test
    void constantsSpellTheLogicalSchemaAndThePlaceholder() {
        assertThat(TenantSchema.LOGICAL).isEqualTo("tenant");
        assertThat(TenantSchema.PLACEHOLDER).isEqualTo("\"tenantry.tenant\"");
        assertThat(TenantSchema.PLACEHOLDER).isEqualTo('"' + TenantSchema.PLACEHOLDER_NAME + '"');
    }

    @Test
    void placeholderIsNeverAValidSchemaName() {
        assertThat(SchemaName.problemWith(TenantSchema.PLACEHOLDER_NAME)).isNotNull();
    }

    @Test
    void replacesThePlaceholder() {
        assertThat(TenantSchema.resolve("select * from \"tenantry.tenant\".users", ACME))
                .isEqualTo("select * from \"acme\".users");
    }

    @Test
    void replacesEveryOccurrence() {
        String sql = "insert into \"tenantry.tenant\".a select * from \"tenantry.tenant\".b"
                + " join \"tenantry.tenant\".c using (id)";

        assertThat(TenantSchema.resolve(sql, ACME))
                .isEqualTo("insert into \"acme\".a select * from \"acme\".b join \"acme\".c using (id)")
                .doesNotContain("tenantry.tenant");
    }

    @Test
    void replacesAdjacentOccurrencesAndWholeText() {
        assertThat(TenantSchema.resolve("\"tenantry.tenant\"\"tenantry.tenant\"", ACME)).isEqualTo("\"acme\"\"acme\"");
        assertThat(TenantSchema.resolve(TenantSchema.PLACEHOLDER, ACME)).isEqualTo(ACME);
    }

    @Test
    void replacementIsLiteralEvenWithRegexCharacters() {
        assertThat(TenantSchema.resolve("select 1 from \"tenantry.tenant\".t", "\"$1\\x\""))
                .isEqualTo("select 1 from \"$1\\x\".t");
    }

    @Test
    void worksWithAQuotedSchemaName() {
        String quoted = SchemaName.ofTenant("00_personal_todo").quoted();

        assertThat(TenantSchema.resolve("select * from \"tenantry.tenant\".todo", quoted))
                .isEqualTo("select * from \"00_personal_todo\".todo");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "select 1",
            "select * from users",
            "select * from tenantry.tenant.users",
            "select * from \"tenantry\".\"tenant\".users",
            "select * from \"TENANTRY.TENANT\".users",
            "select * from \"tenantry.tenant.users",
            "select * from tenantry.tenant\".users"})
    void returnsTheVerySameStringWhenThereIsNoPlaceholder(String sql) {
        assertThat(TenantSchema.resolve(sql, ACME)).isSameAs(sql);
    }

    @Test
    void returnsTheVerySameStringForANewInstanceToo() {
        String sql = new String("select * from \"tenantry\".registry");

        assertThat(TenantSchema.resolve(sql, ACME)).isSameAs(sql);
    }

    @Test
    void nullStaysNull() {
        assertThat(TenantSchema.resolve(null, ACME)).isNull();
    }
}
