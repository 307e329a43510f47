# The sales funnel bot: `python -m bot run` as a non-root user, data on the /data volume.
#
#   docker build -t sales-bot .
#   docker run -d --name sales-bot --env-file .env -v sales-bot-data:/data \
#       --stop-timeout 45 --restart on-failure sales-bot
#
# Give it time to stop (--stop-timeout / stop_grace_period: the default 10 s is shorter than
# the bot's graceful stop). The health check needs METRICS_PORT (9100 here) left on.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin bot

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
# Editable on purpose: the code stays in /app, where it finds content/ next to bot/.
RUN pip install -e . \
    && mkdir /data \
    && chown bot:bot /data

ENV DATABASE_PATH=/data/bot.sqlite3 \
    METRICS_HOST=127.0.0.1 \
    METRICS_PORT=9100 \
    MPLCONFIGDIR=/tmp/matplotlib

VOLUME ["/data"]
USER bot
# Webhook mode only (WEBHOOK_URL set); polling needs no inbound port.
EXPOSE 8443

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % (os.environ.get('METRICS_PORT') or '9100'), timeout=4)"]

STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot", "run"]
