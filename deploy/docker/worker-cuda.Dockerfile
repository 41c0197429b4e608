# syntax=docker/dockerfile:1
# genq worker, CUDA variant: the same worker built with -Pcuda (DJL 0.32.0 + libtorch 2.5.1 cu124, the
# newest CUDA build on Maven Central; see the cuda profile in the parent pom), on an NVIDIA CUDA 12.4
# runtime base. Needs the NVIDIA container toolkit on the host (docker: --gpus all; Kubernetes: the
# nvidia.com/gpu resource). Build from the repository root:
#   docker build -f deploy/docker/worker-cuda.Dockerfile -t genq/worker-cuda .

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
# the cu124 native jar is about 2.4 GB
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -Pcuda -Dmaven.test.skip=true -pl worker -am package

# ---- runtime: CUDA 12.4 user-space libraries + a headless JRE 17 ----
FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 genq \
 && useradd --system --uid 10001 --gid genq --home-dir /opt/genq --shell /usr/sbin/nologin genq \
 && mkdir -p /opt/genq /var/cache/genq && chown genq:genq /opt/genq /var/cache/genq
WORKDIR /opt/genq
COPY --from=build --chown=genq:genq /src/worker/target/quarkus-app/lib/ app/lib/
COPY --from=build --chown=genq:genq /src/worker/target/quarkus-app/*.jar app/
COPY --from=build --chown=genq:genq /src/worker/target/quarkus-app/app/ app/app/
COPY --from=build --chown=genq:genq /src/worker/target/quarkus-app/quarkus/ app/quarkus/
COPY --chown=genq:genq models/emoji-base/ models/emoji-base/
COPY --chown=genq:genq models/emoji-sr/ models/emoji-sr/
USER 10001:10001
# GENQ_WORKER_DEVICE_CLASS and GENQ_WORKER_PRICE_PER_DEVICE_HOUR name and price the GPU in every cost row:
# set them to the real card and its hourly price where you deploy.
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    QUARKUS_HTTP_PORT=8081 \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    GENQ_WORKER_MODEL_PATHS=/opt/genq/models/emoji-base,/opt/genq/models/emoji-sr \
    GENQ_WORKER_SUPER_RESOLUTION_MODEL=emoji-sr \
    GENQ_WORKER_MODEL_CACHE=/var/cache/genq/models \
    GENQ_WORKER_DEVICE=gpu \
    GENQ_WORKER_DEVICE_CLASS=gpu \
    DJL_CACHE_DIR=/var/cache/genq/djl \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp -Djna.tmpdir=/tmp -Dai.djl.offline=true"
EXPOSE 8081
HEALTHCHECK --interval=10s --timeout=3s --start-period=180s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8081/q/health/ready >/dev/null || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/genq/app/quarkus-run.jar"]
