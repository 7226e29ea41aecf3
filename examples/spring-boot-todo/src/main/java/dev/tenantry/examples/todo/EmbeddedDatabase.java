package dev.tenantry.examples.todo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationListener;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The sample's one-command try-out: with neither {@code spring.datasource.url} nor {@code DATABASE_URL} set, an
 * embedded PostgreSQL (from a Maven dependency, no install) is started and the app points at it; it is discarded
 * when the app stops. Registered in {@code META-INF/spring.factories}; runs after the app's own properties are read.
 */
public class EmbeddedDatabase implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.containsProperty("spring.datasource.url") || environment.containsProperty("DATABASE_URL")) {
            return;
        }
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start an embedded PostgreSQL (set DATABASE_URL or"
                    + " spring.datasource.url to use a server instead)", e);
        }
        System.out.println("No DATABASE_URL set: started an embedded PostgreSQL on localhost:" + postgres.getPort()
                + " (discarded when the app stops).");
        environment.getPropertySources().addLast(new MapPropertySource("embeddedPostgres", Map.of(
                "spring.datasource.url", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "spring.datasource.username", "postgres")));
        Runnable stop = stopOnce(postgres);
        // A bean that Tenantry's runtime depends on, so that the pool closes before the server stops.
        application.addListeners((ApplicationListener<ApplicationPreparedEvent>) event -> {
            if (event.getApplicationContext().getBeanFactory() instanceof DefaultListableBeanFactory beans) {
                beans.registerSingleton("embeddedPostgres", postgres);
                beans.registerDisposableBean("embeddedPostgres", stop::run);
                beans.registerDependentBean("embeddedPostgres", "tenantryRuntime");
            }
        });
        // Boot's own shutdown hook closes the context, and with it the server, after the pool. A JVM hook of our own
        // would run beside Boot's and could stop the server under an open pool. A start that fails stops it here.
        application.addListeners((ApplicationListener<ApplicationFailedEvent>) event -> stop.run());
    }

    private static Runnable stopOnce(EmbeddedPostgres postgres) {
        AtomicBoolean stopped = new AtomicBoolean();
        return () -> {
            if (stopped.compareAndSet(false, true)) {
                try {
                    postgres.close();
                } catch (IOException e) {
                    // stopping anyway; its temporary data directory goes with it
                }
            }
        };
    }

    /** After the config files, so that a URL in application.properties or on the command line counts. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
