package dev.tenantry.spring.boot.autoconfigure.web;

import dev.tenantry.core.InvalidConfigurationException;
import dev.tenantry.spring.boot.autoconfigure.ConditionalOnPerRequestMode;
import dev.tenantry.spring.boot.autoconfigure.TenantryAutoConfiguration;
import dev.tenantry.spring.boot.autoconfigure.TenantryProperties;
import dev.tenantry.tenancy.TenantProvisioning;
import io.micrometer.common.KeyValue;
import org.springframework.beans.factory.ObjectProvider;
import jakarta.servlet.DispatcherType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * Tenant resolution for Spring MVC in per-request mode: the {@link TenantFilter}, registered after Spring
 * Security's filter chain and so before open-in-view opens an EntityManager (an interceptor inside the
 * {@code DispatcherServlet}); the {@link RequestTenantResolver} that {@code tenantry.web.resolver} names, unless
 * the app has its own; and problem details for handlers that fail on a tenant. Off with
 * {@code tenantry.web.enabled=false}.
 */
@AutoConfiguration(after = TenantryAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({DispatcherServlet.class, FilterRegistrationBean.class})
@ConditionalOnBean(TenantProvisioning.class)
@ConditionalOnPerRequestMode
@ConditionalOnBooleanProperty(name = "tenantry.web.enabled", matchIfMissing = true)
public final class TenantryWebAutoConfiguration {

    /** The JWT claim resolver, only where Spring Security's resource server is. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken")
    @ConditionalOnProperty(name = "tenantry.web.resolver", havingValue = "jwt")
    static class JwtResolverConfiguration {

        @Bean
        @ConditionalOnMissingBean
        RequestTenantResolver requestTenantResolver(TenantryProperties properties) {
            return new JwtClaimTenantResolver(properties.getWeb().getJwtClaim());
        }
    }

    /** The rule that the principal belongs to the tenant, only where Spring Security is. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.security.core.context.SecurityContextHolder")
    @ConditionalOnBooleanProperty(name = "tenantry.web.require-principal-tenant")
    static class PrincipalCheckConfiguration {

        @Bean
        @ConditionalOnMissingBean
        PrincipalTenantCheck principalTenantCheck(TenantryProperties properties) {
            return new PrincipalTenantCheck(properties.getWeb().getJwtClaim());
        }
    }

    @Bean
    @ConditionalOnMissingBean
    RequestTenantResolver requestTenantResolver(TenantryProperties properties) {
        TenantryProperties.Web web = properties.getWeb();
        return switch (web.getResolver()) {
            case HEADER -> RequestTenantResolver.header(web.getHeader());
            case PATH -> RequestTenantResolver.path(web.getPathPrefix());
            case SUBDOMAIN -> {
                if (web.getDomain() == null || web.getDomain().isBlank()) {
                    throw new InvalidConfigurationException("tenantry.web.domain",
                            "is not set; the subdomain resolver needs the domain under which tenants are named");
                }
                yield RequestTenantResolver.subdomain(web.getDomain());
            }
            case JWT -> throw new InvalidConfigurationException("tenantry.web.resolver", "jwt needs Spring Security's"
                    + " OAuth2 resource server (spring-boot-starter-security-oauth2-resource-server)");
        };
    }

    @Bean
    @ConditionalOnMissingBean(name = "tenantFilterRegistration")
    FilterRegistrationBean<TenantFilter> tenantFilterRegistration(RequestTenantResolver resolver,
                                                                  TenantProvisioning provisioning,
                                                                  TenantryProperties properties,
                                                                  ObjectProvider<PrincipalTenantCheck> principalCheck) {
        TenantryProperties.Web web = properties.getWeb();
        PrincipalTenantCheck check = principalCheck.getIfAvailable();
        if (web.isRequirePrincipalTenant() && check == null) {
            throw new InvalidConfigurationException("tenantry.web.require-principal-tenant",
                    "needs Spring Security, which authenticates the principal; add spring-boot-starter-security");
        }
        TenantFilter filter = new TenantFilter(resolver, provisioning, check, web.getExcludedPaths());
        FilterRegistrationBean<TenantFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setName("tenantFilter");
        registration.setOrder(web.getFilterOrder());
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
        return registration;
    }

    @Bean
    @ConditionalOnMissingBean
    TenantryExceptionHandler tenantryExceptionHandler() {
        return new TenantryExceptionHandler();
    }

    /** The tenant as a tag of {@code http.server.requests}: one time series per tenant, so only when asked for. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.http.server.observation.ServerRequestObservationContext",
            "io.micrometer.observation.ObservationFilter"})
    @ConditionalOnBooleanProperty(name = "tenantry.metrics.tenant-tag")
    static class TenantTagConfiguration {

        @Bean
        io.micrometer.observation.ObservationFilter tenantryTenantTag() {
            return context -> {
                if (context instanceof org.springframework.http.server.observation.ServerRequestObservationContext request) {
                    Object tenant = request.getCarrier().getAttribute(TenantFilter.TENANT_ATTRIBUTE);
                    context.addLowCardinalityKeyValue(KeyValue.of("tenant", tenant == null ? "none" : tenant.toString()));
                }
                return context;
            };
        }
    }
}
