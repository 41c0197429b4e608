package dev.genq.gateway;

import dev.genq.local.GenqStackTestResource;
import io.quarkus.test.common.QuarkusTestResource;

/** Every test in this module runs on the JVM-wide embedded stack (real Postgres, Kafka, S3). */
@QuarkusTestResource(GenqStackTestResource.class)
public final class GenqStack {
    private GenqStack() {
    }
}
