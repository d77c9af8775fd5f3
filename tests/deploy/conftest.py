"""Deployment tests: the files under deploy/ and docker-compose.yml, checked against the code
and, where this machine allows it (no Docker engine here), against the real broker, database
and running services."""
import json
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


@pytest.fixture(scope="session")
def compose() -> dict:
    return load_yaml(ROOT / "docker-compose.yml")


@pytest.fixture(scope="session")
def definitions() -> dict:
    return json.loads((DEPLOY / "rabbitmq" / "definitions.json").read_text())
