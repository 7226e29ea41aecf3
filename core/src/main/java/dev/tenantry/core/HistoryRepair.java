package dev.tenantry.core;

import java.util.ArrayList;
import java.util.List;

/**
 * What repairing one schema's migration history did (Flyway's repair): applied migrations whose checksum or
 * description was realigned with the files as they are now, entries of failed migrations removed, and applied
 * migrations whose files are gone marked as deleted. Each entry reads {@code "2 (anon sessions)"}. The schema's
 * tables are never touched.
 */
public record HistoryRepair(SchemaName schema, List<String> aligned, List<String> removed, List<String> deleted) {

    public HistoryRepair {
        aligned = List.copyOf(aligned);
        removed = List.copyOf(removed);
        deleted = List.copyOf(deleted);
    }

    /** Whether the history changed at all. */
    public boolean changed() {
        return !aligned.isEmpty() || !removed.isEmpty() || !deleted.isEmpty();
    }

    /** What changed, in a few words, such as {@code "realigned 2 (anon sessions); removed failed 3 (x)"}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (!aligned.isEmpty()) {
            parts.add("realigned " + String.join(", ", aligned));
        }
        if (!removed.isEmpty()) {
            parts.add("removed failed " + String.join(", ", removed));
        }
        if (!deleted.isEmpty()) {
            parts.add("marked deleted " + String.join(", ", deleted));
        }
        return parts.isEmpty() ? "nothing to repair" : String.join("; ", parts);
    }

    @Override
    public String toString() {
        return schema + ": " + describe();
    }
}
