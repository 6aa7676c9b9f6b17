package dev.pocketmesh.infra;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for plain (non-Quarkus) tests: {@code @ExtendWith(LocalInfraExtension.class)}
 * makes sure the JVM's {@link SharedInfra} is running before the class's tests and injects it
 * into test/lifecycle method and constructor parameters of type {@link SharedInfra}.
 */
public final class LocalInfraExtension implements BeforeAllCallback, ParameterResolver {

    @Override
    public void beforeAll(ExtensionContext context) {
        // Fails the whole class at once, with the broker's log tail, if start-up fails.
        SharedInfra.get();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == SharedInfra.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return SharedInfra.get();
    }
}
