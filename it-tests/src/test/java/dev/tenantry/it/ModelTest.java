package dev.tenantry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.entities.AnonSession;
import dev.tenantry.entities.AnonSessions;
import dev.tenantry.entities.EmailTakenException;
import dev.tenantry.entities.SessionClaimException;
import dev.tenantry.entities.Tenantry;
import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.tenancy.TenantryPersistence;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.RollbackException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The users and anon_sessions model, in a per-deployment schema. */
@WithPostgres
class ModelTest {

    private static TenantryPersistence tenantry;
    private static EntityManagerFactory emf;

    @BeforeAll
    static void start(TestDatabase db) {
        tenantry = Tenantry.start(db.config().perDeployment("model").build());
        emf = tenantry.entityManagerFactory();
    }

    @AfterAll
    static void stop() {
        tenantry.close();
    }

    @Test
    void emailsAreUniqueRegardlessOfCase() {
        emf.runInTransaction(em -> new Users(em).create("Case@Example.com", "First"));

        assertThatThrownBy(() -> emf.runInTransaction(em -> new Users(em).create("case@example.COM", "Second")))
                .isInstanceOf(EmailTakenException.class);
        boolean found = emf.callInTransaction(em -> new Users(em).findByEmail("CASE@EXAMPLE.COM").isPresent());
        assertThat(found).isTrue();
    }

    @Test
    void theDatabaseEnforcesCaseInsensitiveUniquenessToo(TestDatabase db) {
        db.execute("INSERT INTO model.users (id, email) VALUES (gen_random_uuid(), 'dup@example.com')");
        assertThatThrownBy(() -> db.execute("INSERT INTO model.users (id, email) VALUES (gen_random_uuid(), 'DUP@example.com')"))
                .hasMessageContaining("users_email_lower_key");
    }

    @Test
    void userIdsAreTimeOrderedUuids() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            ids.add(emf.callInTransaction(em -> new Users(em).create("ordered" + n + "@example.com", null).id()));
        }
        assertThat(ids).allSatisfy(id -> assertThat(id.version()).isEqualTo(7));
        assertThat(ids).isSortedAccordingTo(UUID::compareTo);
    }

    @Test
    void onlyTheHashOfASessionTokenIsStored(TestDatabase db) {
        String token = emf.callInTransaction(em -> new AnonSessions(em).start("{\"lang\":\"en\"}", Duration.ofHours(1)).token());

        assertThat(db.column("SELECT count(*) FROM model.anon_sessions WHERE position(convert_to(?, 'UTF8') in token_hash) > 0"
                + " OR encode(token_hash, 'escape') = ?", token, token)).containsExactly("0");
        assertThat(db.column("SELECT payload->>'lang' FROM model.anon_sessions WHERE token_hash = sha256(convert_to(?, 'UTF8'))",
                token)).containsExactly("en");
    }

    @Test
    void aVisitorSessionIsTouchedClaimedAtSignUpAndExpired() {
        String token = emf.callInTransaction(em -> new AnonSessions(em).start(null, Duration.ofMinutes(30)).token());

        AnonSession touched = emf.callInTransaction(em -> new AnonSessions(em).touch(token, Duration.ofHours(2)).orElseThrow());
        assertThat(touched.expiresAt()).isAfter(Instant.now().plus(Duration.ofMinutes(90)));

        User user = emf.callInTransaction(em -> new Users(em).create("signup@example.com", "New"));
        emf.runInTransaction(em -> new AnonSessions(em).claim(token, em.find(User.class, user.id())));
        UUID claimant = emf.callInTransaction(em -> new AnonSessions(em).findByToken(token).orElseThrow().user().id());
        assertThat(claimant).isEqualTo(user.id());

        boolean expired = emf.callInTransaction(em -> new AnonSessions(em).expire(token));
        boolean stillLive = emf.callInTransaction(em -> new AnonSessions(em).findByToken(token).isPresent());
        assertThat(expired).isTrue();
        assertThat(stillLive).isFalse();
    }

    @Test
    void aSessionClaimedByOneUserCannotBeClaimedByAnother() {
        String token = emf.callInTransaction(em -> new AnonSessions(em).start("{}", Duration.ofMinutes(5)).token());
        User first = emf.callInTransaction(em -> new Users(em).create("first-claim@example.com", null));
        User second = emf.callInTransaction(em -> new Users(em).create("second-claim@example.com", null));
        emf.runInTransaction(em -> new AnonSessions(em).claim(token, em.find(User.class, first.id())));

        assertThatThrownBy(() -> emf.runInTransaction(em -> new AnonSessions(em).claim(token, em.find(User.class, second.id()))))
                .isInstanceOf(SessionClaimException.class);
        emf.runInTransaction(em -> new AnonSessions(em).claim(token, em.find(User.class, first.id())));
    }

    @Test
    void purgeDeletesOnlyExpiredSessions(TestDatabase db) {
        Clock past = Clock.fixed(Instant.now().minus(Duration.ofDays(2)), ZoneOffset.UTC);
        emf.runInTransaction(em -> new AnonSessions(em, past).start("{}", Duration.ofHours(1)));
        String live = emf.callInTransaction(em -> new AnonSessions(em).start("{}", Duration.ofHours(1)).token());

        int purged = emf.callInTransaction(em -> new AnonSessions(em).purgeExpired());

        assertThat(purged).isGreaterThanOrEqualTo(1);
        assertThat(db.column("SELECT count(*) FROM model.anon_sessions WHERE expires_at <= now()")).containsExactly("0");
        boolean liveFound = emf.callInTransaction(em -> new AnonSessions(em).findByToken(live).isPresent());
        assertThat(liveFound).isTrue();
    }

    @Test
    void racingUpdatesOfOneSessionAreCaughtByOptimisticLocking() {
        String token = emf.callInTransaction(em -> new AnonSessions(em).start("{}", Duration.ofHours(1)).token());

        EntityManager first = emf.createEntityManager();
        EntityManager second = emf.createEntityManager();
        try {
            first.getTransaction().begin();
            second.getTransaction().begin();
            new AnonSessions(first).updatePayload(token, "{\"from\":\"first\"}").orElseThrow();
            new AnonSessions(second).updatePayload(token, "{\"from\":\"second\"}").orElseThrow();
            first.getTransaction().commit();

            assertThatThrownBy(() -> second.getTransaction().commit()).isInstanceOf(RollbackException.class)
                    .hasCauseInstanceOf(jakarta.persistence.OptimisticLockException.class);
        } finally {
            first.close();
            second.close();
        }
        String payload = emf.callInTransaction(em -> new AnonSessions(em).findByToken(token).orElseThrow().payload());
        assertThat(payload).contains("first");
    }
}
