#!/bin/sh
# Run one service of the cooperative: wait for the broker, migrate its database, exec Nameko.
#   SERVICE=billing              which service (a package under services/)
#   AMQP_URI, <NAME>_DB_URI, <NAME>_METRICS_PORT, EVENT_QUEUE_TYPE: see services/<name>/config.yml
#   BROKER_WAIT_SECONDS=120      how long to wait for RabbitMQ (0: do not wait)
#   MIGRATE=1                    0 skips `coop migrate` (when a job migrates beforehand)
set -eu

SERVICE="${SERVICE:-${1:-}}"
if [ -z "$SERVICE" ]; then
  echo "set SERVICE to one of: membership billing declarations resources governance gateway" >&2
  exit 64
fi
cd "$(dirname "$0")/.."
if [ ! -f "services/$SERVICE/service.py" ]; then
  echo "no service named '$SERVICE' under services/" >&2
  exit 64
fi

log() { printf '{"service": "%s", "entrypoint": "docker-entrypoint", "message": "%s"}\n' "$SERVICE" "$*"; }

if [ "${BROKER_WAIT_SECONDS:-120}" != "0" ]; then
  log "waiting for the broker"
  python - <<'PY'
import os, sys, time
from kombu import Connection

deadline = time.monotonic() + float(os.environ.get("BROKER_WAIT_SECONDS", "120"))
uri = os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
while True:
    try:
        with Connection(uri, connect_timeout=3) as connection:
            connection.connect()
        break
    except Exception as exc:  # refused, DNS not ready, vhost not yet loaded
        if time.monotonic() > deadline:
            sys.exit(f"broker not reachable: {exc}")
        time.sleep(2)
PY
fi

if [ "${MIGRATE:-1}" != "0" ] && [ -f "services/$SERVICE/migrations/env.py" ]; then
  # several instances may start together (--scale): PostgreSQL rolls back the loser's
  # migration transaction and the retry finds the database at head
  attempt=1
  until coop migrate --service "$SERVICE"; do
    if [ "$attempt" -ge 5 ]; then
      log "migration failed $attempt times"
      exit 1
    fi
    sleep "$attempt"
    attempt=$((attempt + 1))
  done
fi

log "starting"
exec nameko run --config "services/$SERVICE/config.yml" "services.$SERVICE.service"
