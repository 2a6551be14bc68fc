# The warmbox server image. The jar is built on the host (`mvn -DskipTests package`, which
# ./scripts/compose.sh runs) and copied in: Maven cannot fetch from Central inside `docker build` on
# machines whose HTTPS is re-signed by a host-only CA (see /work/shared/ENVIRONMENT.md and
# docs/architecture.md). Build context: the repository root (.dockerignore sends only the jar and the
# entrypoint).
FROM debian:trixie-slim

# setpriv (util-linux) and stat (coreutils) are already in the base image; the entrypoint uses them.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --create-home --home-dir /var/lib/warmbox warmbox \
 && mkdir -p /var/lib/warmbox/data /var/lib/warmbox/run \
 && chown -R warmbox:warmbox /var/lib/warmbox

COPY server/docker/entrypoint.sh /usr/local/bin/warmbox-entrypoint
COPY server/target/warmbox-server.jar /opt/warmbox/warmbox-server.jar

ENV WARMBOX_DB_PATH=/var/lib/warmbox/data/warmbox.db \
    WARMBOX_RUN_DIR=/var/lib/warmbox/run \
    WARMBOX_PORT=8002
EXPOSE 8002
# The entrypoint starts as root only to prepare the run directory and to read the engine socket's
# group, then runs java as the user warmbox (uid 10001) with that group; see server/docker/entrypoint.sh.
HEALTHCHECK --interval=5s --timeout=3s --start-period=300s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${WARMBOX_PORT}/health/ready" >/dev/null || exit 1
# Exec form all the way down (the entrypoint ends in `exec setpriv ... java`), so java gets SIGTERM
# from PID 1 (compose runs the engine's init with `init: true`) and its shutdown hook drains the pools.
ENTRYPOINT ["/usr/local/bin/warmbox-entrypoint"]
