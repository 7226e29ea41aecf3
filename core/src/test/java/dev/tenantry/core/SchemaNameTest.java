package dev.tenantry.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SchemaNameTest {

    /** Names that must never reach SQL: at least 40 of them, each refused for its own reason. */
    static Stream<String> hostileNames() {
        return Stream.of(
                // empty and too long
                "",
                null,
                "a".repeat(64),
                "0".repeat(64),
                "x".repeat(1000),
                // upper case
                "Prod",
                "PROD",
                "prod_A",
                "\u0130d", // Turkish dotted capital I
                // whitespace
                "prod ",
                " prod",
                "pro d",
                "prod\t",
                "prod\n",
                "prod\r\n",
                "prod\u00a0", // no-break space
                "prod\u200b", // zero-width space
                // quotes and SQL syntax
                "prod\"",
                "\"prod\"",
                "prod\"; drop schema public cascade; --",
                "prod'",
                "o'brien",
                "prod`",
                "prod;",
                "prod;drop schema public cascade",
                "a.b",
                "public.users",
                "my-tenant",
                "prod--",
                "--prod",
                "prod/*x*/",
                "prod\\",
                "prod$1",
                "prod)",
                "prod%",
                "*",
                "prod,other",
                "prod=x",
                // NUL and control characters
                "prod\u0000",
                "\u0000",
                "\u001b[31mprod",
                "prod\u007f",
                // non-ASCII look-alikes
                "pr\u043ed", // Cyrillic o (U+043E)
                "\u0430cme", // Cyrillic a (U+0430)
                "\u0440rod", // Cyrillic er (U+0440) looks like p
                "\uff50\uff52\uff4f\uff44", // fullwidth "prod"
                "prod\uff3f1", // fullwidth low line
                "\u0131d", // Turkish dotless i
                "caf\u00e9",
                "\ud83d\ude00", // emoji, a surrogate pair
                // reserved by PostgreSQL
                "pg_catalog",
                "pg_toast",
                "pg_temp_1",
                "pg_anything",
                "pg_",
                "information_schema");
    }

    @Test
    void hostileListIsLongEnough() {
        assertThat(hostileNames().count()).isGreaterThanOrEqualTo(40);
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void hostileNameIsRefusedWithMessageNamingTheValue(String value) {
        InvalidSchemaNameException e = catchThrowableOfType(InvalidSchemaNameException.class, () -> SchemaName.of(value));

        assertThat(e).isNotNull();
        assertThat(e.schema()).isEqualTo(value);
        assertThat(e.tenant()).isNull();
        assertThat(e.getMessage()).startsWith("Invalid schema name ").contains(SchemaName.describe(value));
        assertThat(e).isInstanceOf(TenantryException.class);
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void hostileNameIsRefusedByOfTenantToo(String value) {
        assertThatThrownBy(() -> SchemaName.ofTenant(value)).isInstanceOf(InvalidSchemaNameException.class);
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void problemWithExplainsEveryHostileName(String value) {
        assertThat(SchemaName.problemWith(value)).isNotBlank();
    }

    @ParameterizedTest
    @MethodSource("hostileNames")
    void refusalMessageIsPrintableAsciiSoItCannotForgeLogLines(String value) {
        InvalidSchemaNameException e = catchThrowableOfType(InvalidSchemaNameException.class, () -> SchemaName.of(value));

        assertThat(e.getMessage().chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
    }

    @ParameterizedTest
    @ValueSource(strings = {"prod", "00_personal_todo", "a", "_", "0", "tenant_42", "public", "tenantry", "pg",
            "pgx_catalog", "x_pg_catalog", "information_schemas", "_information_schema",
            "abcdefghijklmnopqrstuvwxyz_0123456789"})
    void validNameIsAcceptedAndQuoted(String value) {
        SchemaName name = SchemaName.of(value);

        assertThat(name.value()).isEqualTo(value);
        assertThat(name.toString()).isEqualTo(value);
        assertThat(name.quoted()).isEqualTo('"' + value + '"');
        assertThat(SchemaName.problemWith(value)).isNull();
    }

    @Test
    void digitLeadingNameIsValidAndAlwaysQuoted() {
        SchemaName name = SchemaName.ofTenant("00_personal_todo");

        assertThat(name.value()).isEqualTo("00_personal_todo");
        assertThat(name.quoted()).isEqualTo("\"00_personal_todo\"");
    }

    @Test
    void plainNameIsQuotedToo() {
        assertThat(SchemaName.of("prod").quoted()).isEqualTo("\"prod\"");
    }

    @Test
    void sixtyThreeCharactersIsTheLongestValidName() {
        String longest = "a".repeat(SchemaName.MAX_LENGTH);

        assertThat(SchemaName.MAX_LENGTH).isEqualTo(63);
        assertThat(SchemaName.ofTenant(longest).value()).hasSize(63);
        assertThat(SchemaName.problemWith(longest)).isNull();
    }

    @Test
    void sixtyFourCharactersIsRefusedWithTheLengthInTheReason() {
        assertThat(SchemaName.problemWith("a".repeat(64))).contains("64").contains("63");
    }

    @Test
    void problemWithReturnsNullExactlyForValidNames() {
        List<String> candidates = new ArrayList<>();
        hostileNames().forEach(candidates::add);
        candidates.addAll(List.of("prod", "00_personal_todo", "a".repeat(63), "public", "pg", "_"));

        for (String candidate : candidates) {
            String problem = SchemaName.problemWith(candidate);
            boolean accepted;
            try {
                SchemaName.of(candidate);
                accepted = true;
            } catch (InvalidSchemaNameException e) {
                accepted = false;
                assertThat(e.getMessage()).endsWith(problem);
            }
            assertThat(problem == null).as("problemWith(%s) vs of()", SchemaName.describe(candidate)).isEqualTo(accepted);
        }
    }

    @Test
    void everySingleCharacterOutsideTheAllowedSetIsRefused() {
        for (char c = 0; c < 0x3000; c++) {
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            String value = "x" + c + "y";
            assertThat(SchemaName.problemWith(value) == null).as("char U+%04X", (int) c).isEqualTo(allowed);
        }
    }

    @Test
    void problemNamesTheOffendingCharacterAndPosition() {
        assertThat(SchemaName.problemWith("ab;c")).contains("';'").contains("position 3");
        assertThat(SchemaName.problemWith("ab\u0000")).contains("U+0000").contains("position 3");
        assertThat(SchemaName.problemWith("\u0430cme")).contains("U+0430").contains("position 1");
        assertThat(SchemaName.problemWith("a b")).contains("U+0020");
    }

    @Test
    void reservedNamesHaveTheirOwnReason() {
        assertThat(SchemaName.problemWith("pg_catalog")).contains("pg_").contains("reserved");
        assertThat(SchemaName.problemWith("information_schema")).contains("reserved");
        assertThat(SchemaName.problemWith("")).isEqualTo("it is empty");
        assertThat(SchemaName.problemWith(null)).isEqualTo("it is empty");
    }

    @Test
    void publicIsAcceptedByOfAsTheSingleton() {
        SchemaName name = SchemaName.of("public");

        assertThat(name).isSameAs(SchemaName.PUBLIC);
        assertThat(name.isPublic()).isTrue();
        assertThat(name.quoted()).isEqualTo("\"public\"");
    }

    @Test
    void publicIsRefusedByOfTenant() {
        InvalidSchemaNameException e = catchThrowableOfType(InvalidSchemaNameException.class,
                () -> SchemaName.ofTenant("public"));

        assertThat(e.getMessage()).contains("'public'");
        assertThat(e.schema()).isEqualTo("public");
    }

    @Test
    void otherNamesAreNotPublic() {
        assertThat(SchemaName.of("prod").isPublic()).isFalse();
        assertThat(SchemaName.of("public_2").isPublic()).isFalse();
    }

    @Test
    void equalityHashAndOrderFollowTheValue() {
        SchemaName a = SchemaName.of("alpha");
        SchemaName a2 = SchemaName.of("alpha");
        SchemaName b = SchemaName.of("beta");

        assertThat(a).isEqualTo(a2).hasSameHashCodeAs(a2).isNotEqualTo(b).isNotEqualTo("alpha").isNotEqualTo(null);
        assertThat(a.compareTo(b)).isNegative();
        assertThat(b.compareTo(a)).isPositive();
        assertThat(a.compareTo(a2)).isZero();
        assertThat(SchemaName.of("public")).isEqualTo(SchemaName.PUBLIC);
    }

    @Test
    void describeQuotesEscapesAndCutsUntrustedValues() {
        assertThat(SchemaName.describe(null)).isEqualTo("null");
        assertThat(SchemaName.describe("prod")).isEqualTo("'prod'");
        assertThat(SchemaName.describe("o'brien")).isEqualTo("'o\\u0027brien'");
        assertThat(SchemaName.describe("a\nb")).isEqualTo("'a\\u000ab'");
        assertThat(SchemaName.describe("\u0430")).isEqualTo("'\\u0430'");
        assertThat(SchemaName.describe("x".repeat(1000))).isEqualTo("'" + "x".repeat(80) + "'... (1000 characters)");
    }

    @Test
    void printableHostileValueAppearsVerbatimInTheMessage() {
        assertThatThrownBy(() -> SchemaName.of("prod;drop schema public cascade"))
                .hasMessageContaining("'prod;drop schema public cascade'");
        assertThatThrownBy(() -> SchemaName.of("Prod")).hasMessageContaining("'Prod'").hasMessageContaining("'P'");
        assertThatThrownBy(() -> SchemaName.of("my-tenant")).hasMessageContaining("'my-tenant'");
    }
}
