"""Contracts the whole platform relies on: the event catalogue, the subscription table, and
one contract per event and RPC answer read alike by the publisher, the consumers and the gateway."""
import importlib
import inspect
import json

from coop import platform
from shared import topology
from shared.asyncapi import catalog
from shared.config import ROOT
from shared.contracts import REGISTRY, Event, make_envelope, taking
from shared.events import ReliableEventHandler
from shared.schemas import load


def test_event_catalogue_in_docs_is_up_to_date():
    platform.load_event_schemas()
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    current = json.loads(json.dumps(catalog(platform.services())))
    assert committed == current, "run `coop events catalog` and commit docs/asyncapi.json"


def test_every_event_handler_is_in_the_subscription_table():
    known = {(s.source, s.event_type, s.service, s.handler) for s in topology.SUBSCRIPTIONS}
    for service in platform.services(include_gateway=False):
        module = importlib.import_module(f"services.{service}.service")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if getattr(cls, "name", None) != service:
                continue
            for method_name, method in inspect.getmembers(cls, inspect.isfunction):
                for entrypoint in getattr(method, "nameko_entrypoints", ()):
                    if isinstance(entrypoint, ReliableEventHandler):
                        assert (entrypoint.source_service, entrypoint.event_type, service,
                                method_name) in known, f"{service}.{method_name} is not in shared/topology.py"


def test_event_data_carries_no_personal_data():
    personal = {"first_name", "last_name", "full_name", "email", "national_number", "niss", "iban",
                "address", "phone", "birth_date", "password"}
    platform.load_event_schemas()
    for (source, name), registered in REGISTRY.items():
        leaked = personal & set(registered.schema._declared_fields)
        assert not leaked, f"{source}.{name} carries personal data: {leaked}"


# ---- one contract, three readers: the publisher, every consumer, the gateway ----

def _event_handlers():
    """(service, method name, entrypoint) of every reliable event handler of every service."""
    for service in platform.services(include_gateway=False):
        module = importlib.import_module(f"services.{service}.service")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if getattr(cls, "name", None) != service:
                continue
            for method_name, method in inspect.getmembers(cls, inspect.isfunction):
                for entrypoint in getattr(method, "nameko_entrypoints", ()):
                    if isinstance(entrypoint, ReliableEventHandler):
                        yield service, method_name, entrypoint


def test_every_published_event_type_has_an_example_its_publisher_accepts():
    platform.load_event_schemas()
    services = platform.services(include_gateway=False)
    for (source, name), registered in REGISTRY.items():
        if source not in services:  # a test's own probe
            continue
        assert registered.example is not None, f"{source}.{name} has no example"
        envelope = make_envelope(source, name, registered.example)
        assert envelope["data"] == registered.example, f"{source}.{name}: the example is not as on the wire"


def test_every_consumer_loads_every_published_example_with_the_fields_it_takes():
    """A consumer reads an event with its publisher's contract, restricted to the fields it names
    (``takes=``); a handler that names none is given the whole contract."""
    platform.load_event_schemas()
    handlers = {(e.source_service, e.event_type, service, name): e for service, name, e in _event_handlers()}
    loaded = 0
    for sub in topology.SUBSCRIPTIONS:
        entrypoint = handlers[(sub.source, sub.event_type, sub.service, sub.handler)]
        example = REGISTRY[(sub.source, sub.event_type)].example
        data = load(taking(sub.source, sub.event_type, entrypoint.takes), example)
        if entrypoint.takes:
            assert set(data) == set(entrypoint.takes) & set(example), f"{sub.service}.{sub.handler}"
            envelope = make_envelope(sub.source, sub.event_type, example)
            event = Event.from_envelope(envelope, entrypoint.contract)
            assert event.load() == data
        loaded += 1
    assert loaded == len(topology.SUBSCRIPTIONS) >= 30


def test_a_consumer_cannot_take_a_field_its_publisher_does_not_publish():
    import pytest

    with pytest.raises(ValueError):
        taking("billing", "invoice_issued", ("invoice_id", "client_name"))


def test_a_consumer_ignores_fields_a_later_version_of_the_event_adds():
    example = {**REGISTRY[("billing", "month_closed")].example, "closed_by": "staff"}
    assert load(taking("billing", "month_closed", ("period",)), example) == {"period": "2026-11"}


def test_the_declarations_consumer_keeps_the_rules_it_read_billing_events_with():
    """The checks declarations made in its own copy of billing's schemas are now the contract's."""
    from shared.errors import ValidationError

    payout = REGISTRY[("billing", "salary_payout_approved")].example
    for source, name, bad in (
            ("billing", "salary_payout_approved", {**payout, "worker_category": "pilot"}),
            ("billing", "month_closed", {"run_id": payout["payout_id"], "period": "2026-13",
                                         "activities": 1})):
        try:
            load(taking(source, name), bad)
        except ValidationError:
            continue
        raise AssertionError(f"{source}.{name} accepted {bad}")


GATEWAY_OWN = {"Token"}  # the gateway's tokens


def _routes():
    from services.gateway.api import ApiRoute
    from services.gateway.service import GatewayService

    for name, method in inspect.getmembers(GatewayService, inspect.isfunction):
        for route in getattr(method, "nameko_entrypoints", ()):
            if isinstance(route, ApiRoute) and route.url.startswith("/api/") \
                    and route.content_type == "application/json" and name != "openapi":
                yield name, method, route


def _schema_class(schema):
    return schema if isinstance(schema, type) else type(schema)


def test_every_gateway_response_is_documented_by_a_service_contract():
    for name, _, route in _routes():
        assert route.response_schema is not None, f"{name} documents no response"
        cls = _schema_class(route.response_schema)
        assert cls.__module__.startswith("shared.contracts.") or cls.__name__ in GATEWAY_OWN, \
            f"{name} documents its answer with {cls.__module__}.{cls.__name__}, not a contract"


def test_the_api_document_allows_no_undeclared_field_in_any_answer():
    from services.gateway.openapi import build_spec
    from services.gateway.service import GatewayService

    open_objects = []

    def walk(node, where):
        if isinstance(node, dict):
            if "properties" in node and node.get("additionalProperties") is not False:
                open_objects.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    document = build_spec(GatewayService)
    walk(document["components"]["schemas"], "#/components/schemas")
    walk(document["paths"], "#/paths")
    assert not open_objects, open_objects
    assert "INCLUDE" not in json.dumps(document)


def _source_names(cls, method_name, seen=None) -> str:
    """The source of a method and of the ``self._helpers`` it calls, with the module constants
    it uses spelled out (``MEMBER_OUT = contract.MemberOut()``)."""
    import re

    seen = seen if seen is not None else set()
    if method_name in seen or not hasattr(cls, method_name):
        return ""
    seen.add(method_name)
    source = inspect.getsource(getattr(cls, method_name))
    module = inspect.getmodule(cls)
    for constant in set(re.findall(r"\b([A-Z][A-Z_]+)\b", source)):
        value = getattr(module, constant, None)
        if value is not None and not isinstance(value, (str, tuple, int, dict)):
            source += f"\n{constant} = {type(value).__name__}"
    for helper in set(re.findall(r"self\.(_\w+)\(", source)):
        source += _source_names(cls, helper, seen)
    return source


def test_every_rpc_answer_a_gateway_route_returns_is_dumped_by_the_contract_it_documents():
    """The route documents contract X; the service method it calls dumps its answer with X."""
    import re

    from services.gateway.routes.declarations import RETURNS
    from services.gateway.service import GatewayService

    services = {}
    for service in platform.services(include_gateway=False):
        module = importlib.import_module(f"services.{service}.service")
        services[service] = next(c for _, c in inspect.getmembers(module, inspect.isclass)
                                 if getattr(c, "name", None) == service)
    dynamic = {"open_return": [("declarations", method) for method in RETURNS.values()]}
    # the parameter routes ask the owning service, named by the parameter; every owner answers
    # through the same entrypoints (shared.parameters.ParameterEntrypoints)
    dynamic.update({method: [("billing", method)]
                    for method in ("list_parameters", "get_parameter", "set_parameter")})
    checked = 0
    for name, _, route in _routes():
        cls = _schema_class(route.response_schema)
        if cls.__name__ in GATEWAY_OWN:
            continue
        call = r"self\.(membership|billing|declarations|resources|governance)\.(\w+)\b"
        # the route's last call answers (the first ones check ownership), else its helper's
        calls = dynamic.get(name) or re.findall(call, inspect.getsource(getattr(GatewayService, name))) \
            or re.findall(call, _source_names(GatewayService, name))
        assert calls, f"{name} calls no service"
        service, method = calls[-1]
        source = _source_names(services[service], method)
        assert re.search(rf"\b{cls.__name__}\b", source), \
            f"{name}: {service}.{method} does not dump its answer with {cls.__name__}"
        checked += 1
    assert checked >= 80
