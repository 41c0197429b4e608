# syntax=docker/dockerfile:1
# genq worker, CPU variant: Kafka consumer, micro-batcher and the diffusion engine on DJL + libtorch (CPU).
# Build from the repository root:  docker build -f deploy/docker/worker.Dockerfile -t genq/worker .
# The CUDA variant is worker-cuda.Dockerfile.

# ---- build ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY storage/ storage/
COPY deploy/local/ deploy/local/
COPY worker/ worker/
COPY api-common/pom.xml api-common/
COPY api-gateway/pom.xml api-gateway/
COPY moderation/pom.xml moderation/
COPY client/pom.xml client/
COPY cli/pom.xml cli/
COPY system-tests/pom.xml system-tests/
COPY bench/platform/pom.xml bench/platform/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -Dmaven.test.skip=true -pl worker -am package

# ---- runtime ----
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 genq \
 && useradd --system --uid 10001 --gid genq --home-dir /opt/genq --shell /usr/sbin/nologin genq \
 && mkdir -p /var/cache/genq && chown genq:genq /var/cache/genq
WORKDIR /opt/genq
COPY --from=build --chown=genq:genq /src/worker/target/quarkus-app/lib/ app/lib/
COPY --from=build --chown=genq:genq /src/worker/target/quarkus-app/*.jar app/
COPY --from=build --chown=genq:genq /src/worker/target/quarkus-app/app/ app/app/
COPY --from=build --chown=genq:genq /src/worker/target/quarkus-app/quarkus/ app/quarkus/
# the shipped default models; more can be served from s3://bucket/prefix (genq.worker.model-paths)
COPY --chown=genq:genq models/emoji-base/ models/emoji-base/
COPY --chown=genq:genq models/emoji-sr/ models/emoji-sr/
USER 10001:10001
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    QUARKUS_HTTP_PORT=8081 \
    GENQ_WORKER_MODEL_PATHS=/opt/genq/models/emoji-base,/opt/genq/models/emoji-sr \
    GENQ_WORKER_SUPER_RESOLUTION_MODEL=emoji-sr \
    GENQ_WORKER_MODEL_CACHE=/var/cache/genq/models \
    GENQ_WORKER_DEVICE=cpu \
    GENQ_WORKER_DEVICE_CLASS=cpu \
    DJL_CACHE_DIR=/var/cache/genq/djl \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -Djna.tmpdir=/tmp -Dai.djl.offline=true"
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8081/q/health/ready >/dev/null || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/genq/app/quarkus-run.jar"]
