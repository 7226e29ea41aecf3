package dev.tenantry.spring.boot.autoconfigure.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tenantry.it.support.TestDatabase;
import dev.tenantry.it.support.WithPostgres;
import dev.tenantry.spring.boot.autoconfigure.TenantryAutoConfiguration;
import dev.tenantry.tenancy.TenantProvisioning;
import dev.tenantry.tenancy.TenantryRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The actuator's view of Tenantry, present with the actuator and absent without it. */
@WithPostgres
class TenantryActuatorTest {

    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    private static ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(TenantryAutoConfiguration.class, TenantsEndpointAutoConfiguration.class,
                        TenantryHealthAutoConfiguration.class, TenantryMetricsAutoConfiguration.class))
                .withPropertyValues(db.springProperties())
                .withPropertyValues("tenantry.mode=per-request", "management.endpoints.web.exposure.include=tenants");
    }

    @Test
    void withTheActuatorThereAreTheEndpointTheHealthAndTheMeters() {
        runner().withPropertyValues("tenantry.pool.lanes=2").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(TenantsEndpoint.class)
                    .hasSingleBean(TenantryHealthIndicator.class).hasSingleBean(TenantryMetrics.class);
            context.getBean(TenantProvisioning.class).provision("act_a");
            db.execute("INSERT INTO tenantry.tenants (tenant_id, schema_name, state, last_error)"
                    + " VALUES ('act_broken', 'act_broken', 'failed', 'Failed to execute script V1__x.sql; SQL State : 42P07;"
                    + " Message : ERROR: relation \"x\" already exists; Location : x; Line : 3; Statement : create table x (secret text)')");

            TenantsEndpoint.TenantsDescriptor tenants = context.getBean(TenantsEndpoint.class).tenants();
            assertThat(tenants.tenants()).extracting(TenantsEndpoint.TenantDescriptor::tenant).contains("act_a", "act_broken");
            TenantsEndpoint.TenantDescriptor broken = context.getBean(TenantsEndpoint.class).tenant("act_broken");
            assertThat(broken.served()).isFalse();
            assertThat(broken.lastFailure()).isEqualTo("V1__x.sql line 3: ERROR: relation \"x\" already exists (SQL state 42P07)")
                    .doesNotContain("create table");
            assertThat(context.getBean(TenantsEndpoint.class).tenant("act_a").served()).isTrue();

            Health health = context.getBean(TenantryHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("registry", "reachable").containsKey("failedTenants");
            assertThat(health.getDetails().get("failedTenants").toString()).contains("act_broken");

            MeterRegistry meters = new SimpleMeterRegistry();
            context.getBean(TenantryMetrics.class).bindTo(meters);
            assertThat(meters.get("tenantry.tenants").tag("state", "failed").gauge().value()).isGreaterThanOrEqualTo(1);
            assertThat(meters.get("tenantry.tenants").tag("state", "ready").gauge().value()).isGreaterThanOrEqualTo(1);
            assertThat(meters.get("tenantry.migrations.startup").timer().count()).isEqualTo(1);
            // The test's pool of 4 in two lanes of two, each with its meters and HikariCP's.
            assertThat(meters.find("tenantry.pool.lane.max").gauges()).hasSize(2);
            assertThat(meters.get("tenantry.pool.lane.max").tag("lane", "1").gauge().value()).isEqualTo(2);
            assertThat(meters.get("tenantry.pool.lane.spillovers").tag("lane", "0").functionCounter().count()).isZero();
            assertThat(meters.get("tenantry.pool.lane.prepares.statements").tag("lane", "1").gauge().value()).isEqualTo(1);
            assertThat(meters.get("tenantry.pool.lane.recent.tenants").tag("lane", "0").gauge().value())
                    .as("no window counted yet").isEqualTo(-1);
            assertThat(meters.get("tenantry.pool.lane.connections").tag("lane", "0").tag("state", "idle").gauge()).isNotNull();
            assertThat(meters.find("hikaricp.connections.max").tag("pool", "tenantry-lane-1").gauge()).isNotNull();
        });
    }

    @Test
    void healthIsDownWhenTheRegistryCannotBeRead() {
        runner().run(context -> {
            context.getBean(TenantryRuntime.class).database().close();
            Health health = context.getBean(TenantryHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("registry", "unreachable");
            assertThat(health.getDetails().toString()).doesNotContain("jdbc:").doesNotContain("password");
        });
    }

    @Test
    void withoutTheActuatorNoneOfItIsThere() {
        // Through Boot's import selector, which drops auto-configurations whose classes are missing before it reads
        // them, as in an application without spring-boot-actuator, spring-boot-health and Micrometer.
        new ApplicationContextRunner()
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate.", "org.springframework.boot.health.",
                        "io.micrometer.core.instrument.binder."))
                .withUserConfiguration(AllAutoConfigurations.class)
                .withPropertyValues(db.springProperties())
                .withPropertyValues("tenantry.mode=per-request", "management.endpoints.web.exposure.include=tenants")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TenantryRuntime.class)
                        .doesNotHaveBean(TenantsEndpoint.class).doesNotHaveBean(TenantryHealthIndicator.class)
                        .doesNotHaveBean(TenantryMetrics.class));
    }

    @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
    @org.springframework.boot.autoconfigure.ImportAutoConfiguration({TenantryAutoConfiguration.class,
            TenantsEndpointAutoConfiguration.class, TenantryHealthAutoConfiguration.class, TenantryMetricsAutoConfiguration.class})
    static class AllAutoConfigurations {
    }

    @Test
    void theHealthIndicatorCanBeTurnedOff() {
        runner().withPropertyValues("management.health.tenantry.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TenantryHealthIndicator.class));
    }
}
