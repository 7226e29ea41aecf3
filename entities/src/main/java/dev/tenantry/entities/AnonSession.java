package dev.tenantry.entities;

import dev.tenantry.tenancy.hibernate.TenantSchema;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.ColumnTransformer;
import org.hibernate.annotations.UuidGenerator;

/**
 * An anonymous visitor's session in one tenant. The token itself is never stored, only its SHA-256
 * hash; the payload is a JSON document kept as text so that no JSON library is forced on the
 * application. A user of the same tenant can claim the session at sign-up.
 */
@Entity
@Table(name = "anon_sessions", schema = TenantSchema.LOGICAL)
public class AnonSession {

    @Id
    @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
    private UUID id;

    @Column(name = "token_hash", nullable = false, updatable = false, unique = true)
    private byte[] tokenHash;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "user_id")
    private User user;

    @Column(name = "created_at", nullable = false, updatable = false)
    private Instant createdAt;

    @Column(name = "last_seen_at", nullable = false)
    private Instant lastSeenAt;

    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;

    @Column(nullable = false, columnDefinition = "jsonb")
    @ColumnTransformer(write = "?::jsonb")
    private String payload;

    @Version
    private long version;

    protected AnonSession() {
        // for Hibernate
    }

    AnonSession(byte[] tokenHash, String payload, Instant now, Instant expiresAt) {
        this.tokenHash = tokenHash.clone();
        this.payload = payload;
        this.createdAt = now;
        this.lastSeenAt = now;
        this.expiresAt = expiresAt;
    }

    public UUID id() {
        return id;
    }

    /** The user who claimed this session, or {@code null} while it is anonymous. */
    public User user() {
        return user;
    }

    public boolean claimed() {
        return user != null;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public Instant lastSeenAt() {
        return lastSeenAt;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public boolean expiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    /** The JSON payload as text. */
    public String payload() {
        return payload;
    }

    public long version() {
        return version;
    }

    void seen(Instant now, Instant newExpiresAt) {
        this.lastSeenAt = now;
        if (newExpiresAt != null) {
            this.expiresAt = newExpiresAt;
        }
    }

    void claimBy(User claimant, Instant now) {
        this.user = claimant;
        this.lastSeenAt = now;
    }

    void expire(Instant now) {
        this.expiresAt = now;
    }

    void replacePayload(String json) {
        this.payload = json;
    }

    @Override
    public String toString() {
        return "AnonSession[" + id + (user == null ? "" : ", claimed") + "]";
    }
}
