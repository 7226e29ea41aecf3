package dev.tenantry.examples.todo;

import dev.tenantry.entities.AnonSession;
import dev.tenantry.entities.AnonSessions;
import jakarta.persistence.EntityManager;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Tenantry's model at work: every visitor of a tenant gets an anonymous session ({@code anon_sessions}) on the
 * first request, as a cookie holding the token (only its hash is stored), and later requests touch it. The cookie
 * is named per tenant, since this sample names tenants in a header on one host. Registered for the tenant's own
 * pages only ({@code WebConfiguration}), which the tenant filter guards.
 */
@Component
public class VisitorSessions implements HandlerInterceptor {

    /** The request attribute holding the visitor's session. */
    static final String SESSION = VisitorSessions.class.getName() + ".session";
    static final Duration TIME_TO_LIVE = Duration.ofDays(30);

    private final EntityManager entityManager;
    private final TransactionTemplate transactions;

    public VisitorSessions(EntityManager entityManager, TransactionTemplate transactions) {
        this.entityManager = entityManager;
        this.transactions = transactions;
    }

    static String cookieName(String tenant) {
        return "visitor_" + tenant;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        Object tenant = request.getAttribute(dev.tenantry.spring.boot.autoconfigure.web.TenantFilter.TENANT_ATTRIBUTE);
        // Without Tenantry (the bench's baseline) there is one schema, and one cookie.
        String name = cookieName(tenant == null ? "default" : tenant.toString());
        String token = token(request, name);
        AnonSession session = transactions.execute(status -> {
            AnonSessions sessions = new AnonSessions(entityManager);
            Optional<AnonSession> known = token == null ? Optional.empty() : sessions.touch(token, TIME_TO_LIVE);
            if (known.isPresent()) {
                return known.get();
            }
            AnonSessions.Started started = sessions.start(null, TIME_TO_LIVE);
            Cookie cookie = new Cookie(name, started.token());
            cookie.setHttpOnly(true);
            cookie.setPath("/");
            cookie.setMaxAge((int) TIME_TO_LIVE.toSeconds());
            response.addCookie(cookie);
            request.setAttribute(SESSION + ".token", started.token());
            return started.session();
        });
        request.setAttribute(SESSION, session);
        if (request.getAttribute(SESSION + ".token") == null) {
            request.setAttribute(SESSION + ".token", token);
        }
        return true;
    }

    private static String token(HttpServletRequest request, String name) {
        if (request.getCookies() == null) {
            return null;
        }
        for (Cookie cookie : request.getCookies()) {
            if (cookie.getName().equals(name)) {
                return cookie.getValue();
            }
        }
        return null;
    }
}
