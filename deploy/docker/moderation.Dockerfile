# syntax=docker/dockerfile:1
# genq moderation: scores every sample (safety classifier on DJL + libtorch, CPU) and runs the review queue.
# Build from the repository root:  docker build -f deploy/docker/moderation.Dockerfile -t genq/moderation .

# ---- build ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
COPY storage/ storage/
COPY api-common/ api-common/
COPY deploy/local/ deploy/local/
COPY moderation/ moderation/
COPY api-gateway/pom.xml api-gateway/
COPY worker/pom.xml worker/
COPY client/pom.xml client/
COPY cli/pom.xml cli/
COPY system-tests/pom.xml system-tests/
COPY bench/platform/pom.xml bench/platform/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -Dmaven.test.skip=true -pl moderation -am package

# ---- runtime ----
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 genq \
 && useradd --system --uid 10001 --gid genq --home-dir /opt/genq --shell /usr/sbin/nologin genq \
 && mkdir -p /var/cache/genq && chown genq:genq /var/cache/genq
WORKDIR /opt/genq
COPY --from=build --chown=genq:genq /src/moderation/target/quarkus-app/lib/ app/lib/
COPY --from=build --chown=genq:genq /src/moderation/target/quarkus-app/*.jar app/
COPY --from=build --chown=genq:genq /src/moderation/target/quarkus-app/app/ app/app/
COPY --from=build --chown=genq:genq /src/moderation/target/quarkus-app/quarkus/ app/quarkus/
# the shipped safety classifier (models/README.md is the package contract)
COPY --chown=genq:genq models/emoji-safety/ models/emoji-safety/
USER 10001:10001
# libtorch is unpacked into DJL_CACHE_DIR at the first start (~450 MB): give it a volume in production.
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    QUARKUS_HTTP_PORT=8082 \
    GENQ_MODERATION_CLASSIFIER_PATH=/opt/genq/models/emoji-safety \
    DJL_CACHE_DIR=/var/cache/genq/djl \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -Djna.tmpdir=/tmp -Dai.djl.offline=true"
EXPOSE 8082
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8082/q/health/ready >/dev/null || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/genq/app/quarkus-run.jar"]
