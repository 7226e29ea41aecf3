package dev.tenantry.entities;

import jakarta.persistence.EntityManager;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * What applications do with users, inside the caller's EntityManager and transaction (and so in its
 * tenant): create, find by id or email, rename.
 */
public final class Users {

    private final EntityManager em;
    private final Clock clock;

    public Users(EntityManager em) {
        this(em, Clock.systemUTC());
    }

    public Users(EntityManager em, Clock clock) {
        this.em = em;
        this.clock = clock;
    }

    /**
     * Creates a user. The email is trimmed and must contain an {@code @}.
     *
     * @throws EmailTakenException when the tenant already has this email, in any case
     */
    public User create(String email, String displayName) {
        String normalized = requireEmail(email);
        if (findByEmail(normalized).isPresent()) {
            throw new EmailTakenException(normalized);
        }
        User user = new User(normalized, displayName, clock.instant());
        em.persist(user);
        return user;
    }

    public Optional<User> findById(UUID id) {
        return Optional.ofNullable(em.find(User.class, id));
    }

    /** Finds a user by email regardless of case. */
    public Optional<User> findByEmail(String email) {
        return em.createQuery("select u from User u where lower(u.email) = :email", User.class)
                .setParameter("email", email.strip().toLowerCase(Locale.ROOT))
                .getResultStream()
                .findFirst();
    }

    public User rename(UUID id, String displayName) {
        User user = findById(id).orElseThrow(() -> new IllegalArgumentException("No user " + id + " in this tenant"));
        user.rename(displayName, clock.instant());
        return user;
    }

    public long count() {
        return em.createQuery("select count(u) from User u", Long.class).getSingleResult();
    }

    private static String requireEmail(String email) {
        String normalized = email == null ? "" : email.strip();
        int at = normalized.indexOf('@');
        if (at <= 0 || at == normalized.length() - 1 || normalized.length() > 320) {
            throw new IllegalArgumentException("Not an email address: '" + email + "'");
        }
        return normalized;
    }
}
