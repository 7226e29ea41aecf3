package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.Database;
import dev.tenantry.core.SchemaCloner;
import dev.tenantry.core.SchemaMigrator;
import dev.tenantry.core.SchemaName;
import dev.tenantry.core.TenantryException;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A copied schema is the same as the original, down to sequences, foreign keys, storage parameters and grants. */
@WithPostgres
class SchemaClonerTest {

    private static Database database;
    private static SchemaCloner cloner;

    @BeforeAll
    static void open(TestDatabase db) {
        database = Database.open(db.config().build());
        cloner = new SchemaCloner(database.admin());
        new SchemaMigrator(database.admin(), List.of("classpath:db/it/rich")).provision(null, SchemaName.of("rich_source"));
        db.execute("INSERT INTO rich_source.customers (name, email) VALUES ('Ada', 'ada@example.com'), ('Bob', NULL)");
        db.execute("INSERT INTO rich_source.invoices (customer_id, net) VALUES (1, 10), (1, 20), (2, 5)");
    }

    @AfterAll
    static void close() {
        database.close();
    }

    /** Everything PostgreSQL knows about a schema's tables, rendered without the schema name. */
    private static List<String> structure(TestDatabase db, String schema) {
        List<String> columns = db.column("SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable"
                + " || ' ' || coalesce(replace(column_default, quote_ident(?) || '.', ''), '') || ' ' || is_identity || ' ' || is_generated"
                + " FROM information_schema.columns WHERE table_schema = ? ORDER BY 1", schema, schema);
        List<String> indexes = db.column("SELECT tablename || ' ' || replace(indexdef, quote_ident(?) || '.', '') FROM pg_indexes"
                + " WHERE schemaname = ? ORDER BY 1", schema, schema);
        List<String> constraints = db.column("SELECT c.relname || ' ' || con.conname || ' ' || replace(pg_get_constraintdef(con.oid), quote_ident(?) || '.', '')"
                + " FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = ? ORDER BY 1", schema, schema);
        List<String> sequences = db.column("SELECT sequencename || ' ' || start_value || ' ' || increment_by FROM pg_sequences"
                + " WHERE schemaname = ? ORDER BY 1", schema);
        List<String> grants = db.column("SELECT table_name || ' ' || grantee || ' ' || privilege_type"
                + " FROM information_schema.table_privileges WHERE table_schema = ? AND grantee = 'PUBLIC' ORDER BY 1", schema);
        List<String> storage = db.column("SELECT c.relname || ' ' || coalesce(array_to_string(c.reloptions, ','), '') || ' toast '"
                + " || coalesce(array_to_string(t.reloptions, ','), '') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_class t ON t.oid = c.reltoastrelid WHERE n.nspname = ? AND c.relkind IN ('r', 'i') ORDER BY 1", schema);
        return java.util.stream.Stream.of(columns, indexes, constraints, sequences, grants, storage).flatMap(List::stream).toList();
    }

    @Test
    void aStructureCopyMatchesTheSourceAndHasItsHistoryButNoRows(TestDatabase db) {
        SchemaCloner.CloneResult result = cloner.copy(SchemaName.of("rich_source"), SchemaName.of("rich_empty"),
                SchemaCloner.Rows.HISTORY_ONLY);

        assertThat(result.tables()).isEqualTo(3);
        assertThat(structure(db, "rich_empty")).isEqualTo(structure(db, "rich_source"))
                .contains("invoices fillfactor=90,autovacuum_analyze_threshold=500 toast ", "customers  toast autovacuum_enabled=false");
        assertThat(db.column("SELECT count(*) FROM rich_empty.customers")).containsExactly("0");
        assertThat(db.column("SELECT version FROM rich_empty.flyway_schema_history")).containsExactly("1");
    }

    @Test
    void theCopysSequencesAndForeignKeysAreItsOwn(TestDatabase db) {
        cloner.copy(SchemaName.of("rich_source"), SchemaName.of("rich_own"), SchemaCloner.Rows.HISTORY_ONLY);
        db.execute("INSERT INTO rich_own.customers (name) VALUES ('Cy')");
        db.execute("INSERT INTO rich_own.invoices (customer_id, net) VALUES (1, 1)");

        assertThat(db.column("SELECT number FROM rich_own.invoices")).containsExactly("1000");
        assertThat(db.column("SELECT pg_get_serial_sequence('rich_own.customers', 'id')")).containsExactly("rich_own.customers_id_seq");
        assertThat(db.column("SELECT last_value FROM rich_source.invoice_numbers")).containsExactly("1020");
        assertThatThrownBy(() -> db.execute("INSERT INTO rich_own.invoices (customer_id, net) VALUES (999, 1)"))
                .hasMessageContaining("foreign key");
    }

    @Test
    void aCopyWithDataTakesEveryRowAndContinuesTheSequences(TestDatabase db) {
        SchemaCloner.CloneResult result = cloner.copy(SchemaName.of("rich_source"), SchemaName.of("rich_full"),
                SchemaCloner.Rows.ALL);
        db.execute("INSERT INTO rich_full.customers (name) VALUES ('Dee')");
        db.execute("INSERT INTO rich_full.invoices (customer_id, net) VALUES (3, 100)");

        assertThat(result.rowsCopied()).isEqualTo(2 + 3 + 1);
        assertThat(db.column("SELECT id || ' ' || number || ' ' || gross FROM rich_full.invoices ORDER BY id"))
                .containsExactly("1 1000 12.00", "2 1010 24.00", "3 1020 6.00", "4 1030 120.00");
        assertThat(db.column("SELECT id FROM rich_full.customers WHERE name = 'Dee'")).containsExactly("3");
    }

    @Test
    void refusalsLeaveNothingBehind(TestDatabase db) {
        new SchemaMigrator(database.admin(), List.of("classpath:db/it/withview")).provision(null, SchemaName.of("with_view"));

        assertThatThrownBy(() -> cloner.copy(SchemaName.of("with_view"), SchemaName.of("view_copy"), SchemaCloner.Rows.ALL))
                .isInstanceOf(TenantryException.class).hasMessageContaining("view thing_ids");
        assertThatThrownBy(() -> cloner.copy(SchemaName.of("missing"), SchemaName.of("missing_copy"), SchemaCloner.Rows.ALL))
                .isInstanceOf(TenantryException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> cloner.copy(SchemaName.of("rich_source"), SchemaName.of("with_view"), SchemaCloner.Rows.ALL))
                .isInstanceOf(TenantryException.class).hasMessageContaining("exists already");
        assertThat(db.schemas()).doesNotContain("view_copy", "missing_copy");
    }

    @Test
    void aStandaloneCompositeTypeIsRefusedButTablesRowTypesAreNot(TestDatabase db) {
        db.execute("CREATE SCHEMA with_type");
        db.execute("CREATE TYPE with_type.money_pair AS (amount numeric, currency text)");
        db.execute("CREATE TABLE with_type.prices (id int PRIMARY KEY, price with_type.money_pair)");
        db.execute("CREATE SCHEMA tables_only");
        db.execute("CREATE TABLE tables_only.prices (id int PRIMARY KEY, amount numeric)");

        assertThatThrownBy(() -> cloner.copy(SchemaName.of("with_type"), SchemaName.of("type_copy"), SchemaCloner.Rows.ALL))
                .isInstanceOf(TenantryException.class).hasMessageContaining("type money_pair")
                .hasMessageNotContaining("type prices");
        cloner.copy(SchemaName.of("tables_only"), SchemaName.of("tables_copy"), SchemaCloner.Rows.ALL);

        assertThat(db.schemas()).doesNotContain("type_copy").contains("tables_copy");
    }

    @Test
    void repeatedCopiesOfAnUnchangedSourceReplayOnePlanAndStayFaithful(TestDatabase db) {
        SchemaCloner fresh = new SchemaCloner(database.admin());
        fresh.copy(SchemaName.of("rich_source"), SchemaName.of("plan_first"), SchemaCloner.Rows.HISTORY_ONLY);
        fresh.copy(SchemaName.of("rich_source"), SchemaName.of("user"), SchemaCloner.Rows.HISTORY_ONLY);

        assertThat(structure(db, "user")).isEqualTo(structure(db, "rich_source"));
        assertThat(structure(db, "plan_first")).isEqualTo(structure(db, "rich_source"));
        assertThatThrownBy(() -> fresh.copy(SchemaName.of("rich_source"), SchemaName.of("user"), SchemaCloner.Rows.HISTORY_ONLY))
                .isInstanceOf(TenantryException.class).hasMessageContaining("exists already");
    }

    @Test
    void aSourceMigratedSinceTheLastCopyIsReadAfresh(TestDatabase db) {
        SchemaCloner fresh = new SchemaCloner(database.admin());
        new SchemaMigrator(database.admin(), List.of("classpath:db/it/original")).provision(null, SchemaName.of("moving_source"));
        fresh.copy(SchemaName.of("moving_source"), SchemaName.of("moving_one"), SchemaCloner.Rows.HISTORY_ONLY);
        new SchemaMigrator(database.admin(), List.of("classpath:db/it/original", "classpath:db/it/extra_things"))
                .migrate(null, SchemaName.of("moving_source"));
        fresh.copy(SchemaName.of("moving_source"), SchemaName.of("moving_two"), SchemaCloner.Rows.HISTORY_ONLY);

        assertThat(db.tables()).contains("moving_two.colours").doesNotContain("moving_one.colours");
        assertThat(structure(db, "moving_two")).isEqualTo(structure(db, "moving_source"));
    }
}
