package dev.tenantry.spring.boot.autoconfigure.web;

import java.util.Collection;
import java.util.Objects;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;

/**
 * The opt-in rule that the authenticated principal belongs to the request's tenant
 * ({@code tenantry.web.require-principal-tenant=true}): it does when it holds the authority {@code TENANT_<id>},
 * or, for a JWT (Spring Security's resource server), when the configured claim names the tenant, as a string or
 * in a list. Needs Spring Security's filters to have run, which is why the tenant filter comes after them.
 */
public final class PrincipalTenantCheck {

    /** The prefix of authorities that name a tenant the principal belongs to. */
    public static final String AUTHORITY_PREFIX = "TENANT_";

    private static final boolean JWT_PRESENT = ClassUtils.isPresent(
            "org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken",
            PrincipalTenantCheck.class.getClassLoader());

    private final String claim;

    public PrincipalTenantCheck(String claim) {
        this.claim = Objects.requireNonNull(claim, "claim");
    }

    /** 401 with no authenticated principal, 403 when it does not belong to {@code tenant}, else {@code null}. */
    ProblemDetail check(String tenant, String instance) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated()
                || authentication instanceof AnonymousAuthenticationToken) {
            return ProblemResponses.problem(HttpStatus.UNAUTHORIZED, "Authentication required",
                    "This tenant's data needs an authenticated principal.", instance);
        }
        if (belongs(authentication, tenant)) {
            return null;
        }
        return ProblemResponses.problem(HttpStatus.FORBIDDEN, "Tenant not allowed",
                "The authenticated principal does not belong to this tenant.", instance);
    }

    private boolean belongs(Authentication authentication, String tenant) {
        for (GrantedAuthority authority : authentication.getAuthorities()) {
            if ((AUTHORITY_PREFIX + tenant).equals(authority.getAuthority())) {
                return true;
            }
        }
        return JWT_PRESENT && JwtClaims.names(authentication, claim, tenant);
    }

    /** Kept apart so that apps without the resource server never load its classes. */
    private static final class JwtClaims {

        static boolean names(Authentication authentication, String claim, String tenant) {
            if (!(authentication instanceof org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken jwt)) {
                return false;
            }
            Object value = jwt.getToken().getClaims().get(claim);
            if (value instanceof Collection<?> values) {
                return values.stream().anyMatch(v -> tenant.equals(String.valueOf(v)));
            }
            return value != null && tenant.equals(value.toString());
        }
    }
}
