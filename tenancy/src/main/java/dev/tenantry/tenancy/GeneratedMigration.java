package dev.tenantry.tenancy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A migration written from the entity model by {@link MigrationGenerator}: its statements, with unqualified names so
 * that they run in every tenant schema; the down script that undoes them, newest first, when every statement can be
 * undone; and the destructive changes it includes (only when they were asked for).
 *
 * @param statements   the up script's statements, in order; empty when the model and the schema agree
 * @param undo         the down script's statements, or an empty list when {@link #undoMissing()} says why not
 * @param undoMissing  why there is no down script, or {@code null}
 * @param destructive  the destructive changes included, described
 * @param warnings     statements that may fail in tenants with rows (a {@code NOT NULL} column without a default)
 */
public record GeneratedMigration(List<String> statements, List<String> undo, String undoMissing, List<String> destructive,
                                 List<String> warnings) {

    public GeneratedMigration {
        statements = List.copyOf(statements);
        undo = List.copyOf(undo);
        destructive = List.copyOf(destructive);
        warnings = List.copyOf(warnings);
    }

    /** From each statement and its undo ({@code null} where there is none), in order. */
    static GeneratedMigration of(List<String> statements, List<String> undos, List<String> destructive) {
        List<String> down = new ArrayList<>();
        String missing = null;
        for (int i = statements.size() - 1; i >= 0; i--) {
            String undo = undos.get(i);
            if (undo == null) {
                missing = "\"" + statements.get(i) + "\" cannot be undone";
                break;
            }
            down.add(undo);
        }
        List<String> warnings = new ArrayList<>();
        for (String statement : statements) {
            String lower = statement.toLowerCase(java.util.Locale.ROOT);
            if (lower.matches("alter table .* add column .* not null.*") && !lower.contains(" default ")) {
                warnings.add("\"" + statement + "\" fails in every tenant whose table has rows: give the column a default"
                        + " (@ColumnDefault), or add it nullable, fill it, then make it NOT NULL");
            }
        }
        return new GeneratedMigration(statements, missing == null ? down : List.of(), missing, destructive, warnings);
    }

    /** Whether the entity model and the migrated schema agree, so there is nothing to write. */
    public boolean isEmpty() {
        return statements.isEmpty();
    }

    /** The up script as a file's text: one statement a line, each ended by a semicolon. */
    public String script(String header) {
        return text(header, statements);
    }

    /** The down script as a file's text, or {@code null} when there is none. */
    public String undoScript(String header) {
        return undoMissing != null || isEmpty() ? null : text(header, undo);
    }

    private static String text(String header, List<String> lines) {
        StringBuilder text = new StringBuilder();
        if (header != null) {
            for (String line : header.split("\n")) {
                text.append("-- ").append(line).append('\n');
            }
        }
        lines.stream().filter(Objects::nonNull).forEach(line -> text.append(line).append(";\n"));
        return text.toString();
    }
}
