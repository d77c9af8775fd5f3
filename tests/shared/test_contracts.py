"""Contracts the whole platform relies on: the event catalogue and the subscription table."""
import importlib
import inspect
import json

from coop import platform
from shared import topology
from shared.asyncapi import catalog
from shared.config import ROOT
from shared.contracts import REGISTRY
from shared.events import ReliableEventHandler


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
