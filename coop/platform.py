"""What the operator's command line knows of the platform: its services and their settings."""
import os

from shared.config import ROOT, default_db_uri, service_config

ORDER = ("membership", "billing", "declarations", "resources", "governance", "gateway")
METRICS_PORTS = {"membership": 9101, "billing": 9102, "declarations": 9103,
                 "resources": 9104, "governance": 9105, "gateway": 8000}


def services(include_gateway: bool = True) -> list[str]:
    found = [s for s in ORDER if (ROOT / "services" / s / "service.py").exists()]
    return found if include_gateway else [s for s in found if s != "gateway"]


def has_database(service: str) -> bool:
    return (ROOT / "services" / service / "migrations" / "env.py").exists()


def db_uri(service: str) -> str:
    return default_db_uri(service)


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")


def load_event_schemas() -> None:
    """Import every contract, so the event registry is complete."""
    from shared.contracts import load_all

    load_all()


def config(service: str) -> dict:
    return service_config(service)
