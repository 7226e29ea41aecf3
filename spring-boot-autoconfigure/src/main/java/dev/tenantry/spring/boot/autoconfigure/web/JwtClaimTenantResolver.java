package dev.tenantry.spring.boot.autoconfigure.web;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Collection;
import java.util.Objects;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The tenant named by a claim of the request's JWT, as Spring Security's resource server authenticated it; a claim
 * holding a list names a tenant only when it has exactly one element.
 */
public final class JwtClaimTenantResolver implements RequestTenantResolver {

    private final String claim;

    public JwtClaimTenantResolver(String claim) {
        this.claim = Objects.requireNonNull(claim, "claim");
    }

    @Override
    public String resolve(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (!(authentication instanceof JwtAuthenticationToken jwt)) {
            return null;
        }
        Object value = jwt.getToken().getClaims().get(claim);
        if (value instanceof Collection<?> values) {
            return values.size() == 1 ? String.valueOf(values.iterator().next()) : null;
        }
        return value == null ? null : value.toString();
    }

    @Override
    public String describe() {
        return "send a bearer token with the '" + claim + "' claim";
    }
}
