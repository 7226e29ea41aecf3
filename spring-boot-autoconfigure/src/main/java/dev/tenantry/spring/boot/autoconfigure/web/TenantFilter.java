package dev.tenantry.spring.boot.autoconfigure.web;

import dev.tenantry.core.TenantryException;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantScope;
import dev.tenantry.tenancy.Tenants;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Opens the tenant of each request for the whole of its handling, and closes it however the request ends. The
 * tenant comes from a {@link RequestTenantResolver} and is checked before the request goes on: no tenant or an
 * invalid id is answered with 400, a tenant that does not exist with 404, a tenant this process refuses for now
 * with 503, each as RFC 9457 problem details; with {@code tenantry.web.require-principal-tenant}, a principal that
 * does not belong to the tenant with 401 or 403. Runs again on async and error dispatches, on whichever thread
 * serves them. Requests to excluded paths ({@code /actuator/**} by default) pass with no tenant.
 */
public class TenantFilter extends OncePerRequestFilter {

    /** The request attribute holding the request's tenant once the filter accepted it. */
    public static final String TENANT_ATTRIBUTE = TenantFilter.class.getName() + ".tenant";

    private static final Logger LOG = LoggerFactory.getLogger(TenantFilter.class);

    private final RequestTenantResolver resolver;
    private final TenantProvisioning provisioning;
    private final PrincipalTenantCheck principalCheck;
    private final List<String> excludedPaths;
    private final AntPathMatcher paths = new AntPathMatcher();

    /**
     * @param principalCheck whether the authenticated principal belongs to the tenant; {@code null} checks nothing
     */
    public TenantFilter(RequestTenantResolver resolver, TenantProvisioning provisioning,
                        PrincipalTenantCheck principalCheck, List<String> excludedPaths) {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.provisioning = Objects.requireNonNull(provisioning, "provisioning");
        this.principalCheck = principalCheck;
        this.excludedPaths = List.copyOf(excludedPaths);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return excludedPaths.stream().anyMatch(pattern -> paths.match(pattern, path));
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String tenant = resolver.resolve(request);
        ProblemDetail refusal = check(request, tenant);
        if (refusal != null) {
            if (isErrorDispatch(request)) {
                chain.doFilter(request, response); // already failing: let the error page render, with no tenant
            } else {
                ProblemResponses.write(response, refusal);
            }
            return;
        }
        request.setAttribute(TENANT_ATTRIBUTE, tenant);
        try (TenantScope ignored = Tenants.open(tenant)) {
            chain.doFilter(request, response);
        }
    }

    /** Why the request may not go on in {@code tenant}, or {@code null} when it may. */
    private ProblemDetail check(HttpServletRequest request, String tenant) {
        String instance = request.getRequestURI();
        if (tenant == null || tenant.isBlank()) {
            return ProblemResponses.problem(HttpStatus.BAD_REQUEST, "Tenant required",
                    "This request names no tenant: " + resolver.describe() + ".", instance);
        }
        try {
            provisioning.schemaOf(tenant);
        } catch (TenantryException e) {
            ProblemDetail problem = ProblemResponses.forTenantFailure(e, instance);
            if (problem != null) {
                return problem;
            }
            LOG.error("Could not look up the tenant of {} {}: {}", request.getMethod(), instance, e.getMessage());
            return ProblemResponses.problem(HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                    "The tenant could not be looked up at the moment.", instance);
        }
        return principalCheck == null ? null : principalCheck.check(tenant, instance);
    }

    private static boolean isErrorDispatch(HttpServletRequest request) {
        return request.getDispatcherType() == jakarta.servlet.DispatcherType.ERROR;
    }
}
