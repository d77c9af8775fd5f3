"""docker-compose.yml (no Docker engine here: the file is checked, not run)."""
from urllib.parse import urlparse

import pytest

from coop.platform import ORDER
from shared.config import ROOT
from tests.deploy.conftest import COMPOSE_VARIABLE, DEPLOY, env_example

SERVICES = ORDER
WITH_DATABASE = [s for s in ORDER if s != "gateway"]
PUBLISHED = {"gateway": "8000:8000", "grafana": "3000:3000", "prometheus": "9090:9090",
             "rabbitmq": "15672:15672"}


def test_the_whole_platform_is_there(compose):
    assert set(compose["services"]) == set(SERVICES) | {"rabbitmq", "postgres", "prometheus", "grafana", "coop"}
    assert compose["services"]["coop"]["profiles"] == ["tools"]  # the CLI, run on demand
    for name in SERVICES:
        service = compose["services"][name]
        assert service["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
        assert service["environment"]["SERVICE"] == name
        assert service["environment"]["EVENT_QUEUE_TYPE"] == "classic"
        assert service["environment"]["DECLARE_ALL_SUBSCRIBER_QUEUES"] == "false"


def test_every_container_has_a_health_check(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck")
        assert check and check["test"] and not check.get("disable"), f"{name} has no health check"


def test_only_the_entry_points_for_people_publish_host_ports(compose):
    """`docker compose up --scale billing=4`: no instance of a service binds a fixed host port."""
    for name, service in compose["services"].items():
        assert "container_name" not in service, name
        assert service.get("ports", []) == ([PUBLISHED[name]] if name in PUBLISHED else []), name


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_its_own_broker_user_on_the_coop_vhost(compose, compose_resolved, name):
    raw = compose["services"][name]["environment"]["AMQP_URI"]
    assert "${" + name.upper() + "_AMQP_PASSWORD:?" in raw
    uri = urlparse(compose_resolved["services"][name]["environment"]["AMQP_URI"])
    assert (uri.username, uri.hostname, uri.port, uri.path) == (name, "rabbitmq", 5672, "/coop")
    assert uri.password == env_example()[f"{name.upper()}_AMQP_PASSWORD"]
    rabbitmq_env = compose["services"]["rabbitmq"]["environment"]
    assert f"{name.upper()}_AMQP_PASSWORD" in rabbitmq_env


@pytest.mark.parametrize("name", WITH_DATABASE)
def test_each_service_has_its_own_database_and_login(compose, compose_resolved, name):
    assert "${" + name.upper() + "_DB_PASSWORD:?" in compose["services"][name]["environment"][f"{name.upper()}_DB_URI"]
    env = compose_resolved["services"][name]["environment"]
    uri = urlparse(env[f"{name.upper()}_DB_URI"])
    assert (uri.scheme, uri.username, uri.hostname, uri.port, uri.path) == (
        "postgresql", name, "postgres", 5432, f"/{name}")
    assert uri.password == env_example()[f"{name.upper()}_DB_PASSWORD"]
    assert f"{name.upper()}_DB_PASSWORD" in compose["services"]["postgres"]["environment"]
    others = [v for k, v in env.items() if k.endswith("_DB_URI") and k != f"{name.upper()}_DB_URI"]
    assert others == []


def test_the_postgres_init_script_creates_every_services_database(compose):
    volumes = compose["services"]["postgres"]["volumes"]
    assert "./deploy/postgres/init.sh:/docker-entrypoint-initdb.d/10-coop.sh:ro" in volumes
    script = (DEPLOY / "postgres" / "init.sh").read_text()
    assert " ".join(WITH_DATABASE) in script


def test_rabbitmq_loads_the_rendered_definitions(compose):
    rabbitmq = compose["services"]["rabbitmq"]
    assert rabbitmq["image"].endswith("-management")
    assert rabbitmq["entrypoint"][:3] == [
        "/etc/rabbitmq/coop/render-definitions.sh", "/etc/rabbitmq/coop/definitions.json",
        "/var/lib/rabbitmq/coop-definitions.json"]
    conf = (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text()
    assert "definitions.local.path = /var/lib/rabbitmq/coop-definitions.json" in conf
    for user in SERVICES + ("operator", "monitoring"):
        assert f"{user.upper()}_AMQP_PASSWORD" in rabbitmq["environment"]


def test_the_operator_cli_uses_the_operator_user_and_every_database(compose_resolved):
    env = compose_resolved["services"]["coop"]["environment"]
    assert urlparse(env["AMQP_URI"]).username == "operator"
    assert {f"{s.upper()}_DB_URI" for s in WITH_DATABASE} <= set(env)


def test_no_secret_is_written_in_the_compose_file(compose):
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if "PASSWORD" in key or "SECRET" in key:
                assert str(value).startswith("${") and ":?" in str(value), f"{name}.{key}"


def test_services_start_after_the_broker_and_database_are_healthy(compose):
    for name in SERVICES + ("coop",):
        depends = compose["services"][name]["depends_on"]
        assert depends["rabbitmq"]["condition"] == "service_healthy"
        assert depends["postgres"]["condition"] == "service_healthy"


def test_prometheus_and_grafana_read_the_committed_configuration(compose):
    assert "./deploy/prometheus:/etc/prometheus:ro" in compose["services"]["prometheus"]["volumes"]
    grafana = compose["services"]["grafana"]["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana


def test_env_example_names_every_variable_the_compose_file_requires():
    required = {m.group(1) for m in COMPOSE_VARIABLE.finditer((ROOT / "docker-compose.yml").read_text())
                if m.group(2) == "?"}
    example = env_example()
    assert required == set(example)
    assert all(value.startswith("change-me") for value in example.values())
