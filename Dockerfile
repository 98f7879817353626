# copbot as a container: one bot process, its HTTP port (PORT) for Slack's events, /healthz and /metrics.
# Build from the repository root:   docker build -t copbot .
# Run it with PostgreSQL:           docker compose -f deploy/compose.yaml up -d   (see docs/deploy.md)
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
# Only what the installed package needs (tests, benches and docs stay out of the image).
COPY pyproject.toml README.md LICENSE community.yaml community.schema.json ./
COPY copbot ./copbot
COPY bot ./bot
COPY adapters ./adapters
COPY rituals ./rituals
COPY storage ./storage
COPY config ./config
RUN pip install . \
 && groupadd --system --gid 10001 copbot \
 && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin copbot \
 && mkdir -p /data /config \
 && chown 10001:10001 /data

# The shipped example; mount your own directory over /config (a directory, not a single file, so an
# editor's save-by-rename still reaches the running bot's hot reload).
COPY community.yaml community.schema.json /config/

# Numeric, so Kubernetes' runAsNonRoot can tell the user is not root without reading /etc/passwd.
USER 10001:10001
WORKDIR /data
# PORT is set, so every platform serves /healthz and /metrics (Slack's HTTP mode also /slack/events).
# COPBOT_DATABASE_URL defaults to a SQLite file beside the config; set it to PostgreSQL in production.
ENV COPBOT_CONFIG=/config/community.yaml \
    PORT=3000
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4).status == 200 else 1)"

# SIGTERM (docker stop) ends the bot cleanly: the outbox and the participation writer finish first.
STOPSIGNAL SIGTERM
ENTRYPOINT ["copbot"]
CMD ["run"]
