package dev.tenantry.bench;

import dev.tenantry.entities.AnonSession;
import dev.tenantry.entities.AnonSessions;
import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import jakarta.persistence.EntityManagerFactory;
import java.time.Duration;
import java.util.UUID;

/** The two measured requests through JPA, each one transaction, in whatever tenant the caller has chosen. */
public final class Requests {

    /** The sliding time to live a visit gives the anonymous session. */
    public static final Duration SESSION_TTL = Duration.ofHours(1);

    private Requests() {
    }

    /** The read-only request: find a user by id. */
    public static User read(EntityManagerFactory emf, UUID userId) {
        User user = emf.callInTransaction(em -> em.find(User.class, userId));
        if (user == null) {
            throw new IllegalStateException("No user " + userId + " where this request looked");
        }
        return user;
    }

    /**
     * A typical web request: find the user by email, find the anonymous session by its token and touch
     * it (last seen now, expiry slides), which Hibernate flushes as an update at commit.
     */
    public static AnonSession web(EntityManagerFactory emf, String email, String token) {
        return emf.callInTransaction(em -> {
            new Users(em).findByEmail(email)
                    .orElseThrow(() -> new IllegalStateException("No user " + email + " where this request looked"));
            return new AnonSessions(em).touch(token, SESSION_TTL)
                    .orElseThrow(() -> new IllegalStateException("No live session for " + email + "'s token"));
        });
    }
}
