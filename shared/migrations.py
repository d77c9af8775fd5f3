"""Alembic, one history per service under ``services/<name>/migrations``."""
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine

ROOT = Path(__file__).resolve().parent.parent


class DatabaseBehind(RuntimeError):
    """The database is not at the newest migration; run ``coop migrate``."""


def alembic_config(service: str, db_uri: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "services" / service / "migrations"))
    if db_uri:
        config.set_main_option("sqlalchemy.url", db_uri.replace("%", "%%"))
    config.attributes["service"] = service
    return config


def upgrade(service: str, db_uri: str, revision: str = "head") -> None:
    from shared.db import make_engine

    engine = make_engine(db_uri)
    try:
        with engine.begin() as connection:
            config = alembic_config(service, db_uri)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def heads(service: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(service)).get_heads())


def assert_at_head(engine: Engine, service: str) -> None:
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    expected = heads(service)
    if current != expected:
        raise DatabaseBehind(
            f"the {service} database is at {sorted(current) or 'no revision'}, "
            f"expected {sorted(expected)}: run `coop migrate`")


def run_migrations(target_metadata: MetaData | None) -> None:
    """Body of every service's ``migrations/env.py``."""
    from alembic import context

    from shared.db import make_engine

    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(context, connection, target_metadata)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None  # every caller passes a connection or a database URL
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _run(context, connection, target_metadata)
    finally:
        engine.dispose()


def _run(context: Any, connection: Connection, target_metadata: MetaData | None) -> None:
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    context.run_migrations()
