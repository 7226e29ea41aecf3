package dev.tenantry.examples.todo;

import static dev.tenantry.examples.todo.RunningApp.basic;
import static dev.tenantry.examples.todo.RunningApp.todo;
import static dev.tenantry.examples.todo.TodoApplicationTest.assertProblem;
import static dev.tenantry.examples.todo.TodoApplicationTest.titles;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample with {@code tenantry.web.require-principal-tenant=true} and open-in-view off: the tenant filter runs
 * after Spring Security, so it sees the principal that HTTP Basic authenticated, and lets it into its own tenant
 * only. Without open-in-view, repositories open their EntityManagers inside the request's tenant scope too.
 */
@WithPostgres
class SecuredTodoApplicationTest {

    private static RunningApp app;

    @BeforeAll
    static void start(TestDatabase database) {
        app = RunningApp.start(database, "tenantry.web.require-principal-tenant=true", "spring.jpa.open-in-view=false",
                "todo.demo-password=s3cret");
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void aPrincipalGetsIntoItsOwnTenantOnly() {
        HttpResponse<String> created = app.send(as("ada", "acme", "/todos").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(RunningApp.JSON.writeValueAsString(todo("ada's")))).build());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(titles(app.send(as("ada", "acme", "/todos").GET().build()))).contains("ada's");

        assertProblem(app.send(as("ada", "globex", "/todos").GET().build()), 403, "Tenant not allowed");
        assertProblem(app.send(as("bob", "acme", "/todos").GET().build()), 403, "Tenant not allowed");
        assertThat(titles(app.send(as("bob", "globex", "/todos").GET().build()))).doesNotContain("ada's");
    }

    @Test
    void withoutAPrincipalTheTenantsDataIsRefused() {
        assertProblem(app.get("acme", "/todos"), 401, "Authentication required");
    }

    @Test
    void aWrongPasswordIsRefusedBySpringSecurityBeforeTheTenantFilter() {
        HttpResponse<String> response = app.send(app.request("acme", "/todos")
                .header("Authorization", basic("ada", "wrong")).GET().build());
        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void withOpenInViewOffTheStatisticsStillRunInTheTenant() {
        HttpResponse<String> stats = app.send(as("bob", "globex", "/todos/stats").GET().build());
        assertThat(stats.statusCode()).as(stats.body()).isEqualTo(200);
    }

    private static HttpRequest.Builder as(String user, String tenant, String path) {
        return app.request(tenant, path).header("Authorization", basic(user, "s3cret"));
    }
}
