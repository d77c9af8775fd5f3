"""Service configuration: Nameko YAML with ``${VAR:default}`` substitution."""
import os
from pathlib import Path

import yaml
from nameko.cli.main import setup_yaml_parser

ROOT = Path(__file__).resolve().parent.parent


def config_path(service: str) -> Path:
    return ROOT / "services" / service / "config.yml"


def load_config(path: str | os.PathLike[str]) -> dict:
    setup_yaml_parser()
    with open(path) as handle:
        return yaml.safe_load(handle) or {}


def service_config(service: str) -> dict:
    return load_config(config_path(service))


def db_uri_env(service: str) -> str:
    return f"{service.upper()}_DB_URI"


def default_db_uri(service: str) -> str:
    return os.environ.get(db_uri_env(service), f"sqlite:///var/{service}.db")


def amqp_uri() -> str:
    return os.environ.get("AMQP_URI", "amqp://guest:guest@localhost:5672/")
