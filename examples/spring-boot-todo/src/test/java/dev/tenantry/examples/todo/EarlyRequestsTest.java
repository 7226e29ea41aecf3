package dev.tenantry.examples.todo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Readiness: a client that sends requests for a tenant of {@code tenantry.provision-on-start} from before the app
 * starts until after gets either no connection or the tenant's answer, never an unknown tenant: the tenants are
 * provisioned before the server takes its first request.
 */
@WithPostgres
class EarlyRequestsTest {

    @Test
    void noRequestMeetsATenantThatIsStillBeingProvisioned(TestDatabase db) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/todos"))
                .header("X-Tenant-Id", "early_bird").timeout(Duration.ofSeconds(30)).GET().build();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        CompletableFuture<RunningApp> starting = CompletableFuture.supplyAsync(() -> RunningApp.start(db,
                "server.port=" + port, "tenantry.provision-on-start=early_bird"));
        int afterStart = 0;
        while (afterStart < 20) {
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
            } catch (IOException e) {
                refused.incrementAndGet();
                Thread.sleep(20);
            }
            if (starting.isDone()) {
                afterStart++;
            }
        }
        try (RunningApp app = starting.join()) {
            System.out.printf("[early-requests] %d refused connections while starting, responses by status %s%n",
                    refused.get(), statuses);
            assertThat(refused.get()).as("requests sent before the server listened").isPositive();
            assertThat(statuses).containsOnlyKeys(200);
        }
    }
}
