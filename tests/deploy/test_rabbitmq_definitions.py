"""deploy/rabbitmq/definitions.json: queues declared ahead, and each service's user limited to
its own queues and exchanges (checked here with the regexes, and in test_rabbitmq_live.py
against the real broker)."""
import json
import re
import uuid

import pytest

from coop.platform import ORDER
from shared import topology
from tests.deploy.conftest import DEPLOY

SERVICES = ORDER
PUBLISHERS = [s for s in ORDER if s != "gateway"]
PLACEHOLDER = re.compile(r"^\$\{[A-Z_]+_AMQP_PASSWORD\}$")


def owned_names(service: str) -> dict[str, set[str]]:
    """Queues and exchanges a service uses as its own, derived from the topology and Nameko's names."""
    queues = {sub.queue for sub in topology.SUBSCRIPTIONS if sub.service == service}
    queues |= {f"rpc-{service}", f"rpc.reply-{service}-{uuid.uuid4()}"}
    exchanges = set()
    if service in PUBLISHERS:
        queues |= {topology.dead_letter_queue_name(service)}
        queues |= {topology.retry_exchange_name(service, level) for level in range(3)}
        exchanges |= {topology.events_exchange_name(service)}
        exchanges |= {topology.retry_exchange_name(service, level) for level in range(3)}
    if service == "billing":
        queues.add("billing.month_end")  # month-end work queue, declared by billing itself
    return {"queues": queues, "exchanges": exchanges}


def permission(definitions, user: str) -> dict:
    (found,) = [p for p in definitions["permissions"] if p["user"] == user]
    return found


def allowed(regex: str, name: str) -> bool:
    # RabbitMQ matches permission regexes unanchored (re:run), as re.search does
    return re.search(regex, name) is not None


def test_one_vhost_and_one_user_per_service_with_placeholder_passwords(definitions):
    assert definitions["vhosts"] == [{"name": "coop"}]
    users = {u["name"]: u for u in definitions["users"]}
    assert set(users) == set(SERVICES) | {"operator", "monitoring"}
    for user in users.values():
        assert PLACEHOLDER.match(user["password"]), f"{user['name']} has a literal password"
        assert "password_hash" not in user
    assert users["operator"]["tags"] == ["administrator"]
    assert all(users[s]["tags"] == [] for s in SERVICES)
    assert {p["vhost"] for p in definitions["permissions"]} == {"coop"}


def test_every_subscriber_queue_is_declared_durable_and_bound_to_its_source(definitions):
    queues = {q["name"]: q for q in definitions["queues"]}
    bindings = {(b["source"], b["destination"], b["routing_key"]) for b in definitions["bindings"]}
    assert len(topology.SUBSCRIPTIONS) > 0
    for sub in topology.SUBSCRIPTIONS:
        queue = queues[sub.queue]
        assert queue["durable"] and not queue["auto_delete"]
        assert (f"{sub.source}.events", sub.queue, sub.event_type) in bindings


@pytest.mark.parametrize("queue_type,path", [("classic", DEPLOY / "rabbitmq" / "definitions.json"),
                                             ("quorum", DEPLOY / "k8s" / "rabbitmq" / "definitions.json")])
def test_queues_are_declared_with_the_arguments_services_declare_them_with(queue_type, path):
    """A mismatch would make the broker refuse the service's own declaration (PRECONDITION_FAILED)."""
    definitions = json.loads(path.read_text())
    queues = {q["name"]: q["arguments"] for q in definitions["queues"]}
    config = {"EVENT_QUEUE_TYPE": queue_type}
    for sub in topology.SUBSCRIPTIONS:
        declared = topology.handler_queue(sub.source, sub.event_type, sub.service, sub.handler, config)
        assert queues[sub.queue] == declared.queue_arguments
    for service in PUBLISHERS:
        assert queues[f"{service}.dlq"] == topology.queue_arguments(config)
        assert queues[f"{service}.dlq"] == ({"x-queue-type": "quorum"} if queue_type == "quorum" else {})


def test_retry_queues_wait_1_5_and_30_seconds_then_return_through_the_default_exchange(definitions):
    queues = {q["name"]: q for q in definitions["queues"]}
    exchanges = {e["name"]: e for e in definitions["exchanges"]}
    for service in PUBLISHERS:
        for level, ttl in enumerate([1000, 5000, 30000]):
            name = f"{service}.retry.{level}"
            assert queues[name]["arguments"] == {"x-message-ttl": ttl, "x-dead-letter-exchange": ""}
            assert exchanges[name]["type"] == "fanout"
        assert exchanges[f"{service}.events"]["type"] == "topic"
        assert exchanges[f"{service}.events"]["durable"]


def test_every_subscriber_queue_dead_letters_into_its_consumers_dead_letter_queue(definitions):
    policies = definitions["policies"]
    for sub in topology.SUBSCRIPTIONS:
        matching = [p for p in policies if re.search(p["pattern"], sub.queue)]
        assert len(matching) == 1, (sub.queue, matching)
        assert matching[0]["definition"] == {"dead-letter-exchange": f"{sub.service}.dlx",
                                             "dead-letter-routing-key": f"{sub.service}.dlq"}
    for service in PUBLISHERS:
        (bound,) = [p for p in policies if re.search(p["pattern"], f"{service}.dlq")]
        assert bound["definition"] == {"max-length": 100000, "overflow": "reject-publish"}


def test_each_dead_letter_exchange_leads_to_its_own_dead_letter_queue_only(definitions):
    exchanges = {e["name"]: e for e in definitions["exchanges"]}
    for service in PUBLISHERS:
        assert exchanges[f"{service}.dlx"]["type"] == "fanout"
        bound = [b["destination"] for b in definitions["bindings"] if b["source"] == f"{service}.dlx"]
        assert bound == [f"{service}.dlq"]


def test_no_service_may_write_through_the_default_exchange(definitions):
    for permission in definitions["permissions"]:
        if permission["user"] in SERVICES:
            assert not re.search(permission["write"], "amq.default"), permission["user"]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_user_may_configure_write_and_read_its_own_queues_and_exchanges(definitions, service):
    rights = permission(definitions, service)
    owned = owned_names(service)
    for name in owned["queues"] | owned["exchanges"] | {"nameko-rpc"}:
        for kind in ("configure", "write", "read"):
            assert allowed(rights[kind], name), f"{service} may not {kind} {name}"


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_user_may_not_touch_another_services_queues(definitions, service):
    rights = permission(definitions, service)
    sources = {f"{sub.source}.events" for sub in topology.SUBSCRIPTIONS if sub.service == service}
    for other in SERVICES:
        if other == service:
            continue
        owned = owned_names(other)
        for name in owned["queues"]:
            for kind in ("configure", "write", "read"):
                assert not allowed(rights[kind], name), f"{service} may {kind} {other}'s queue {name}"
        for name in owned["exchanges"]:
            assert not allowed(rights["write"], name), f"{service} may publish to {name}"
            if name not in sources:  # binding to a source needs read (and Nameko declares it)
                assert not allowed(rights["configure"], name), f"{service} may configure {name}"
                assert not allowed(rights["read"], name), f"{service} may bind to {name}"


def test_a_subscriber_binds_only_the_event_types_it_handles(definitions):
    rules = {(r["user"], r["exchange"]): r for r in definitions["topic_permissions"]}
    billing = rules[("billing", "membership.events")]
    assert allowed(billing["read"], "member_admitted")
    assert not allowed(billing["read"], "shares_subscribed")  # nobody handles it
    assert not allowed(billing["read"], "#")
    assert billing["write"] == "^$"
    rpc = rules[("billing", "nameko-rpc")]
    assert allowed(rpc["read"], "billing.*") and allowed(rpc["read"], str(uuid.uuid4()))
    assert not allowed(rpc["read"], "membership.*") and not allowed(rpc["read"], "#")


def test_monitoring_may_read_queue_lengths_but_not_messages(definitions):
    rights = permission(definitions, "monitoring")
    assert not any(allowed(rights[k], "billing.month_end") for k in ("configure", "write", "read"))


@pytest.mark.parametrize("service", PUBLISHERS)
def test_services_retry_with_the_delays_the_definitions_declare(service, monkeypatch):
    """A service whose EVENT_RETRY_DELAYS differ would be refused its retry queues (TTL mismatch)."""
    from shared.config import ROOT, service_config

    if not (ROOT / "services" / service / "config.yml").exists():
        pytest.skip(f"services/{service} is not there yet")
    monkeypatch.delenv("EVENT_RETRY_DELAYS", raising=False)
    monkeypatch.delenv("EVENT_QUEUE_TYPE", raising=False)
    config = service_config(service)
    assert topology.retry_delays(config) == [1.0, 5.0, 30.0]
    assert topology.queue_arguments(config) == {}  # classic unless EVENT_QUEUE_TYPE=quorum
