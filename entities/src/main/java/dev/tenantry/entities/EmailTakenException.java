package dev.tenantry.entities;

import dev.tenantry.core.TenantryException;

/** A user with this email, compared without regard to case, already exists in the tenant. */
public class EmailTakenException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public EmailTakenException(String email) {
        super("A user with email '" + email + "' already exists in this tenant");
    }
}
