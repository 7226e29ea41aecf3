package dev.tenantry.tenancy;

import dev.tenantry.core.TenantryException;
import java.util.List;

/**
 * A generated migration would drop a column or change a type in a way that may lose data, and that was not asked
 * for; nothing was written. {@link #changes()} lists them.
 */
public class DestructiveMigrationException extends TenantryException {

    private static final long serialVersionUID = 1L;

    private final List<String> changes;

    public DestructiveMigrationException(List<String> changes) {
        super("Refusing to write a migration that would " + String.join("; ", changes)
                + "; nothing was written. Ask for destructive changes explicitly (--allow-destructive) if you mean them");
        this.changes = List.copyOf(changes);
    }

    /** The destructive changes, described. */
    public List<String> changes() {
        return changes;
    }
}
