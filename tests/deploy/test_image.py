"""deploy/Dockerfile and its entrypoint: the command line the image runs starts each service here."""
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from coop.platform import METRICS_PORTS
from shared.config import ROOT
from shared.testing import free_port, wait_until
from tests.deploy.conftest import DEPLOY

ENTRYPOINT = DEPLOY / "docker-entrypoint.sh"


def test_the_image_is_slim_python_311_and_runs_as_a_non_root_user():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim\b", dockerfile, re.M)
    (user,) = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert not user.startswith(("root", "0"))
    assert re.search(r"^RUN pip install \. ", dockerfile, re.M)
    assert 'ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]' in dockerfile
    assert "HEALTHCHECK" in dockerfile


def test_the_build_context_sends_only_code_and_project_file():
    ignore = [line.strip() for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert ignore[0] == "**"
    assert {"!pyproject.toml", "!shared/**", "!services/**", "!coop/**"} <= set(ignore)
    for sources, _ in copies():
        for source in sources:
            assert (ROOT / source).exists(), source
            assert any(source == rule[1:] or f"{source}/".startswith(rule[1:].removesuffix("**"))
                       for rule in ignore if rule.startswith("!")), f"{source} is not in the build context"


def copies() -> list[tuple[list[str], str]]:
    """The Dockerfile's COPY instructions: (sources, destination under WORKDIR /app)."""
    found = []
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, destination = line.split()[1:]
            found.append((sources, destination))
    return found


@pytest.fixture(scope="module")
def image_tree(tmp_path_factory) -> Path:
    """/app as the Dockerfile assembles it, made from the same COPY instructions."""
    app = tmp_path_factory.mktemp("image") / "app"
    app.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for sources, destination in copies():
        for source in sources:
            origin = ROOT / source
            target = app / destination
            if destination.endswith("/") or len(sources) > 1:
                target = target / origin.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=skip, dirs_exist_ok=True)
            else:
                shutil.copy2(origin, target)
    return app


def test_the_healthcheck_probes_the_port_each_service_listens_on():
    sys.path.insert(0, str(DEPLOY))
    try:
        import healthcheck
    finally:
        sys.path.remove(str(DEPLOY))
    assert healthcheck.PORTS == METRICS_PORTS


def _entrypoint_env(service: str, amqp_uri: str, port: int, app: Path = ROOT, **extra) -> dict:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"  # `coop`, `nameko`, `python`
    env["PYTHONPATH"] = str(app)  # as the image sets it: this tree before the installed project
    port_variable = "GATEWAY_PORT" if service == "gateway" else f"{service.upper()}_METRICS_PORT"
    env.update({"SERVICE": service, "AMQP_URI": amqp_uri, port_variable: str(port),
                "BROKER_WAIT_SECONDS": "30"})
    env.update(extra)
    return env


def _run_entrypoint(env, tmp_path, app: Path = ROOT):
    log = open(tmp_path / "entrypoint.log", "wb")  # noqa: SIM115  (the child process writes to it)
    # run from elsewhere: the script finds the project from its own location, as /app in the image
    return subprocess.Popen([str(app / "deploy" / "docker-entrypoint.sh")], env=env, cwd=tmp_path, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait_metrics(process, port, tmp_path):
    def ready():
        if process.poll() is not None:
            raise AssertionError((tmp_path / "entrypoint.log").read_text()[-3000:])
        try:
            return requests.get(f"http://127.0.0.1:{port}/metrics", timeout=1).ok
        except requests.RequestException:
            return False

    wait_until(ready, 60, 0.3, "the service started by the entrypoint did not answer")


def _stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def test_the_entrypoint_migrates_an_empty_database_then_runs_membership(rabbit_config, tmp_path,
                                                                       image_tree):
    """Run from the files the image holds, and only those."""
    database = tmp_path / "membership.db"
    port = free_port()
    env = _entrypoint_env("membership", rabbit_config["AMQP_URI"], port, image_tree,
                          MEMBERSHIP_DB_URI=f"sqlite:///{database}")
    process = _run_entrypoint(env, tmp_path, image_tree)
    try:
        _wait_metrics(process, port, tmp_path)
        page = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        assert "membership_rpc_requests_total" in page
        with sqlite3.connect(database) as db:
            assert db.execute("select count(*) from alembic_version").fetchone() == (1,)
    finally:
        # the entrypoint exec'd Nameko: SIGTERM reaches it and it stops cleanly
        assert _stop(process) in (0, -signal.SIGTERM)
    log = (tmp_path / "entrypoint.log").read_text()
    assert "migrated membership" in log


def test_the_image_tree_comes_before_the_installed_project(image_tree):
    env = _entrypoint_env("membership", "", 0, image_tree)
    where = subprocess.run([sys.executable, "-c", "import coop.cli, services, shared; "
                            "print(shared.__file__, services.__file__, coop.cli.__file__)"],
                           env=env, cwd="/", capture_output=True, text=True, check=True).stdout.split()
    assert all(path.startswith(str(image_tree)) for path in where), where


def test_the_entrypoint_runs_the_gateway_without_migrating(rabbit_config, tmp_path, image_tree):
    if not (ROOT / "services" / "gateway" / "service.py").exists():
        pytest.skip("services/gateway is not there yet")
    port = free_port()
    process = _run_entrypoint(_entrypoint_env("gateway", rabbit_config["AMQP_URI"], port, image_tree),
                              tmp_path, image_tree)
    try:
        _wait_metrics(process, port, tmp_path)
    finally:
        _stop(process)
    assert "migrated" not in (tmp_path / "entrypoint.log").read_text()


def test_the_entrypoint_refuses_an_unknown_service(tmp_path):
    env = _entrypoint_env("payroll", "amqp://guest:guest@localhost:5672/", free_port())
    result = subprocess.run([str(ENTRYPOINT)], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 64
    assert "no service named 'payroll'" in result.stderr


def test_the_entrypoint_gives_up_when_the_broker_never_answers(tmp_path):
    env = _entrypoint_env("membership", f"amqp://guest:guest@127.0.0.1:{free_port()}/", free_port(),
                          BROKER_WAIT_SECONDS="3")
    result = subprocess.run([str(ENTRYPOINT)], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0
    assert "broker not reachable" in result.stderr


def test_instances_started_together_share_one_migration(rabbit_config, tmp_path):
    """`--scale billing=4` on an empty PostgreSQL database: every instance comes up. Alembic runs
    collide (a unique violation on the loser's transaction); the entrypoint retries them."""
    from shared.testing import _pg_admin, _pg_uri

    database = f"deploytest_{os.getpid()}_{free_port()}"
    _pg_admin(f'CREATE DATABASE "{database}"')
    processes = []
    try:
        for number in range(4):
            port = free_port()
            workdir = tmp_path / f"instance{number}"
            workdir.mkdir()
            env = _entrypoint_env("membership", rabbit_config["AMQP_URI"], port,
                                  MEMBERSHIP_DB_URI=_pg_uri(database), BROKER_WAIT_SECONDS="0")
            processes.append((_run_entrypoint(env, workdir), port, workdir))
        for process, port, workdir in processes:
            _wait_metrics(process, port, workdir)
    finally:
        for process, _, _ in processes:
            _stop(process)
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _stub(path: Path, body: str):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def test_the_entrypoint_retries_a_collided_migration_then_execs_nameko_run(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    _stub(bin_dir / "coop", f'echo "coop $*" >> {calls}\n'
                            f'[ "$(grep -c migrate {calls})" -ge 3 ] || exit 1\n')
    _stub(bin_dir / "nameko", f'echo "nameko $* (in $(pwd))" >> {calls}\n')
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "SERVICE": "billing", "BROKER_WAIT_SECONDS": "0"}
    result = subprocess.run([str(ENTRYPOINT)], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert calls.read_text().splitlines() == ["coop migrate --service billing"] * 3 + [
        f"nameko run --config services/billing/config.yml services.billing.service (in {ROOT})"]


def test_the_entrypoint_gives_up_after_five_failed_migrations(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _stub(bin_dir / "coop", "exit 1\n")
    _stub(bin_dir / "nameko", f"touch {tmp_path / 'started'}\n")
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "SERVICE": "billing", "BROKER_WAIT_SECONDS": "0"}
    result = subprocess.run([str(ENTRYPOINT)], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert "migration failed 5 times" in result.stdout
    assert not (tmp_path / "started").exists()
