package dev.tenantry.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/** The starter's resolvers read only what they are told to, and name no tenant when it is not there. */
class RequestTenantResolverTest {

    @Test
    void headerResolverReadsTheNamedHeaderOnly() {
        RequestTenantResolver resolver = RequestTenantResolver.header("X-Tenant-Id");
        MockHttpServletRequest request = new MockHttpServletRequest();
        assertThat(resolver.resolve(request)).isNull();
        request.addHeader("X-Other", "acme");
        assertThat(resolver.resolve(request)).isNull();
        request.addHeader("x-tenant-id", "acme");
        assertThat(resolver.resolve(request)).isEqualTo("acme");
        assertThat(resolver.describe()).contains("X-Tenant-Id");
    }

    @Test
    void subdomainResolverTakesOneLabelUnderTheDomainAndNothingElse() {
        RequestTenantResolver resolver = RequestTenantResolver.subdomain("example.com");
        assertThat(resolver.resolve(host("acme.example.com"))).isEqualTo("acme");
        assertThat(resolver.resolve(host("ACME.Example.COM"))).isEqualTo("acme");
        assertThat(resolver.resolve(host("example.com"))).isNull();
        assertThat(resolver.resolve(host("a.b.example.com"))).isNull();
        assertThat(resolver.resolve(host("acme.example.org"))).isNull();
        assertThat(resolver.resolve(host("acmeexample.com"))).isNull();
    }

    @Test
    void pathResolverTakesTheSegmentAfterThePrefix() {
        RequestTenantResolver root = RequestTenantResolver.path("/");
        assertThat(root.resolve(new MockHttpServletRequest("GET", "/acme/todos/1"))).isEqualTo("acme");
        assertThat(root.resolve(new MockHttpServletRequest("GET", "/acme"))).isEqualTo("acme");
        RequestTenantResolver prefixed = RequestTenantResolver.path("/t");
        assertThat(prefixed.resolve(new MockHttpServletRequest("GET", "/t/globex/todos"))).isEqualTo("globex");
        assertThat(prefixed.resolve(new MockHttpServletRequest("GET", "/other/globex"))).isNull();
        assertThat(prefixed.resolve(new MockHttpServletRequest("GET", "/tx/globex"))).isNull();
        MockHttpServletRequest underContext = new MockHttpServletRequest("GET", "/app/t/initech/todos");
        underContext.setContextPath("/app");
        assertThat(prefixed.resolve(underContext)).isEqualTo("initech");
    }

    private static MockHttpServletRequest host(String name) {
        MockHttpServletRequest request = new MockHttpServletRequest();
        request.setServerName(name);
        return request;
    }
}
