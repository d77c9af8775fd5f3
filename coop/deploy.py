"""Deployment files generated from the platform's own tables.

The broker definitions (vhost, one user per service, subscriber/retry/dead-letter queues,
policies) come from ``shared/topology.py`` and Nameko's RPC naming; the Grafana dashboard
from the list of services. ``write_all`` rewrites them; tests/deploy fails when the committed
copies differ from what these functions produce.
"""
import json
import re
from pathlib import Path

from nameko.rpc import RPC_QUEUE_TEMPLATE, RPC_REPLY_QUEUE_TEMPLATE, get_rpc_exchange

from coop.platform import ORDER
from shared import topology

VHOST = "coop"
RPC_EXCHANGE = get_rpc_exchange({}).name
SERVICES = ORDER
PUBLISHERS = tuple(s for s in ORDER if s != "gateway")  # services with events, outbox, dlq
DEAD_LETTER_LIMIT = 100_000
OPERATOR_USER = "operator"
MONITORING_USER = "monitoring"

DEFINITIONS = Path("deploy/rabbitmq/definitions.json")
K8S_DEFINITIONS = Path("deploy/k8s/rabbitmq/definitions.json")
DASHBOARD = Path("deploy/grafana/dashboards/coop.json")


def password_placeholder(user: str) -> str:
    """Rendered from the environment when the broker starts (deploy/rabbitmq/render-definitions.sh)."""
    return "${" + f"{user.upper()}_AMQP_PASSWORD" + "}"


def _lit(text: str) -> str:
    """A name as a regex matching only itself (names hold letters, digits, '_', '-', '.')."""
    return re.sub(r"([.*+?])", r"\\\1", text)


def _alternatives(patterns) -> str:
    return "^(" + "|".join(patterns) + ")$"


def sources_of(service: str) -> list[str]:
    return sorted({s.source for s in topology.SUBSCRIPTIONS if s.service == service})


def subscribed_types(service: str, source: str) -> list[str]:
    return sorted({s.event_type for s in topology.SUBSCRIPTIONS
                   if s.service == service and s.source == source})


def _own_patterns(service: str) -> list[str]:
    name = _lit(service)
    return [
        _lit(RPC_EXCHANGE),
        _lit(RPC_QUEUE_TEMPLATE.format(service)),
        _lit(RPC_REPLY_QUEUE_TEMPLATE.format(service, "")) + ".+",
        name + r"\..+",  # <service>.events, .dlq, .retry.N, billing.month_end style names
        r"evt-.+--" + name + r"\..+",  # its handler queues, named after the consumer
    ]


def user_permissions(service: str) -> dict:
    """configure/write/read regexes: the service's own names, plus the source exchanges it binds to.

    Nameko declares a handler's source exchange before binding, so ``configure`` and ``read``
    name the exchanges of the services it subscribes to; ``write`` does not, so no service can
    publish another's events. Parking an event goes through the service's own dead-letter
    exchange, so no service needs the default exchange, which reaches every queue by name.
    """
    own = _own_patterns(service)
    sources = [_lit(topology.events_exchange_name(s)) for s in sources_of(service)]
    return {
        "configure": _alternatives(own + sources),
        "write": _alternatives(own),
        "read": _alternatives(own + sources),
    }


def topic_permissions(service: str, vhost: str = VHOST) -> list[dict]:
    """Binding keys a service may use: its subscribed event types, its RPC and reply keys."""
    rules = [{
        "user": service, "vhost": vhost, "exchange": RPC_EXCHANGE, "write": ".*",
        "read": _alternatives([_lit(f"{service}.*"), "[0-9a-f-]{36}"]),
    }]
    for source in sources_of(service):
        rules.append({
            "user": service, "vhost": vhost, "exchange": topology.events_exchange_name(source),
            # a service publishes on its own exchange (billing also consumes its own work events)
            "write": ".*" if source == service else "^$",
            "read": _alternatives(_lit(t) for t in subscribed_types(service, source)),
        })
    return rules


def _queue(name, vhost, arguments) -> dict:
    return {"name": name, "vhost": vhost, "durable": True, "auto_delete": False,
            "arguments": arguments}


def _exchange(name, vhost, kind) -> dict:
    return {"name": name, "vhost": vhost, "type": kind, "durable": True, "auto_delete": False,
            "internal": False, "arguments": {}}


def _binding(source, queue, routing_key, vhost) -> dict:
    return {"source": source, "vhost": vhost, "destination": queue, "destination_type": "queue",
            "routing_key": routing_key, "arguments": {}}


def _policies(service: str, vhost: str) -> list[dict]:
    name = _lit(service)
    return [
        {   # whatever the broker itself dead-letters from a subscriber queue (a quorum queue's
            # delivery limit) lands in the service's dead-letter queue rather than being dropped
            "vhost": vhost, "name": f"{service}-subscribers", "apply-to": "queues", "priority": 1,
            "pattern": r"^evt-.+--" + name + r"\..+$",
            "definition": {"dead-letter-exchange": topology.dead_letter_exchange_name(service),
                           "dead-letter-routing-key": topology.dead_letter_queue_name(service)},
        },
        {   # a runaway dead-letter queue refuses new messages (the handler requeues them)
            # instead of growing without bound or dropping the oldest
            "vhost": vhost, "name": f"{service}-dead-letters", "apply-to": "queues", "priority": 1,
            "pattern": "^" + _lit(topology.dead_letter_queue_name(service)) + "$",
            "definition": {"max-length": DEAD_LETTER_LIMIT, "overflow": "reject-publish"},
        },
    ]


def rabbitmq_definitions(vhost: str = VHOST, queue_type: str = "classic") -> dict:
    """RabbitMQ definitions for the whole platform; ``queue_type`` as services' EVENT_QUEUE_TYPE."""
    config = {"EVENT_QUEUE_TYPE": queue_type}
    arguments = topology.queue_arguments(config)
    users = [{"name": s, "password": password_placeholder(s), "tags": []} for s in SERVICES]
    users.append({"name": OPERATOR_USER, "password": password_placeholder(OPERATOR_USER),
                  "tags": ["administrator"]})
    users.append({"name": MONITORING_USER, "password": password_placeholder(MONITORING_USER),
                  "tags": ["monitoring"]})
    permissions = [{"user": s, "vhost": vhost, **user_permissions(s)} for s in SERVICES]
    permissions.append({"user": OPERATOR_USER, "vhost": vhost,
                        "configure": ".*", "write": ".*", "read": ".*"})
    permissions.append({"user": MONITORING_USER, "vhost": vhost,
                        "configure": "^$", "write": "^$", "read": "^$"})

    exchanges = [_exchange(RPC_EXCHANGE, vhost, "topic")]
    queues, bindings, policies = [], [], []
    for service in PUBLISHERS:
        exchanges.append(_exchange(topology.events_exchange_name(service), vhost, "topic"))
        queues.append(_queue(topology.dead_letter_queue_name(service), vhost, arguments))
        exchanges.append(_exchange(topology.dead_letter_exchange_name(service), vhost, "fanout"))
        bindings.append(_binding(topology.dead_letter_exchange_name(service),
                                 topology.dead_letter_queue_name(service), "", vhost))
        for level, delay in enumerate(topology.retry_delays({})):
            name = topology.retry_exchange_name(service, level)
            exchanges.append(_exchange(name, vhost, "fanout"))
            queues.append(_queue(name, vhost, {"x-message-ttl": int(delay * 1000),
                                               "x-dead-letter-exchange": ""}))
            bindings.append(_binding(name, name, "", vhost))
        policies.extend(_policies(service, vhost))
    for sub in topology.SUBSCRIPTIONS:
        queues.append(_queue(sub.queue, vhost, arguments))
        bindings.append(_binding(topology.events_exchange_name(sub.source), sub.queue,
                                 sub.event_type, vhost))
    return {
        "vhosts": [{"name": vhost}],
        "users": users,
        "permissions": permissions,
        "topic_permissions": [rule for s in SERVICES for rule in topic_permissions(s, vhost)],
        "exchanges": exchanges,
        "queues": queues,
        "bindings": bindings,
        "policies": policies,
        "parameters": [],
        "global_parameters": [],
    }


# ---- Grafana ---------------------------------------------------------------------------------

def _panel(title, targets, x, y, w=12, h=8, unit="short"):
    return {
        "type": "timeseries", "title": title, "datasource": {"type": "prometheus", "uid": "prometheus"},
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend,
                     "datasource": {"type": "prometheus", "uid": "prometheus"}}
                    for i, (expr, legend) in enumerate(targets)],
    }


def _row(title, y):
    return {"type": "row", "title": title, "collapsed": False, "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
            "panels": []}


def grafana_dashboard() -> dict:
    """The cooperative's dashboard: RPC per service, events, outbox, month-end, business counters."""
    rpc = [s for s in SERVICES if s != "gateway"]
    panels = [_row("Services", 0)]
    panels.append(_panel("RPC latency p99 by service", [
        (f"histogram_quantile(0.99, sum by (le) (rate({s}_rpc_request_latency_seconds_bucket[5m])))", s)
        for s in rpc] + [
        ("histogram_quantile(0.99, sum by (le) (rate(gateway_http_request_latency_seconds_bucket[5m])))",
         "gateway (HTTP)")], 0, 1, unit="s"))
    panels.append(_panel("RPC calls per second by service", [
        (f"sum(rate({s}_rpc_requests_total[5m]))", s) for s in rpc] + [
        ("sum(rate(gateway_http_requests_total[5m]))", "gateway (HTTP)")], 12, 1, unit="reqps"))
    panels.append(_panel("RPC errors per second by service and error", [
        ("sum by (service, error) (rate(coop_rpc_errors_total[5m]))", "{{service}} {{error}}"),
        ('sum(rate(gateway_http_requests_total{status_code=~"5.."}[5m]))', "gateway HTTP 5xx")],
        0, 9, unit="reqps"))
    panels.append(_panel("Instances up", [("sum by (job) (up)", "{{job}}")], 12, 9))
    panels.append(_row("Events", 17))
    panels.append(_panel("Events handled per type", [
        ("sum by (service, event_type, outcome) (rate(coop_events_handled_total[5m]))",
         "{{service}} {{event_type}} {{outcome}}")], 0, 18, w=24, unit="ops"))
    panels.append(_panel("Outbox backlog", [
        ("max by (service) (coop_outbox_backlog)", "{{service}} backlog")], 0, 26))
    panels.append(_panel("Oldest unpublished event", [
        ("max by (service) (coop_outbox_oldest_age_seconds)", "{{service}}")], 12, 26, unit="s"))
    panels.append(_panel("Dead letters", [
        ("max by (service) (coop_dead_letter_depth)", "{{service}} waiting"),
        ("sum by (service) (increase(coop_dead_lettered_total[1h]))", "{{service}} parked in the last hour")],
        0, 34, w=24))
    panels.append(_row("Month-end and business", 42))
    panels.append(_panel("Month-end progress (chunks)", [
        ("max(coop_month_end_chunks_pending)", "pending"),
        ("sum(rate(coop_month_end_chunks_done_total[5m])) * 60", "done per minute")], 0, 43))
    panels.append(_panel("Invoices issued per hour", [
        ("sum(increase(coop_invoices_issued_total[1h]))", "invoices")], 12, 43))
    panels.append(_panel("Amount invoiced per hour (EUR)", [
        ("sum(increase(coop_invoiced_amount_total[1h]))", "EUR")], 0, 51, unit="currencyEUR"))
    panels.append(_panel("Bookings per hour by status", [
        ("sum by (status) (increase(coop_bookings_total[1h]))", "{{status}}")], 12, 51))
    panels.append(_panel("Votes cast per hour", [
        ("sum by (kind) (increase(coop_votes_cast_total[1h]))", "{{kind}}")], 0, 59))
    for number, panel in enumerate(panels, start=1):
        panel["id"] = number
    return {
        "uid": "coop-platform", "title": "Cooperative platform", "tags": ["coop"],
        "timezone": "utc", "schemaVersion": 39, "version": 1, "editable": True,
        "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": []}, "templating": {"list": []}, "panels": panels,
    }


# ---- files -------------------------------------------------------------------------------------

def _dump(data: dict) -> str:
    return json.dumps(data, indent=2) + "\n"


def generated_files() -> dict[Path, str]:
    """Relative path -> content of every generated deployment file."""
    return {
        DEFINITIONS: _dump(rabbitmq_definitions(queue_type="classic")),
        K8S_DEFINITIONS: _dump(rabbitmq_definitions(queue_type="quorum")),
        DASHBOARD: _dump(grafana_dashboard()),
    }


def stale_files(root) -> list[Path]:
    root = Path(root)
    return [path for path, text in generated_files().items()
            if not (root / path).exists() or (root / path).read_text() != text]


def write_all(root) -> list[Path]:
    """Write every generated file under ``root``; returns the paths written."""
    root = Path(root)
    written = []
    for path, text in generated_files().items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        written.append(target)
    return written
