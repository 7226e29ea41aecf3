package dev.tenantry.it.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Runs a test class on the Citus cluster of {@code TEST_CITUS_URL} in a {@link CitusSandbox} of its own, injected
 * into constructors, lifecycle methods and tests, and dropped when the class is done. Without the variable the
 * class is skipped, and the report says why.
 */
public final class CitusExtension implements ExecutionCondition, BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(CitusExtension.class);

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String why = CitusCluster.whyUnavailable();
        return why == null ? ConditionEvaluationResult.enabled(CitusCluster.TEST_CITUS_URL + " is set")
                : ConditionEvaluationResult.disabled(why);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        context.getStore(NAMESPACE).put(CitusSandbox.class, CitusSandbox.create(CitusCluster.get()));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        CitusSandbox sandbox = context.getStore(NAMESPACE).remove(CitusSandbox.class, CitusSandbox.class);
        if (sandbox != null) {
            sandbox.drop();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == CitusSandbox.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getStore(NAMESPACE).get(CitusSandbox.class) == null && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE).get(CitusSandbox.class, CitusSandbox.class);
    }
}
