#!/bin/sh
# Render definitions.json with the users' passwords from the environment, then start RabbitMQ.
#   render-definitions.sh TEMPLATE OUTPUT [command...]
# Every ${NAME_AMQP_PASSWORD} placeholder must be set; the rendered file is readable by
# RabbitMQ only. Passwords go into JSON strings and AMQP URIs: use URL-safe characters.
set -eu
template="$1"
output="$2"
shift 2

missing="$(grep -o '\${[A-Z_]*}' "$template" | sort -u | tr -d '${}' | while read -r name; do
  printenv "$name" >/dev/null || echo "$name"; done)"
if [ -n "$missing" ]; then
  echo "render-definitions.sh: set $(echo $missing)" >&2
  exit 1
fi
umask 077
perl -pe 's/\$\{([A-Z_]+)\}/$ENV{$1}/g' "$template" > "$output.tmp"
mv "$output.tmp" "$output"
if [ "$(id -u)" = "0" ] && id rabbitmq >/dev/null 2>&1; then
  chown rabbitmq:rabbitmq "$output"
fi
[ "$#" -eq 0 ] || exec "$@"
