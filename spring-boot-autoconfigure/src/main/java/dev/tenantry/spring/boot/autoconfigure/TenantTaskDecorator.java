package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.tenancy.Tenants;
import org.springframework.core.task.TaskDecorator;

/**
 * Carries the submitting thread's tenant to the task: {@code @Async} methods and work on Boot's task executors
 * and schedulers run in the tenant their caller was in, and in no tenant when it was in none. The tenant is taken
 * when the task is submitted, and the scope closes when the task ends, so nothing stays on the pooled thread.
 */
public final class TenantTaskDecorator implements TaskDecorator {

    @Override
    public Runnable decorate(Runnable runnable) {
        String tenant = Tenants.currentOrNull();
        return tenant == null ? runnable : Tenants.wrap(tenant, runnable);
    }
}
