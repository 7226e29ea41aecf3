package dev.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.SchemaName;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TenantSchemaMappingTest {

    /** Maps UUID tenant ids to {@code t_<32 hex digits>}; refuses anything that is not a UUID. */
    private static final TenantSchemaMapping UUID_MAPPING = tenant -> {
        try {
            return "t_" + UUID.fromString(tenant).toString().replace("-", "").toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new InvalidSchemaNameException(tenant, null, "the tenant id is not a UUID");
        }
    };

    private static InvalidSchemaNameException refused(TenantSchemaMapping mapping, String tenant) {
        InvalidSchemaNameException e = catchThrowableOfType(InvalidSchemaNameException.class,
                () -> mapping.resolve(tenant));
        assertThat(e).as("resolve(%s) should be refused", tenant).isNotNull();
        assertThat(e.tenant()).isEqualTo(tenant);
        return e;
    }

    // ---- identity ----

    @Test
    void identityUsesTheIdAsTheSchema() {
        TenantSchemaMapping identity = TenantSchemaMapping.identity();

        assertThat(identity.schemaFor("acme")).isEqualTo("acme");
        assertThat(identity.resolve("acme")).isEqualTo(SchemaName.of("acme"));
        assertThat(identity.resolve("00_personal_todo").quoted()).isEqualTo("\"00_personal_todo\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Acme", "acme corp", "acme;drop schema public", "a.b", "my-tenant", "pg_catalog",
            "information_schema", "pr\u043ed", "acme\u0000", "acme\"", "acme'"})
    void identityRefusesIdsThatAreNotSchemaNamesNamingTheTenant(String tenant) {
        InvalidSchemaNameException e = refused(TenantSchemaMapping.identity(), tenant);

        assertThat(e.schema()).isEqualTo(tenant);
        assertThat(e.getMessage()).contains("for tenant ").contains("Invalid schema ");
    }

    @Test
    void refusalMessageQuotesThePrintableTenant() {
        assertThat(refused(TenantSchemaMapping.identity(), "Acme").getMessage())
                .isEqualTo("Invalid schema 'Acme' for tenant 'Acme': character 'A' at position 1 is not allowed;"
                        + " use lowercase ASCII letters, digits and underscores (the tenant id is used as the schema name;"
                        + " for ids that are not valid schema names, such as UUIDs or ids with upper case or hyphens, give"
                        + " Tenantry a mapping: Tenantry.builder(config).mapping(id -> ...))");
    }

    @Test
    void identityRefusesPublic() {
        InvalidSchemaNameException e = refused(TenantSchemaMapping.identity(), "public");

        assertThat(e.schema()).isEqualTo("public");
        assertThat(e.getMessage()).contains("tenant 'public'").contains("public is only the per-deployment default");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void emptyTenantIdIsRefusedBeforeTheMappingRuns(String tenant) {
        TenantSchemaMapping mustNotRun = t -> {
            throw new AssertionError("mapping ran for " + t);
        };

        InvalidSchemaNameException e = refused(mustNotRun, tenant);

        assertThat(e.getMessage()).contains("the tenant id is empty");
    }

    // ---- of(Map) ----

    @Test
    void tableMapsKnownIds() {
        TenantSchemaMapping table = TenantSchemaMapping.of(Map.of("Acme-Corp", "acme", "Globex", "t_globex"));

        assertThat(table.resolve("Acme-Corp")).isEqualTo(SchemaName.of("acme"));
        assertThat(table.resolve("Globex").value()).isEqualTo("t_globex");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Initech", "acme", "ACME-CORP", "Acme-Corp "})
    void tableRefusesUnknownIdsNamingTheTenant(String tenant) {
        TenantSchemaMapping table = TenantSchemaMapping.of(Map.of("Acme-Corp", "acme"));

        InvalidSchemaNameException e = refused(table, tenant);

        assertThat(e.schema()).isNull();
        assertThat(e.getMessage()).contains("for tenant '" + tenant + "'").contains("not in the application's schema mapping");
    }

    @Test
    void tableRefusesUnknownIdsInSchemaForToo() {
        TenantSchemaMapping table = TenantSchemaMapping.of(Map.of("a", "a"));

        InvalidSchemaNameException e = catchThrowableOfType(InvalidSchemaNameException.class, () -> table.schemaFor("b"));

        assertThat(e.tenant()).isEqualTo("b");
    }

    @Test
    void tableValidatesTheMappedSchema() {
        TenantSchemaMapping table = TenantSchemaMapping.of(Map.of(
                "acme", "Acme_Schema", "globex", "public", "initech", "pg_initech", "hooli", "x".repeat(64)));

        assertThat(refused(table, "acme").getMessage())
                .contains("Invalid schema 'Acme_Schema' for tenant 'acme'")
                .endsWith("(the schema name comes from the application's mapping, Tenantry.builder(config).mapping(...))");
        assertThat(refused(table, "acme").schema()).isEqualTo("Acme_Schema");
        assertThat(refused(table, "globex").getMessage()).contains("tenant 'globex'").contains("public");
        assertThat(refused(table, "initech").getMessage()).contains("tenant 'initech'").contains("pg_");
        assertThat(refused(table, "hooli").getMessage()).contains("tenant 'hooli'").contains("64 characters");
    }

    @Test
    void tableIsACopy() {
        Map<String, String> source = new HashMap<>(Map.of("acme", "acme"));
        TenantSchemaMapping table = TenantSchemaMapping.of(source);

        source.put("globex", "globex");
        source.remove("acme");

        assertThat(table.resolve("acme").value()).isEqualTo("acme");
        refused(table, "globex");
    }

    @Test
    void tableRefusesNullEntries() {
        Map<String, String> withNull = new HashMap<>();
        withNull.put("acme", null);

        assertThatNullPointerException().isThrownBy(() -> TenantSchemaMapping.of(withNull));
        assertThatNullPointerException().isThrownBy(() -> TenantSchemaMapping.of(null));
    }

    // ---- custom mappings ----

    @Test
    void uuidMappingProducesHexSchemaNames() {
        UUID id = UUID.fromString("3F2504E0-4F89-11D3-9A0C-0305E82C3301");

        SchemaName schema = UUID_MAPPING.resolve(id.toString());

        assertThat(schema.value()).isEqualTo("t_3f2504e04f8911d39a0c0305e82c3301");
        assertThat(schema.value()).hasSize(34);
        assertThat(schema.quoted()).isEqualTo("\"t_3f2504e04f8911d39a0c0305e82c3301\"");
    }

    @Test
    void uuidMappingWorksForRandomIds() {
        for (int i = 0; i < 100; i++) {
            String tenant = UUID.randomUUID().toString();
            assertThat(UUID_MAPPING.resolve(tenant).value()).matches("t_[0-9a-f]{32}");
        }
    }

    @Test
    void uuidMappingRefusesOtherIdsNamingTheTenant() {
        assertThat(refused(UUID_MAPPING, "acme").getMessage()).contains("tenant 'acme'").contains("not a UUID");
    }

    @Test
    void mappingThatReturnsNullIsRefused() {
        InvalidSchemaNameException e = refused(tenant -> null, "acme");

        assertThat(e.schema()).isNull();
        assertThat(e.getMessage()).contains("tenant 'acme'").contains("it is empty");
    }

    @Test
    void mappingThatReturnsHostileTextIsRefused() {
        InvalidSchemaNameException e = refused(tenant -> tenant + "\"; drop schema public cascade; --", "acme");

        assertThat(e.schema()).startsWith("acme\"");
        assertThat(e.getMessage()).contains("tenant 'acme'");
    }

    @Test
    void mappingThatReturnsPublicIsRefused() {
        assertThat(refused(tenant -> "public", "anyone").getMessage()).contains("public");
    }

    @Test
    void mappingMayLowerCaseIds() {
        TenantSchemaMapping lower = tenant -> tenant.toLowerCase(Locale.ROOT);

        assertThat(lower.resolve("ACME").value()).isEqualTo("acme");
    }
}
