package dev.tenantry.examples.todo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP leak soak: concurrent clients send a mix of writes and reads for many tenants through Tomcat, whose few
 * threads serve every tenant in turn, and every response is checked for rows of another tenant. At the end the
 * rows are counted with plain SQL, schema by schema: every acknowledged write is there, in its own tenant's schema,
 * and nothing else is. Each todo's title names its tenant, so a foreign row is recognised wherever it shows up.
 * Size: {@code -Dsoak.http.requests} (20,000), {@code -Dsoak.http.clients} (16), {@code -Dsoak.http.tenants} (20).
 */
@WithPostgres
class HttpLeakSoakTest {

    private static final int REQUESTS = Integer.getInteger("soak.http.requests", 20_000);
    private static final int CLIENTS = Integer.getInteger("soak.http.clients", 16);
    private static final int TENANTS = Integer.getInteger("soak.http.tenants", 20);

    /** What one tenant's schema must hold at the end: the titles of every write the app acknowledged. */
    private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
    /** Ids of each tenant's todos, to read them back by id (and other tenants' ids, which must not be found). */
    private final Map<String, List<Long>> ids = new ConcurrentHashMap<>();
    private final AtomicLong foreignRows = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicInteger sent = new AtomicInteger();

    @Test
    void noResponseShowsAnotherTenantsRowsAndNoAcknowledgedWriteIsLost(TestDatabase db) throws Exception {
        List<String> tenants = new ArrayList<>();
        try (RunningApp app = RunningApp.start(db, "server.tomcat.threads.max=8", "server.tomcat.threads.min-spare=8",
                "tenantry.pool.max-size=6", "tenantry.provision-on-start=")) {
            for (int i = 0; i < TENANTS; i++) {
                String tenant = String.format("soak_%02d", i);
                assertThat(app.post(null, "/tenants", Map.of("id", tenant)).statusCode()).isEqualTo(201);
                tenants.add(tenant);
                acknowledged.put(tenant, ConcurrentHashMap.newKeySet());
                ids.put(tenant, java.util.Collections.synchronizedList(new ArrayList<>()));
            }
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long start = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> runClient(app, tenants, client)));
            }
            for (Future<?> client : running) {
                client.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            clients.shutdown();

            long rows = 0;
            long misplaced = 0;
            long lost = 0;
            long extra = 0;
            for (String tenant : tenants) {
                List<String> titles = db.column("SELECT title FROM " + tenant + ".todos");
                rows += titles.size();
                misplaced += titles.stream().filter(title -> !title.startsWith(tenant + ":")).count();
                Set<String> stored = Set.copyOf(titles);
                lost += acknowledged.get(tenant).stream().filter(title -> !stored.contains(title)).count();
                extra += titles.stream().filter(title -> !acknowledged.get(tenant).contains(title)).count();
            }
            long writes = acknowledged.values().stream().mapToLong(Set::size).sum();
            System.out.printf("[soak-http] %d requests (%d acknowledged writes) by %d clients over %d tenants through %d"
                            + " Tomcat threads in %.1f s (%.0f requests/s): %d rows; cross-tenant rows in responses %d,"
                            + " in schemas %d; lost writes %d; unacknowledged rows %d; failed requests %d%n",
                    sent.get(), writes, CLIENTS, TENANTS, 8, seconds, sent.get() / seconds, rows, foreignRows.get(), misplaced,
                    lost, extra, failures.get());

            assertThat(sent.get()).isGreaterThanOrEqualTo(REQUESTS);
            assertThat(failures.get()).as("failed requests").isZero();
            assertThat(foreignRows.get()).as("rows of another tenant in responses").isZero();
            assertThat(misplaced).as("rows in another tenant's schema").isZero();
            assertThat(lost).as("acknowledged writes missing").isZero();
            assertThat(extra).as("rows nobody acknowledged").isZero();
            assertThat(rows).isEqualTo(writes);
            assertThat(writes).isGreaterThan(REQUESTS / 4);
        }
    }

    private void runClient(RunningApp app, List<String> tenants, int client) {
        Map<String, String> cookies = new java.util.HashMap<>();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int sequence = 0;
        while (sent.getAndIncrement() < REQUESTS) {
            String tenant = tenants.get(random.nextInt(tenants.size()));
            int kind = random.nextInt(10);
            HttpRequest.Builder request;
            if (kind < 5) {
                String title = tenant + ":" + client + ":" + (sequence++);
                request = app.request(tenant, "/todos").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + title + "\"}"));
                HttpResponse<String> response = send(app, request, tenant, cookies);
                if (response != null && response.statusCode() == 201) {
                    JsonNode todo = RunningApp.json(response);
                    checkTitle(tenant, todo);
                    acknowledged.get(tenant).add(todo.get("title").asText());
                    ids.get(tenant).add(todo.get("id").asLong());
                } else {
                    failed(response);
                }
            } else if (kind < 8) {
                request = app.request(tenant, "/todos?page=" + random.nextInt(3) + "&size=25").GET();
                HttpResponse<String> response = send(app, request, tenant, cookies);
                if (response != null && response.statusCode() == 200) {
                    RunningApp.json(response).forEach(todo -> checkTitle(tenant, todo));
                } else {
                    failed(response);
                }
            } else {
                // A todo id, often one that belongs to another tenant: found only as this tenant's own row, or not at all.
                List<Long> someIds = ids.get(tenants.get(random.nextInt(tenants.size())));
                long id = someIds.isEmpty() ? 1 : someIds.get(random.nextInt(someIds.size()));
                HttpResponse<String> response = send(app, app.request(tenant, "/todos/" + id).GET(), tenant, cookies);
                if (response != null && response.statusCode() == 200) {
                    checkTitle(tenant, RunningApp.json(response));
                } else if (response == null || response.statusCode() != 404) {
                    failed(response);
                }
            }
        }
    }

    private HttpResponse<String> send(RunningApp app, HttpRequest.Builder request, String tenant, Map<String, String> cookies) {
        String cookie = cookies.get(tenant);
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        try {
            HttpResponse<String> response = app.send(request.build());
            response.headers().firstValue("Set-Cookie").ifPresent(set -> {
                assertThat(set).startsWith(VisitorSessions.cookieName(tenant) + "=");
                cookies.put(tenant, set.substring(0, set.indexOf(';')));
            });
            return response;
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            return null;
        }
    }

    private void checkTitle(String tenant, JsonNode todo) {
        if (!todo.get("title").asText().startsWith(tenant + ":")) {
            foreignRows.incrementAndGet();
        }
    }

    private void failed(HttpResponse<String> response) {
        if (failures.incrementAndGet() <= 5 && response != null) {
            System.out.println("[soak-http] unexpected " + response.statusCode() + ": " + response.body());
        }
    }
}
