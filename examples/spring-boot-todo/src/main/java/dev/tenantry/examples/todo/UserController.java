package dev.tenantry.examples.todo;

import dev.tenantry.entities.AnonSessions;
import dev.tenantry.entities.EmailTakenException;
import dev.tenantry.entities.User;
import dev.tenantry.entities.Users;
import jakarta.persistence.EntityManager;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Sign-up: creates a user of the tenant and lets it claim the visitor's anonymous session. */
@RestController
public class UserController {

    /** What a client sends to sign up. */
    public record SignUp(String email, String name) {
    }

    /** A user as the API shows it, with the session it claimed. */
    public record UserView(UUID id, String email, String name, UUID claimedSession) {
    }

    private final EntityManager entityManager;

    public UserController(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    @PostMapping("/users")
    @Transactional
    public ResponseEntity<UserView> signUp(@RequestBody SignUp request, HttpServletRequest http) {
        if (request == null || request.email() == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "A user needs an email");
        }
        User user;
        try {
            user = new Users(entityManager).create(request.email(), request.name());
        } catch (EmailTakenException e) {
            throw new ResponseStatusException(HttpStatus.CONFLICT, "That email is taken in this tenant");
        } catch (IllegalArgumentException e) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, e.getMessage());
        }
        String token = (String) http.getAttribute(VisitorSessions.SESSION + ".token");
        UUID claimed = token == null ? null : new AnonSessions(entityManager).claim(token, user).id();
        return ResponseEntity.created(URI.create("/users/" + user.id()))
                .body(new UserView(user.id(), user.email(), user.displayName(), claimed));
    }
}
