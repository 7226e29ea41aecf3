package dev.tenantry.entities;

import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * Anonymous visitor sessions, inside the caller's EntityManager and transaction: start one (the token
 * goes to the visitor, only its hash to the database), find it by token, touch it on each visit, let a
 * user claim it at sign-up, expire it, and purge expired ones in bulk. Concurrent updates of one
 * session are caught by optimistic locking ({@code jakarta.persistence.OptimisticLockException}).
 */
public final class AnonSessions {

    /** A started session and the token to hand to the visitor; the token is not stored anywhere. */
    public record Started(AnonSession session, String token) {
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TOKEN_BYTES = 32;

    private final EntityManager em;
    private final Clock clock;

    public AnonSessions(EntityManager em) {
        this(em, Clock.systemUTC());
    }

    public AnonSessions(EntityManager em, Clock clock) {
        this.em = em;
        this.clock = clock;
    }

    /** Starts a session that expires after {@code ttl}; {@code payloadJson} may be {@code null} for {@code {}}. */
    public Started start(String payloadJson, Duration ttl) {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("A session's time to live must be positive, got " + ttl);
        }
        byte[] raw = new byte[TOKEN_BYTES];
        RANDOM.nextBytes(raw);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Instant now = clock.instant();
        AnonSession session = new AnonSession(hash(token), payloadJson == null ? "{}" : payloadJson, now, now.plus(ttl));
        em.persist(session);
        return new Started(session, token);
    }

    /** The live (unexpired) session for a token. */
    public Optional<AnonSession> findByToken(String token) {
        return findAny(token).filter(session -> !session.expiredAt(clock.instant()));
    }

    private Optional<AnonSession> findAny(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return em.createQuery("select s from AnonSession s where s.tokenHash = :hash", AnonSession.class)
                .setParameter("hash", hash(token))
                .getResultStream()
                .findFirst();
    }

    /**
     * Records a visit: {@code last_seen_at} becomes now, and with a {@code slidingTtl} the expiry moves
     * to now plus it. Empty when the token is unknown or its session expired.
     */
    public Optional<AnonSession> touch(String token, Duration slidingTtl) {
        Instant now = clock.instant();
        return findByToken(token).map(session -> {
            session.seen(now, slidingTtl == null ? null : now.plus(slidingTtl));
            return session;
        });
    }

    /** Replaces the JSON payload of a live session. */
    public Optional<AnonSession> updatePayload(String token, String payloadJson) {
        return findByToken(token).map(session -> {
            session.replacePayload(payloadJson == null ? "{}" : payloadJson);
            session.seen(clock.instant(), null);
            return session;
        });
    }

    /**
     * Links a live session to {@code user} (a user of the same tenant), as at sign-up. Claiming again
     * by the same user is a no-op.
     *
     * @throws SessionClaimException when the session is unknown, expired, or claimed by someone else
     */
    public AnonSession claim(String token, User user) {
        AnonSession session = findByToken(token)
                .orElseThrow(() -> new SessionClaimException("No live anonymous session for this token"));
        if (session.claimed()) {
            if (session.user().id().equals(user.id())) {
                return session;
            }
            throw new SessionClaimException("Session " + session.id() + " is already claimed by another user");
        }
        session.claimBy(user, clock.instant());
        return session;
    }

    /** Ends a session now; returns false when the token matched no live session. */
    public boolean expire(String token) {
        return findByToken(token).map(session -> {
            session.expire(clock.instant());
            return true;
        }).orElse(false);
    }

    /** Deletes every session that expired before now, in one statement; returns how many. */
    public int purgeExpired() {
        return em.createQuery("delete from AnonSession s where s.expiresAt <= :now")
                .setParameter("now", clock.instant())
                .executeUpdate();
    }

    public long countLive() {
        return em.createQuery("select count(s) from AnonSession s where s.expiresAt > :now", Long.class)
                .setParameter("now", clock.instant())
                .getSingleResult();
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
