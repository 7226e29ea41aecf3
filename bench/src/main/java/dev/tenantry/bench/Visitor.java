package dev.tenantry.bench;

import java.util.UUID;

/**
 * A seeded user of one tenant and the token of their anonymous session: what one request knows.
 *
 * @param tenant the tenant id, which is also the schema name
 * @param index  the user's number within the tenant, from 0
 */
public record Visitor(String tenant, int index, UUID userId, String email, String token) {
}
