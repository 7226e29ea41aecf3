package dev.tenantry.tenancy;

import java.util.List;

/**
 * What {@code adopt} did, or with a dry run would do: the tables moved between {@code public} and a
 * tenant schema, and every statement, in order, that ran (or would run) in its one transaction.
 */
public record Adoption(String fromSchema, String toSchema, List<String> tables, List<String> statements, boolean dryRun) {

    public Adoption {
        tables = List.copyOf(tables);
        statements = List.copyOf(statements);
    }
}
