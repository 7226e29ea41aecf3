package dev.tenantry.spring.boot.autoconfigure;

import dev.tenantry.core.TenancyMode;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when Tenantry runs per request ({@code tenantry.mode}, else {@code TENANTRY_MODE}): the parts that only
 * make sense with a tenant per unit of work, such as the web filter.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(ConditionalOnPerRequestMode.OnPerRequestMode.class)
public @interface ConditionalOnPerRequestMode {

    /** The condition behind the annotation. */
    final class OnPerRequestMode extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            TenancyMode mode = TenantryConfigBinding.mode(context.getEnvironment());
            return mode == TenancyMode.PER_REQUEST ? ConditionOutcome.match("Tenantry runs per request")
                    : ConditionOutcome.noMatch("Tenantry runs per deployment");
        }
    }
}
