"""Dated legal parameters: the shipped file, an in-memory book, and a per-process cache.

A payslip is computed thousands of times a second, so the parameters are read from the
database into a ``ParameterBook`` and kept in memory. Several instances may run: each one
compares the ``parameter_version`` row (bumped by every ``set_parameter``) at most every
``PARAMETER_CACHE_TTL`` seconds and reloads when it moved.
"""
import bisect
import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import yaml
from nameko.extensions import DependencyProvider
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound

SHIPPED_FILE = Path(__file__).with_name("parameters.yml")


def shipped_rows(path: Path = SHIPPED_FILE) -> list[dict]:
    """The rows of ``parameters.yml``: name, value, effective_from, source."""
    with open(path) as handle:
        document = yaml.safe_load(handle)
    return [{"name": name, "value": str(item["value"]), "effective_from": item["effective_from"],
             "source": item["source"]}
            for name, items in document.items() for item in items]


class ParameterBook:
    """An immutable snapshot: for each name, its values sorted by effective date."""

    def __init__(self, rows, version: int = 0):
        by_name: dict[str, list] = {}
        for name, value, effective_from in rows:
            by_name.setdefault(name, []).append((effective_from, value))
        self._dates = {}
        self._values = {}
        for name, items in by_name.items():
            items.sort()
            self._dates[name] = [d for d, _ in items]
            self._values[name] = [v for _, v in items]
        self.version = version
        self._decimals: dict = {}

    def text(self, name: str, on: dt.date) -> str:
        dates = self._dates.get(name)
        if dates is None:
            raise NotFound(f"no parameter named {name}")
        index = bisect.bisect_right(dates, on) - 1
        if index < 0:
            raise NotFound(f"parameter {name} has no value in force on {on.isoformat()}")
        return self._values[name][index]

    def decimal(self, name: str, on: dt.date) -> Decimal:
        key = (name, on)
        found = self._decimals.get(key)
        if found is None:
            found = self._decimals[key] = Decimal(self.text(name, on))
        return found

    def percent(self, name: str, on: dt.date) -> Decimal:
        return self.decimal(name, on) / 100

    def integer(self, name: str, on: dt.date) -> int:
        return int(self.text(name, on))

    def names(self) -> list[str]:
        return sorted(self._dates)

    def memo(self, key, build):
        """``build()`` once per key for this snapshot (figures derived from the parameters)."""
        found = self._decimals.get(key)
        if found is None:
            found = self._decimals[key] = build()
        return found


def load_book(session: Session) -> ParameterBook:
    from services.declarations.models import Parameter, ParameterVersion

    version = session.execute(select(ParameterVersion.version)).scalar_one()
    rows = session.execute(select(Parameter.name, Parameter.value, Parameter.effective_from)
                           .where(Parameter.superseded_at.is_(None))).all()
    return ParameterBook(rows, version)


def current_version(session: Session) -> int:
    from services.declarations.models import ParameterVersion

    return session.execute(select(ParameterVersion.version)).scalar_one()


class ParameterCache(DependencyProvider):
    """The process's parameter book, checked against the database at most every TTL seconds."""

    def setup(self):
        self.ttl = float(self.container.config.get("PARAMETER_CACHE_TTL", 1.0))
        self.book: ParameterBook | None = None
        self.checked_at = 0.0

    def get_dependency(self, worker_ctx):
        return self

    def current(self, engine) -> ParameterBook:
        """The book in force. Read on the engine, not in a unit of work: in an event handler a
        unit of work records the event as handled, which only the handler's own may do. Call it
        outside any open unit of work (SQLite has a single connection)."""
        now = time.monotonic()
        if self.book is not None and now - self.checked_at < self.ttl:
            return self.book
        with Session(engine) as session:
            if self.book is None or current_version(session) != self.book.version:
                self.book = load_book(session)
        self.checked_at = now
        return self.book

    def invalidate(self):
        self.checked_at = 0.0


# ---- staff changes, with history ----

def history(session: Session, name: str) -> list:
    from services.declarations.models import Parameter

    rows = list(session.execute(select(Parameter).where(Parameter.name == name)
                                .order_by(Parameter.effective_from, Parameter.id)).scalars())
    if not rows:
        raise NotFound(f"no parameter named {name}")
    return rows


def value_on(history_rows: list, on: dt.date) -> str:
    """The value in force on a date, from a parameter's history."""
    current = [(r.name, r.value, r.effective_from) for r in history_rows if r.superseded_at is None]
    return ParameterBook(current).text(history_rows[0].name, on)


def set_parameter(session: Session, name: str, value: str, effective_from: dt.date, source: str,
                  recorded_by: str | None, now: dt.datetime):
    """Record a new dated value; a value already set for that date is superseded, not erased."""
    from services.declarations.models import Parameter, ParameterVersion
    from shared.errors import rule_broken

    # the version row's lock serialises changes, so two staff edits never both stay current
    version = session.execute(select(ParameterVersion).with_for_update()).scalar_one()
    previous = history(session, name)
    if _is_number(previous[-1].value) and not _is_number(value):
        raise rule_broken("value", f"{name} takes a decimal number such as \"{previous[-1].value}\"")
    for row in previous:
        if row.effective_from == effective_from and row.superseded_at is None:
            row.superseded_at = now
    row = Parameter(name=name, value=value, effective_from=effective_from, source=source,
                    recorded_at=now, recorded_by=recorded_by)
    session.add(row)
    version.version += 1
    session.flush()
    return row


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False
