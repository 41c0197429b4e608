package dev.genq.local;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} application at the JVM-wide {@link EmbeddedStack#shared()} stack.
 * Every test class in the JVM shares one stack; it stops when the JVM exits, not per test class.
 */
public class GenqStackTestResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return EmbeddedStack.shared().serviceConfig();
    }

    @Override
    public void stop() {
        // shared for the JVM: EmbeddedStack's shutdown hook stops it
    }
}
