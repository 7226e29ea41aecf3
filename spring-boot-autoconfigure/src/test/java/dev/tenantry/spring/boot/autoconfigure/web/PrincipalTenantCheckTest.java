package dev.tenantry.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/** What the principal rule and the JWT resolver read from Spring Security's context. */
class PrincipalTenantCheckTest {

    private final PrincipalTenantCheck check = new PrincipalTenantCheck("tenant");

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    @Test
    void noPrincipalIs401() {
        assertThat(check.check("acme", "/todos").getStatus()).isEqualTo(401);
    }

    @Test
    void anAuthorityNamesTheTenantsAPrincipalBelongsTo() {
        authenticate(new TestingAuthenticationToken("ada", "x", "TENANT_acme", "ROLE_USER"));
        assertThat(check.check("acme", "/todos")).isNull();
        assertThat(check.check("globex", "/todos").getStatus()).isEqualTo(403);
        assertThat(check.check("acm", "/todos").getStatus()).isEqualTo(403);
    }

    @Test
    void aJwtClaimNamesTheTenantAsAStringOrInAList() {
        authenticate(new JwtAuthenticationToken(jwt(Map.of("tenant", "acme")), List.of()));
        assertThat(check.check("acme", "/todos")).isNull();
        assertThat(check.check("globex", "/todos").getStatus()).isEqualTo(403);
        authenticate(new JwtAuthenticationToken(jwt(Map.of("tenant", List.of("acme", "globex"))), List.of()));
        assertThat(check.check("globex", "/todos")).isNull();
        assertThat(check.check("initech", "/todos").getStatus()).isEqualTo(403);
    }

    @Test
    void theJwtResolverReadsTheClaimAndOnlyAnUnambiguousOne() {
        JwtClaimTenantResolver resolver = new JwtClaimTenantResolver("tenant");
        MockHttpServletRequest request = new MockHttpServletRequest();
        assertThat(resolver.resolve(request)).isNull();
        authenticate(new JwtAuthenticationToken(jwt(Map.of("tenant", "acme")), List.of()));
        assertThat(resolver.resolve(request)).isEqualTo("acme");
        authenticate(new JwtAuthenticationToken(jwt(Map.of("tenant", List.of("acme", "globex"))), List.of()));
        assertThat(resolver.resolve(request)).isNull();
        authenticate(new JwtAuthenticationToken(jwt(Map.of("sub", "ada")), List.of()));
        assertThat(resolver.resolve(request)).isNull();
    }

    private static Jwt jwt(Map<String, Object> claims) {
        return new Jwt("token", Instant.now(), Instant.now().plusSeconds(60), Map.of("alg", "none"), claims);
    }

    private static void authenticate(Authentication authentication) {
        SecurityContextHolder.getContext().setAuthentication(authentication);
    }
}
