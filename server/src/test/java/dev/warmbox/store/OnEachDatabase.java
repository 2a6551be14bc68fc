package dev.warmbox.store;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;

/**
 * Runs the test once on SQLite and once on PostgreSQL, each time with a {@link TestDatabase} of its own
 * (a parameter of the test or of its {@code @BeforeEach}), closed and removed after it. The stores'
 * tests are the contract both databases pass.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(OnEachDatabase.Invocations.class)
public @interface OnEachDatabase {

    final class Invocations implements TestTemplateInvocationContextProvider {
        @Override
        public boolean supportsTestTemplate(ExtensionContext context) {
            return true;
        }

        @Override
        public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
            return Stream.of(TestDatabase.Kind.values()).map(Invocation::new);
        }
    }

    final class Invocation implements TestTemplateInvocationContext, ParameterResolver, AfterEachCallback {
        private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(OnEachDatabase.class);
        private final TestDatabase.Kind kind;

        Invocation(TestDatabase.Kind kind) {
            this.kind = kind;
        }

        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + kind.name().toLowerCase(java.util.Locale.ROOT) + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(this);
        }

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == TestDatabase.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getStore(STORE).getOrComputeIfAbsent(TestDatabase.class, k -> TestDatabase.create(kind), TestDatabase.class);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            TestDatabase database = context.getStore(STORE).remove(TestDatabase.class, TestDatabase.class);
            if (database != null) database.close();
        }
    }
}
