package dev.tenantry.examples.todo;

import dev.tenantry.it.support.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The sample app started as {@code java -jar} would start it, on a random port against a test database, and a plain
 * HTTP client to drive it: real requests through Tomcat, Spring Security and the tenant filter, no MockMvc.
 */
final class RunningApp implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final ConfigurableApplicationContext context;
    private final HttpClient http;
    private final String base;

    private RunningApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        this.base = "http://localhost:" + port;
    }

    /** Starts the sample on {@code db} with its own properties plus {@code properties} ("name=value"). */
    static RunningApp start(TestDatabase db, String... properties) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put("server.port", "0");
        settings.put("spring.main.banner-mode", "off");
        List.of(db.springProperties()).forEach(property -> put(settings, property));
        settings.put("tenantry.pool.max-size", "8");
        List.of(properties).forEach(property -> put(settings, property));
        List<String> args = new ArrayList<>();
        settings.forEach((name, value) -> args.add("--" + name + "=" + value));
        return new RunningApp(new SpringApplicationBuilder(TodoApplication.class).run(args.toArray(String[]::new)));
    }

    /** Adds a {@code name=value} pair; a later one for the same name wins. */
    private static void put(Map<String, String> settings, String property) {
        int equals = property.indexOf('=');
        settings.put(property.substring(0, equals), property.substring(equals + 1));
    }

    ConfigurableApplicationContext context() {
        return context;
    }

    String base() {
        return base;
    }

    HttpClient client() {
        return http;
    }

    /** A request to {@code path}, with the tenant header when {@code tenant} is not null. */
    HttpRequest.Builder request(String tenant, String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (tenant != null) {
            request.header("X-Tenant-Id", tenant);
        }
        return request;
    }

    HttpResponse<String> get(String tenant, String path) {
        return send(request(tenant, path).GET().build());
    }

    HttpResponse<String> post(String tenant, String path, Object body) {
        return send(request(tenant, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    HttpResponse<String> patch(String tenant, String path, Object body) {
        return send(request(tenant, path).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static Map<String, String> todo(String title) {
        return Map.of("title", title);
    }

    @Override
    public void close() {
        context.close();
    }
}
