package dev.tenantry.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.spring.boot.autoconfigure.TenantryAutoConfiguration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.web.MockHttpServletRequest;

/** Conditions of {@link TenantryWebAutoConfiguration}: servlet apps in per-request mode, and what they can change. */
@WithPostgres
class TenantryWebAutoConfigurationTest {

    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    private static WebApplicationContextRunner web() {
        return new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TenantryAutoConfiguration.class, TenantryWebAutoConfiguration.class))
                .withPropertyValues(db.springProperties());
    }

    @Test
    void perRequestServletAppGetsTheFilterAfterSpringSecurityAndTheHeaderResolver() {
        web().withPropertyValues("tenantry.mode=per-request").run(context -> {
            assertThat(context).hasNotFailed().hasBean("tenantFilterRegistration").hasSingleBean(TenantryExceptionHandler.class);
            FilterRegistrationBean<?> registration = context.getBean("tenantFilterRegistration", FilterRegistrationBean.class);
            assertThat(registration.getOrder()).isGreaterThan(-100); // Spring Security's filter chain is at -100
            MockHttpServletRequest request = new MockHttpServletRequest();
            request.addHeader("X-Tenant-Id", "acme");
            assertThat(context.getBean(RequestTenantResolver.class).resolve(request)).isEqualTo("acme");
        });
    }

    @Test
    void perDeploymentHasNoFilter() {
        web().run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("tenantFilterRegistration"));
    }

    @Test
    void theFilterCanBeTurnedOff() {
        web().withPropertyValues("tenantry.mode=per-request", "tenantry.web.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("tenantFilterRegistration"));
    }

    @Test
    void anAppWithoutAServletContainerHasNoFilter() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TenantryAutoConfiguration.class, TenantryWebAutoConfiguration.class))
                .withPropertyValues(db.springProperties()).withPropertyValues("tenantry.mode=per-request")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("tenantFilterRegistration"));
    }

    @Test
    void theAppsOwnResolverWins() {
        web().withPropertyValues("tenantry.mode=per-request").withUserConfiguration(OwnResolver.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(RequestTenantResolver.class).resolve(new MockHttpServletRequest())).isEqualTo("fixed");
        });
    }

    @Test
    void theResolverPropertyChoosesSubdomainOrPath() {
        web().withPropertyValues("tenantry.mode=per-request", "tenantry.web.resolver=subdomain",
                "tenantry.web.domain=example.com").run(context -> {
            MockHttpServletRequest request = new MockHttpServletRequest();
            request.setServerName("acme.example.com");
            assertThat(context.getBean(RequestTenantResolver.class).resolve(request)).isEqualTo("acme");
        });
        web().withPropertyValues("tenantry.mode=per-request", "tenantry.web.resolver=path", "tenantry.web.path-prefix=/t")
                .run(context -> {
                    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/t/globex/todos");
                    assertThat(context.getBean(RequestTenantResolver.class).resolve(request)).isEqualTo("globex");
                });
    }

    @Test
    void theSubdomainResolverNeedsItsDomain() {
        web().withPropertyValues("tenantry.mode=per-request", "tenantry.web.resolver=subdomain")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOfSatisfying(InvalidConfigurationException.class,
                                e -> assertThat(e.setting()).isEqualTo("tenantry.web.domain")));
    }

    @Test
    void thePrincipalRuleNeedsSpringSecurity() {
        web().withClassLoader(new FilteredClassLoader("org.springframework.security."))
                .withPropertyValues("tenantry.mode=per-request", "tenantry.web.require-principal-tenant=true")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOfSatisfying(InvalidConfigurationException.class,
                                e -> assertThat(e.setting()).isEqualTo("tenantry.web.require-principal-tenant")));
    }

    @Test
    void withSpringSecurityThePrincipalRuleIsInTheFilter() {
        web().withPropertyValues("tenantry.mode=per-request", "tenantry.web.require-principal-tenant=true")
                .run(context -> assertThat(context).hasNotFailed().hasBean("tenantFilterRegistration"));
    }

    @Test
    void theJwtResolverNeedsTheResourceServer() {
        web().withClassLoader(new FilteredClassLoader("org.springframework.security.oauth2.server.resource"))
                .withPropertyValues("tenantry.mode=per-request", "tenantry.web.resolver=jwt")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .isInstanceOfSatisfying(InvalidConfigurationException.class,
                                e -> assertThat(e.setting()).isEqualTo("tenantry.web.resolver")));
    }

    @Test
    void theTenantTagOfRequestMetricsIsOffUnlessAskedFor() {
        web().withPropertyValues("tenantry.mode=per-request").run(context ->
                assertThat(context).hasNotFailed().doesNotHaveBean("tenantryTenantTag"));
        web().withPropertyValues("tenantry.mode=per-request", "tenantry.metrics.tenant-tag=true").run(context -> {
            assertThat(context).hasNotFailed().hasBean("tenantryTenantTag");
            io.micrometer.observation.ObservationFilter tag =
                    context.getBean("tenantryTenantTag", io.micrometer.observation.ObservationFilter.class);
            MockHttpServletRequest request = new MockHttpServletRequest("GET", "/todos");
            request.setAttribute(TenantFilter.TENANT_ATTRIBUTE, "acme");
            var observed = tag.map(new org.springframework.http.server.observation.ServerRequestObservationContext(
                    request, new org.springframework.mock.web.MockHttpServletResponse()));
            assertThat(observed.getLowCardinalityKeyValue("tenant").getValue()).isEqualTo("acme");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnResolver {

        @Bean
        RequestTenantResolver fixedTenant() {
            return request -> "fixed";
        }
    }
}
