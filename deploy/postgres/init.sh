#!/bin/sh
# One database and one login per service, each database reachable only by its owner.
# Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d).
# Passwords come from the environment: MEMBERSHIP_DB_PASSWORD, BILLING_DB_PASSWORD, ...
set -eu

for service in ${COOP_DATABASES:-membership billing declarations resources governance}; do
  variable="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="$(printenv "$variable" || true)"
  if [ -z "$password" ]; then
    echo "init.sh: $variable is not set" >&2
    exit 1
  fi
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"service" TO :"service";
\connect :"service"
REVOKE ALL ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO :"service";
SQL
done
