package dev.tenantry.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.SchemaName;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The parts of migration generation that need no database: names, undo statements, widening, down scripts. */
class MigrationGeneratorTest {

    @Test
    void theTemplatesNameIsTakenOutWhereverItQualifiesAName() {
        SchemaName template = SchemaName.of("tenantry_template");
        assertThat(MigrationGenerator.unqualified("alter table if exists tenantry_template.notes add constraint FK1 foreign key"
                + " (user_id) references tenantry_template.users", template))
                .isEqualTo("alter table if exists notes add constraint FK1 foreign key (user_id) references users");
        assertThat(MigrationGenerator.unqualified("create table \"tenantry_template\".tags (id bigint)", template))
                .isEqualTo("create table tags (id bigint)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "create table tags (id bigint not null, primary key (id))|drop table tags",
        "alter table if exists notes add column pinned boolean|alter table if exists notes drop column pinned",
        "alter table if exists notes add constraint FKabc foreign key (tag_id) references tags|alter table if exists notes drop constraint FKabc",
        "create sequence tags_SEQ start with 1 increment by 50|drop sequence tags_SEQ",
        "create unique index notes_body_idx on notes (body)|drop index notes_body_idx",
        "comment on table notes is 'x'|"})
    void eachKindOfStatementHibernateWritesIsUndone(String statement, String undo) {
        assertThat(MigrationGenerator.undo(statement)).isEqualTo(undo);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "integer|bigint|true", "smallint|integer|true", "bigint|integer|false", "real|double precision|true",
        "character varying(40)|character varying(255)|true", "character varying(255)|character varying(40)|false",
        "character varying(40)|text|true", "text|integer|false", "numeric(10,2)|numeric(12,2)|true",
        "numeric(10,2)|numeric(10,3)|false", "uuid|text|false"})
    void onlyChangesThatHoldEveryValueWiden(String was, String wanted, boolean widens) {
        assertThat(MigrationGenerator.widens(was, wanted)).isEqualTo(widens);
    }

    @Test
    void theDownScriptUndoesNewestFirstOrIsMissingWhenOneStatementCannotBeUndone() {
        GeneratedMigration undoable = GeneratedMigration.of(List.of("create table a (id int)", "create index a_i on a (id)"),
                List.of("drop table a", "drop index a_i"), List.of());
        assertThat(undoable.undo()).containsExactly("drop index a_i", "drop table a");
        assertThat(undoable.undoScript("h")).isEqualTo("-- h\ndrop index a_i;\ndrop table a;\n");

        GeneratedMigration lossy = GeneratedMigration.of(List.of("create table a (id int)", "alter table b drop column c"),
                Arrays.asList("drop table a", null), List.of("drop column b.c"));
        assertThat(lossy.undoScript("h")).isNull();
        assertThat(lossy.undoMissing()).isEqualTo("\"alter table b drop column c\" cannot be undone");
    }

    @Test
    void aNotNullColumnWithoutADefaultIsWarnedAbout() {
        GeneratedMigration migration = GeneratedMigration.of(List.of("alter table if exists notes add column rank integer not null",
                "alter table if exists notes add column ok integer default 0 not null"), Arrays.asList(null, null), List.of());
        assertThat(migration.warnings()).singleElement().asString().contains("rank integer not null", "fails in every tenant");
    }
}
