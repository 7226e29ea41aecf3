package dev.tenantry.spring.boot.autoconfigure.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Finds the tenant a web request names. The starter provides one for a header, the subdomain, a path segment or a
 * JWT claim ({@code tenantry.web.resolver}); an application's own bean of this type replaces it. The id it returns
 * is checked by {@link TenantFilter} before any SQL runs.
 */
@FunctionalInterface
public interface RequestTenantResolver {

    /** The tenant id the request names, or {@code null} (or blank) when it names none. */
    String resolve(HttpServletRequest request);

    /** How a client names the tenant, for the message of a request that named none. */
    default String describe() {
        return "name the tenant";
    }

    /** The tenant in a request header. */
    static RequestTenantResolver header(String name) {
        return new RequestTenantResolver() {
            @Override
            public String resolve(HttpServletRequest request) {
                return request.getHeader(name);
            }

            @Override
            public String describe() {
                return "send the " + name + " header";
            }
        };
    }

    /**
     * The tenant as the label left of {@code domain} in the host: {@code acme} for {@code acme.example.com} under
     * {@code example.com}. A host that is the domain itself, another domain, or more than one label deep names none.
     */
    static RequestTenantResolver subdomain(String domain) {
        String suffix = "." + domain.strip().toLowerCase(java.util.Locale.ROOT);
        return new RequestTenantResolver() {
            @Override
            public String resolve(HttpServletRequest request) {
                String host = request.getServerName();
                if (host == null) {
                    return null;
                }
                host = host.toLowerCase(java.util.Locale.ROOT);
                if (!host.endsWith(suffix)) {
                    return null;
                }
                String label = host.substring(0, host.length() - suffix.length());
                return label.isEmpty() || label.contains(".") ? null : label;
            }

            @Override
            public String describe() {
                return "use the tenant's host, <tenant>" + suffix;
            }
        };
    }

    /** The tenant as the first path segment after {@code prefix}: {@code acme} for {@code /t/acme/todos} under {@code /t}. */
    static RequestTenantResolver path(String prefix) {
        String normalized = prefix == null || prefix.isBlank() || prefix.equals("/") ? "/"
                : (prefix.startsWith("/") ? prefix : "/" + prefix) + (prefix.endsWith("/") ? "" : "/");
        return new RequestTenantResolver() {
            @Override
            public String resolve(HttpServletRequest request) {
                String path = request.getRequestURI().substring(request.getContextPath().length());
                if (!path.startsWith(normalized)) {
                    return null;
                }
                String rest = path.substring(normalized.length());
                int slash = rest.indexOf('/');
                return slash < 0 ? rest : rest.substring(0, slash);
            }

            @Override
            public String describe() {
                return "put the tenant in the path, " + normalized + "<tenant>/...";
            }
        };
    }
}
