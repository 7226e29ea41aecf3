package dev.tenantry.spring.boot.autoconfigure.web;

import dev.tenantry.core.TenantryException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a handler that failed on a tenant (one named in the code, such as {@code Tenants.in("other", ...)}) as
 * the tenant filter would: 400, 404 or 503 problem details with nothing about the server. Spring finds Tenantry's
 * exceptions also as the cause of a wrapper ({@code CannotCreateTransactionException}, ...). Other Tenantry
 * failures are left to the application's handlers and Boot's error page. Ordered last, so the app's advice wins.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
public class TenantryExceptionHandler {

    @ExceptionHandler(TenantryException.class)
    public ResponseEntity<ProblemDetail> tenantFailure(TenantryException failure, HttpServletRequest request)
            throws TenantryException {
        ProblemDetail problem = ProblemResponses.forTenantFailure(failure, request.getRequestURI());
        if (problem == null) {
            throw failure;
        }
        return ResponseEntity.status(problem.getStatus()).body(problem);
    }
}
