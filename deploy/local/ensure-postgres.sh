#!/usr/bin/env bash
# Make sure PostgreSQL answers on 127.0.0.1:5432 when it is installed locally. Exit 0 if it
# does, 2 if there is no PostgreSQL to start (the tests then run on SQLite only, loudly).
set -u
port_open() { python3 -c "import socket,sys; s=socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', 5432)))"; }
port_open && exit 0
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
  done
elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  docker compose up -d postgres
fi
for _ in $(seq 1 30); do port_open && exit 0; sleep 1; done
exit 2
