#!/usr/bin/env bash
# Make sure a RabbitMQ broker answers on 127.0.0.1:5672 (with the management API the tests use).
set -u
port_open() { python3 -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', $1)))"; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done; return 1; }

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null 2>&1; then
    echo "starting the local rabbitmq-server"
    rabbitmq-server -detached >/dev/null 2>&1 || true
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    echo "starting RabbitMQ with docker compose"
    docker compose up -d rabbitmq
  else
    cat >&2 <<'MSG'
RabbitMQ is not reachable on 127.0.0.1:5672 and cannot be started here.
Install it, then run this command again:
  Debian/Ubuntu:  sudo apt-get install rabbitmq-server && sudo rabbitmq-plugins enable rabbitmq_management
  macOS:          brew install rabbitmq && brew services start rabbitmq
  or Docker:      install Docker Engine with the compose plugin (docker compose up -d rabbitmq)
MSG
    exit 1
  fi
  wait_port 5672 || { echo "RabbitMQ did not come up on 5672" >&2; exit 1; }
fi
if ! port_open 15672 && command -v rabbitmq-plugins >/dev/null 2>&1; then
  rabbitmq-plugins enable rabbitmq_management >/dev/null 2>&1 || true
  wait_port 15672 || echo "warning: the RabbitMQ management API (15672) is not up; tests need it" >&2
fi
exit 0
