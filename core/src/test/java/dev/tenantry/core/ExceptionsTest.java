package dev.tenantry.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExceptionsTest {

    @Test
    void invalidConfigurationNamesTheSetting() {
        InvalidConfigurationException e = new InvalidConfigurationException("TENANTRY_MODE", "is wrong");

        assertThat(e.setting()).isEqualTo("TENANTRY_MODE");
        assertThat(e.getMessage()).isEqualTo("TENANTRY_MODE: is wrong");
        assertThat(e.tenant()).isNull();
        assertThat(e.schema()).isNull();
        assertThat(e).isInstanceOf(TenantryException.class);
    }

    @Test
    void invalidSchemaNameForATenantNamesTenantAndSchema() {
        InvalidSchemaNameException e = new InvalidSchemaNameException("Acme", "Acme", "upper case");

        assertThat(e.tenant()).isEqualTo("Acme");
        assertThat(e.schema()).isEqualTo("Acme");
        assertThat(e.getMessage()).startsWith("Invalid schema 'Acme' for tenant 'Acme': upper case (the tenant id is used as"
                + " the schema name;").contains("Tenantry.builder(config).mapping(id -> ...)");
    }

    @Test
    void invalidSchemaNameEscapesControlCharactersOfTheTenant() {
        InvalidSchemaNameException e = new InvalidSchemaNameException("a\nb", null, "no");

        assertThat(e.getMessage()).isEqualTo("Invalid schema null for tenant 'a\\u000ab': no");
        assertThat(e.getMessage()).doesNotContain("\n");
    }

    @Test
    void unknownTenantNamesTenantSchemaAndTheFix() {
        UnknownTenantException e = new UnknownTenantException("acme", "acme");

        assertThat(e.tenant()).isEqualTo("acme");
        assertThat(e.schema()).isEqualTo("acme");
        assertThat(e.getMessage()).contains("'acme'").contains("\"acme\"").contains("no such tenant has been provisioned")
                .contains("provisioning().provision(\"acme\")").contains("tenantry tenants create acme");
    }

    @Test
    void noTenantInScopeExplainsHowToChooseOne() {
        NoTenantInScopeException e = new NoTenantInScopeException();

        assertThat(e.getMessage()).contains("Tenants.in(").contains("org.hibernate.tenantId");
        assertThat(e.tenant()).isNull();
    }

    @Test
    void tenantryExceptionKeepsItsCause() {
        IllegalStateException cause = new IllegalStateException("x");
        TenantryException e = new TenantryException("failed", cause);

        assertThat(e).hasMessage("failed").hasCause(cause);
        assertThat(e.tenant()).isNull();
        assertThat(e.schema()).isNull();
    }

    @Test
    void migrationFailureSummaryKeepsScriptLineMessageAndStateButNotTheStatement() {
        String flyway = "Migration failed for tenant 'run_bad' schema \"run_bad\": Failed to execute script V100__nickname.sql;"
                + " SQL State  : 42701; Error Code : 0; Message    : ERROR: column \"nickname\" of relation \"users\" already exists;"
                + " Location   : db/it/extra/V100__nickname.sql (/x/V100__nickname.sql); Line       : 2;"
                + " Statement  : alter table users add column nickname text";

        assertThat(MigrationFailedException.summary(flyway))
                .isEqualTo("V100__nickname.sql line 2: ERROR: column \"nickname\" of relation \"users\" already exists"
                        + " (SQL state 42701)")
                .doesNotContain("alter table");
    }

    @Test
    void migrationFailureSummaryOfAnyOtherMessageIsThatMessageOnOneLine() {
        assertThat(MigrationFailedException.summary("Cannot connect\n  to the server")).isEqualTo("Cannot connect to the server");
        assertThat(MigrationFailedException.summary(null)).isNull();
    }
}
