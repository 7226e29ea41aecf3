package dev.tenantry.entities;

import dev.tenantry.core.TenantryException;

/** An anonymous session could not be claimed: it is unknown, expired, or already claimed by another user. */
public class SessionClaimException extends TenantryException {

    private static final long serialVersionUID = 1L;

    public SessionClaimException(String message) {
        super(message);
    }
}
