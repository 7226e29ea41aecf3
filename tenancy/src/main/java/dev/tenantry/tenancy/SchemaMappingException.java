package dev.tenantry.tenancy;

import dev.tenantry.core.TenantryException;
import java.util.List;

/**
 * The entity model maps a table or sequence that Tenantry cannot place safely in the tenant's schema or in a
 * shared one. Thrown when the persistence layer starts, before any request; the message names each entity and
 * the annotation or setting to change.
 */
public class SchemaMappingException extends TenantryException {

    private static final long serialVersionUID = 1L;

    private final List<String> entities;

    public SchemaMappingException(String message, List<String> entities) {
        super(message);
        this.entities = List.copyOf(entities);
    }

    /** The entities whose mapping was refused, by their JPA entity names. */
    public List<String> entities() {
        return entities;
    }
}
