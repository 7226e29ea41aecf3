package dev.tenantry.examples.todo;

import dev.tenantry.entities.User;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * A todo app for many tenants on the Tenantry starter: Spring Data JPA, {@code @Transactional}, a JdbcClient and
 * an {@code @Async} method, all per tenant with nothing Tenantry-specific in them but the tenant schema of the
 * entity. {@code java -jar tenantry-todo.jar} starts an embedded PostgreSQL when no database is configured. With
 * {@code --tenantry.enabled=false} and a DataSource of Boot's own it runs on one schema without Tenantry: the HTTP
 * bench's baseline.
 */
@SpringBootApplication
@EntityScan(basePackageClasses = {TodoApplication.class, User.class}) // our entities and Tenantry's model
@EnableAsync
public class TodoApplication {

    public static void main(String[] args) {
        SpringApplication.run(TodoApplication.class, args);
    }
}
