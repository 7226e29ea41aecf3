package dev.tenantry.it.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs a Citus cluster: it runs when {@code TEST_CITUS_URL} names a coordinator with two
 * workers, gets a {@link CitusSandbox} of its own there, and is skipped, saying why, when the variable is unset.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(CitusExtension.class)
public @interface WithCitus {
}
