package dev.tenantry.spring.boot.autoconfigure;

import java.util.Set;
import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;

/** Tells Boot that {@link TenantryMigrations} initializes the database, so that JPA and JDBC users wait for it. */
final class TenantryMigrationsDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

    @Override
    protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
        return Set.of(TenantryMigrations.class);
    }
}
