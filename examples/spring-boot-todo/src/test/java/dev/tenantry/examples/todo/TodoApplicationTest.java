package dev.tenantry.examples.todo;

import static dev.tenantry.examples.todo.RunningApp.json;
import static dev.tenantry.examples.todo.RunningApp.todo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The sample app over real HTTP on a random port, per request, with the sample's own settings. */
@WithPostgres
class TodoApplicationTest {

    private static TestDatabase db;
    private static RunningApp app;

    @BeforeAll
    static void start(TestDatabase database) {
        db = database;
        app = RunningApp.start(database);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void theSampleTenantsAreThereBeforeTheFirstRequest() {
        assertThat(db.schemas()).contains("acme", "globex");
        // The model and the app keep histories of their own: the model's at 3, the app's todos at 100.
        assertThat(db.column("SELECT version FROM acme.flyway_schema_history WHERE success ORDER BY installed_rank DESC LIMIT 1"))
                .containsExactly("3");
        assertThat(db.column("SELECT version FROM acme.flyway_schema_history_app WHERE success ORDER BY installed_rank DESC LIMIT 1"))
                .containsExactly("100");
    }

    @Test
    void aTodoIsVisibleInItsTenantOnly() {
        HttpResponse<String> created = app.post("acme", "/todos", todo("only acme's"));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode todo = json(created);
        long id = todo.get("id").asLong();
        assertThat(todo.get("title").asText()).isEqualTo("only acme's");
        assertThat(todo.get("done").asBoolean()).isFalse();
        assertThat(created.headers().firstValue("Location")).contains("/todos/" + id);

        assertThat(titles(app.get("acme", "/todos"))).contains("only acme's");
        assertThat(titles(app.get("globex", "/todos"))).doesNotContain("only acme's");
        assertThat(app.get("acme", "/todos/" + id).statusCode()).isEqualTo(200);
        assertThat(app.get("globex", "/todos/" + id).statusCode()).isEqualTo(404);
        assertThat(db.column("SELECT title FROM acme.todos WHERE id = " + id)).containsExactly("only acme's");
        assertThat(db.column("SELECT count(*) FROM globex.todos WHERE title = 'only acme''s'")).containsExactly("0");
    }

    @Test
    void springDataQueriesPagingJpqlNativeJdbcAndAsyncAllWorkInTheRequestsTenant() {
        app.post(null, "/tenants", Map.of("id", "querying"));
        for (String title : List.of("alpha", "beta", "gamma", "delta", "epsilon")) {
            assertThat(app.post("querying", "/todos", todo(title)).statusCode()).isEqualTo(201);
        }
        List<JsonNode> all = list(app.get("querying", "/todos"));
        for (JsonNode todo : all.subList(0, 2)) {
            assertThat(app.patch("querying", "/todos/" + todo.get("id").asLong(), Map.of("done", true)).statusCode()).isEqualTo(200);
        }
        app.post("acme", "/todos", todo("alpha in acme, done"));

        assertThat(titles(app.get("querying", "/todos?done=true"))).containsExactly("alpha", "beta");
        assertThat(titles(app.get("querying", "/todos?page=1&size=2"))).containsExactly("gamma", "delta");
        assertThat(titles(app.get("querying", "/todos?q=LTA"))).containsExactly("delta");
        JsonNode stats = json(app.get("querying", "/todos/stats"));
        assertThat(stats.get("total").asLong()).isEqualTo(5);      // JdbcClient over Tenantry's DataSource
        assertThat(stats.get("open").asLong()).isEqualTo(3);       // a Specification
        assertThat(stats.get("done").asLong()).isEqualTo(2);       // a native query with the placeholder
        assertThat(stats.get("asyncTotal").asLong()).isEqualTo(5); // @Async on Boot's task executor
        assertThat(stats.get("asyncThread").asText()).isNotEqualTo(stats.get("requestThread").asText());
    }

    @Test
    void tenantFailuresAreProblemDetailsThatSayNothingAboutTheServer() {
        assertProblem(app.get(null, "/todos"), 400, "Tenant required");
        assertProblem(app.get("", "/todos"), 400, "Tenant required");
        assertProblem(app.get("Acme; DROP SCHEMA acme", "/todos"), 400, "Invalid tenant");
        assertProblem(app.get("pg_catalog", "/todos"), 400, "Invalid tenant");
        assertProblem(app.get("tenantry", "/todos"), 400, "Invalid tenant");
        assertProblem(app.get("nobody_here", "/todos"), 404, "Unknown tenant");
        assertProblem(app.post(null, "/tenants", Map.of("id", "Not Valid")), 400, "Invalid tenant");
        assertThat(db.schemas()).doesNotContain("nobody_here");
    }

    @Test
    void aVisitorGetsASessionCookieAndClaimsItAtSignUp() {
        HttpResponse<String> first = app.get("globex", "/todos");
        String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("visitor_globex=").contains("HttpOnly");
        String token = cookie.substring(cookie.indexOf('=') + 1, cookie.indexOf(';'));

        HttpResponse<String> again = app.send(app.request("globex", "/todos").header("Cookie", "visitor_globex=" + token).GET().build());
        assertThat(again.headers().firstValue("Set-Cookie")).as("a known visitor keeps the session").isEmpty();
        HttpResponse<String> signUp = app.send(app.request("globex", "/users").header("Cookie", "visitor_globex=" + token)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"email\":\"grace@globex.example\",\"name\":\"Grace\"}"))
                .build());

        assertThat(signUp.statusCode()).isEqualTo(201);
        String session = json(signUp).get("claimedSession").asText();
        assertThat(db.column("SELECT u.email FROM globex.anon_sessions s JOIN globex.users u ON u.id = s.user_id"
                + " WHERE s.id = '" + session + "'")).containsExactly("grace@globex.example");
        assertThat(db.column("SELECT count(*) FROM acme.users WHERE email = 'grace@globex.example'")).containsExactly("0");
    }

    @Test
    void theActuatorShowsTheTenantsAndTheirHealthWithoutATenant() {
        JsonNode health = json(app.get(null, "/actuator/health"));
        assertThat(health.get("status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/tenantry/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/tenantry/details/registry").asText()).isEqualTo("reachable");
        JsonNode tenants = json(app.get(null, "/actuator/tenants"));
        assertThat(tenants.get("tenants").findValuesAsString("tenant")).contains("acme", "globex");
        assertThat(tenants.toString()).doesNotContain("password").doesNotContain("jdbc:");
        JsonNode acme = json(app.get(null, "/actuator/tenants/acme"));
        assertThat(acme.get("version").asText()).isEqualTo("tenantry 3, app 100");
        assertThat(acme.get("served").asBoolean()).isTrue();
    }

    static void assertProblem(HttpResponse<String> response, int status, String title) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isEqualTo(title);
        assertThat(response.body().toLowerCase()).doesNotContain("schema").doesNotContain("select").doesNotContain("exception")
                .doesNotContain("pg_").doesNotContain("sql");
    }

    static List<JsonNode> list(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> items = new java.util.ArrayList<>();
        json(response).forEach(items::add);
        return items;
    }

    static List<String> titles(HttpResponse<String> response) {
        return list(response).stream().map(todo -> todo.get("title").asText()).toList();
    }
}
