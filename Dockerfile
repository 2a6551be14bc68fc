# The warmbox server image. The jar is built on the host (`mvn -DskipTests package`) and copied in:
# Maven cannot fetch from Central inside `docker build` on machines whose HTTPS is re-signed by a
# host-only CA (see docs/architecture.md).
FROM debian:trixie-slim

RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /var/lib/warmbox warmbox \
 && mkdir -p /var/lib/warmbox/data /var/lib/warmbox/run \
 && chown -R warmbox:warmbox /var/lib/warmbox

COPY server/target/warmbox-server.jar /opt/warmbox/warmbox-server.jar

ENV WARMBOX_DB_PATH=/var/lib/warmbox/data/warmbox.db \
    WARMBOX_RUN_DIR=/var/lib/warmbox/run \
    WARMBOX_PORT=8002
EXPOSE 8002
# Talking to the engine needs the socket's group; compose sets `user:` to match the host's socket.
USER warmbox
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s CMD curl -fsS http://127.0.0.1:8002/health/ready || exit 1
# exec form: java is PID 1 and gets SIGTERM directly, so the shutdown hook drains the pools.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=50", "-jar", "/opt/warmbox/warmbox-server.jar"]
