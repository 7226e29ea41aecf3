package dev.tenantry.spring.boot.autoconfigure;

import java.util.Map;
import org.apache.commons.logging.Log;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Turns Boot's own Flyway auto-configuration off by default while Tenantry is on: it would migrate the
 * DataSource's default schema ({@code public}) with {@code db/migration}, behind Tenantry's back, while Tenantry
 * migrates every tenant schema itself. The default has the lowest precedence, so an app that means to migrate a
 * shared schema with Boot's Flyway says so: {@code spring.flyway.enabled=true}, with {@code spring.flyway.url} or
 * {@code spring.flyway.schemas} naming what it migrates (over Tenantry's DataSource with no tenant in scope,
 * every statement would be refused).
 */
final class TenantryEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    private static final String FLYWAY_AUTO_CONFIGURATION = "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration";
    static final String FLYWAY_ENABLED = "spring.flyway.enabled";

    private final Log log;

    TenantryEnvironmentPostProcessor(DeferredLogFactory logs) {
        this.log = logs.getLog(TenantryEnvironmentPostProcessor.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty("tenantry.enabled", Boolean.class, true)
                || environment.containsProperty(FLYWAY_ENABLED)
                || !ClassUtils.isPresent(FLYWAY_AUTO_CONFIGURATION, application.getClassLoader())) {
            return;
        }
        environment.getPropertySources().addLast(new MapPropertySource("tenantryDefaults", Map.of(FLYWAY_ENABLED, "false")));
        log.info("Boot's Flyway auto-configuration is off (spring.flyway.enabled=false): Tenantry migrates each tenant"
                + " schema itself. Set spring.flyway.enabled=true to migrate a shared schema with Boot's Flyway as well.");
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
