"""Container health: the service answers on its HTTP port (GET /metrics)."""
import os
import sys
import urllib.request

PORTS = {"membership": 9101, "billing": 9102, "declarations": 9103,
         "resources": 9104, "governance": 9105, "gateway": 8000}


def port(service: str) -> int:
    variable = "GATEWAY_PORT" if service == "gateway" else f"{service.upper()}_METRICS_PORT"
    return int(os.environ.get(variable, PORTS[service]))


if __name__ == "__main__":
    service = os.environ["SERVICE"]
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port(service)}/metrics", timeout=4) as reply:
            sys.exit(0 if reply.status == 200 else 1)
    except OSError as exc:
        print(f"{service} unhealthy: {exc}", file=sys.stderr)
        sys.exit(1)
