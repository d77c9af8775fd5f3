"""Deployment tests: the files under deploy/ and docker-compose.yml, checked against the code
and, where this machine allows it (no Docker engine here), against the real broker, database
and running services."""
import json
import re
from pathlib import Path

import pytest
import yaml

from shared.config import ROOT

DEPLOY = ROOT / "deploy"


def load_yaml(path: Path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def load_all_yaml(path: Path) -> list:
    with open(path) as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


COMPOSE_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}")


def env_example() -> dict[str, str]:
    pairs = [line.split("=", 1) for line in (DEPLOY / "env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return {key.strip(): value.strip() for key, value in pairs}


def interpolate(text: str, env: dict[str, str]) -> str:
    """Docker compose's ${VAR}, ${VAR:?error} and ${VAR:-default}; a missing required one raises."""
    def value(match):
        name, kind, rest = match.groups()
        if env.get(name):
            return env[name]
        if kind == "-":
            return rest
        raise KeyError(f"{name} is required: {rest}")

    return COMPOSE_VARIABLE.sub(value, text)


@pytest.fixture(scope="session")
def compose() -> dict:
    return load_yaml(ROOT / "docker-compose.yml")


@pytest.fixture(scope="session")
def compose_resolved() -> dict:
    """The compose file as docker compose sees it with deploy/env.example copied to .env."""
    text = (ROOT / "docker-compose.yml").read_text()
    return yaml.safe_load(interpolate(text, env_example()))


@pytest.fixture(scope="session")
def definitions() -> dict:
    return json.loads((DEPLOY / "rabbitmq" / "definitions.json").read_text())
