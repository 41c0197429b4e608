# syntax=docker/dockerfile:1
# genq api-gateway: public REST API, outbox relay, webhook dispatcher.
# Build from the repository root:  docker build -f deploy/docker/api-gateway.Dockerfile -t genq/api-gateway .

# ---- build: the Maven wrapper builds this module and what it depends on into a Quarkus fast-jar ----
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
# every module's pom is read by the reactor; only the modules this image needs are compiled (-pl ... -am)
COPY storage/ storage/
COPY api-common/ api-common/
COPY deploy/local/ deploy/local/
COPY api-gateway/ api-gateway/
COPY worker/pom.xml worker/
COPY moderation/pom.xml moderation/
COPY client/pom.xml client/
COPY cli/pom.xml cli/
COPY system-tests/pom.xml system-tests/
COPY bench/platform/pom.xml bench/platform/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -Dmaven.test.skip=true -pl api-gateway -am package

# ---- runtime: a JRE, the fast-jar, a non-root user ----
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 genq \
 && useradd --system --uid 10001 --gid genq --home-dir /opt/genq --shell /usr/sbin/nologin genq
WORKDIR /opt/genq
# dependencies first: they change less often than the application classes
COPY --from=build --chown=genq:genq /src/api-gateway/target/quarkus-app/lib/ app/lib/
COPY --from=build --chown=genq:genq /src/api-gateway/target/quarkus-app/*.jar app/
COPY --from=build --chown=genq:genq /src/api-gateway/target/quarkus-app/app/ app/app/
COPY --from=build --chown=genq:genq /src/api-gateway/target/quarkus-app/quarkus/ app/quarkus/
USER 10001:10001
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    QUARKUS_HTTP_PORT=8080 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/q/health/ready >/dev/null || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/genq/app/quarkus-run.jar"]
