package dev.tenantry.tenancy.hibernate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tenantry.core.InvalidSchemaNameException;
import dev.tenantry.tenancy.TenantScope;
import dev.tenantry.tenancy.Tenants;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@SuppressWarnings("try") // scopes opened only for their effect on this thread
class ScopedTenantResolverTest {

    private final ScopedTenantResolver resolver = new ScopedTenantResolver();

    @AfterEach
    void noScopeLeaks() {
        assertThat(Tenants.current()).isEmpty();
    }

    @Test
    void answersNoTenantWithoutAScope() {
        assertThat(resolver.resolveCurrentTenantIdentifier()).isEqualTo(ScopedTenantResolver.NO_TENANT);
    }

    @Test
    void answersTheTenantInScope() {
        String seen = Tenants.in("acme", () -> resolver.resolveCurrentTenantIdentifier());

        assertThat(seen).isEqualTo("acme");
        assertThat(resolver.resolveCurrentTenantIdentifier()).isEqualTo(ScopedTenantResolver.NO_TENANT);
    }

    @Test
    void answersTheInnermostTenantOfNestedScopes() {
        try (TenantScope outer = Tenants.open("outer")) {
            try (TenantScope inner = Tenants.open("inner")) {
                assertThat(resolver.resolveCurrentTenantIdentifier()).isEqualTo("inner");
            }
            assertThat(resolver.resolveCurrentTenantIdentifier()).isEqualTo("outer");
        }
    }

    @Test
    void answersNoTenantOnAnotherThreadWhileThisOneHasAScope() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (TenantScope scope = Tenants.open("acme")) {
            assertThat(pool.submit(resolver::resolveCurrentTenantIdentifier).get(10, TimeUnit.SECONDS))
                    .isEqualTo(ScopedTenantResolver.NO_TENANT);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void noTenantMarkerCanNeverBeOpenedAsATenant() {
        assertThatThrownBy(() -> Tenants.open(ScopedTenantResolver.NO_TENANT))
                .isInstanceOf(InvalidSchemaNameException.class);
    }

    @Test
    void validatesExistingSessions() {
        assertThat(resolver.validateExistingCurrentSessions()).isTrue();
    }
}
