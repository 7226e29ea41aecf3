package dev.tenantry.spring.boot.autoconfigure.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.core.TenantUnavailableException;
import dev.tenantry.core.TenantryException;
import dev.tenantry.core.UnknownTenantException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * The RFC 9457 problem details the tenant filter answers with, written without a message converter because the
 * filter runs before Spring MVC. They say what the client got wrong and nothing about the server: no schema
 * names, no SQL, no exception text.
 */
final class ProblemResponses {

    /** RFC 9457's type of a problem that needs no type of its own: its status says it all. */
    private static final java.net.URI ABOUT_BLANK = java.net.URI.create("about:blank");

    private ProblemResponses() {
    }

    /**
     * The answer to a request that failed on its tenant: 400 for an invalid id, 404 for a tenant that does not
     * exist, 503 for one this process refuses for now; {@code null} for any other failure, which is not the
     * client's to know about.
     */
    static ProblemDetail forTenantFailure(TenantryException failure, String instance) {
        if (failure instanceof InvalidSchemaNameException) {
            return problem(HttpStatus.BAD_REQUEST, "Invalid tenant", "The tenant id is not valid.", instance);
        }
        if (failure instanceof UnknownTenantException) {
            return problem(HttpStatus.NOT_FOUND, "Unknown tenant", "No such tenant.", instance);
        }
        if (failure instanceof TenantUnavailableException) {
            return problem(HttpStatus.SERVICE_UNAVAILABLE, "Tenant unavailable", "The tenant is not available at the"
                    + " moment.", instance);
        }
        return null;
    }

    static ProblemDetail problem(HttpStatus status, String title, String detail, String instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(ABOUT_BLANK);
        problem.setTitle(title);
        if (instance != null) {
            problem.setInstance(java.net.URI.create(instance.replace(" ", "%20")));
        }
        return problem;
    }

    static void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
        response.resetBuffer();
        response.setStatus(problem.getStatus());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        StringBuilder json = new StringBuilder(160).append('{');
        field(json, "type", (problem.getType() == null ? ABOUT_BLANK : problem.getType()).toString()).append(',');
        field(json, "title", problem.getTitle()).append(',');
        json.append("\"status\":").append(problem.getStatus()).append(',');
        field(json, "detail", problem.getDetail());
        if (problem.getInstance() != null) {
            field(json.append(','), "instance", problem.getInstance().toString());
        }
        response.getWriter().write(json.append('}').toString());
        response.flushBuffer();
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        json.append('"').append(name).append("\":");
        if (value == null) {
            return json.append("null");
        }
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
