"""deploy/postgres/init.sh run against the real PostgreSQL: one database and one login per
service, and a service's login cannot open another service's database."""
import os
import shutil
import subprocess
import uuid

import psycopg2
import pytest

from shared.testing import PG_ADMIN_URI, _pg_admin
from tests.deploy.conftest import DEPLOY

pytestmark = pytest.mark.skipif(shutil.which("psql") is None, reason="psql not installed")


@pytest.fixture
def databases():
    tag = uuid.uuid4().hex[:8]
    names = [f"deploytest_{tag}_membership", f"deploytest_{tag}_billing"]
    yield names
    for name in names:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'DROP ROLE IF EXISTS "{name}"')


def _run_init(names, passwords):
    env = dict(os.environ, COOP_DATABASES=" ".join(names), POSTGRES_USER="postgres",
               PGHOST="127.0.0.1", PGPORT="5432", **passwords)
    return subprocess.run([str(DEPLOY / "postgres" / "init.sh")], env=env, capture_output=True, text=True)


def _connect(database, user):
    return psycopg2.connect(PG_ADMIN_URI.rsplit("/", 1)[0].replace("postgres@", f"{user}@", 1) + "/" + database)


def test_each_service_gets_its_own_database_owned_by_its_own_login(databases):
    membership, billing = databases
    result = _run_init(databases, {f"{n.upper()}_DB_PASSWORD": f"pw-{n}" for n in databases})
    assert result.returncode == 0, result.stderr
    with _connect(membership, membership) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE member (id int primary key)")
        cursor.execute("SELECT current_user, current_database()")
        assert cursor.fetchone() == (membership, membership)
    connection.close()
    with pytest.raises(psycopg2.OperationalError, match="permission denied"):
        _connect(billing, membership)


def test_init_stops_when_a_password_is_missing(databases):
    result = _run_init(databases, {})
    assert result.returncode == 1
    assert f"{databases[0].upper()}_DB_PASSWORD is not set" in result.stderr
