"""Dated parameters, once for every service: a value, the date it takes effect, and its source.

Each service that has parameters keeps them in its own ``parameters`` table (``parameter_models``
gives its declarative base the table and the one-row ``parameter_version``). Names are stored as
the service knows them (``fee_rate``, ``social.employer_rate``); outside the service they are
namespaced by it (``billing.fee_rate``), which is how staff, the gateway and the
``parameter_changed`` event name them.

Reads come from a ``ParameterBook``, an in-memory snapshot kept per process by the
``ParameterCache`` dependency: each instance compares the ``parameter_version`` row (bumped by
every ``set_parameter``) at most every ``PARAMETER_CACHE_TTL`` seconds and reloads when it moved,
so every instance sees a change within that delay without a database round trip per read.

A change never erases: a value recorded for a date already set supersedes it (``superseded_at``)
and both rows stay, with who recorded each, when, and on what authority.
"""
import bisect
import datetime as dt
import functools
import time
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from marshmallow import fields, validate
from nameko.extensions import DependencyProvider
from sqlalchemy import Date, DateTime, Index, Integer, String, Text, column, insert, select, table, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared import clock
from shared.auth import Caller
from shared.clock import utcnow
from shared.contracts.parameters import (  # noqa: F401  (re-exported for the entrypoints)
    OWNERS,
    ParameterChanged,
    ParameterInForce,
    ParameterRecorded,
    ParameterValue,
    ParameterWithHistory,
)
from shared.db import TransactionFactory, unit_of_work_of
from shared.errors import NotFound, rule_broken
from shared.schemas import IsoDate, StrictSchema, load
from shared.service import rpc

SESSION_KEY = "parameter_cache"
PINNED_KEY = "parameter_book"

# ---- the tables ----


def parameter_models(base: Any) -> tuple[type, type]:
    """The ``Parameter`` and ``ParameterVersion`` models on a service's declarative base."""

    class Parameter(base):
        """A dated value in force from ``effective_from``; a replaced value keeps its row."""

        __tablename__ = "parameters"
        __table_args__ = (Index("ix_parameters_name_from", "name", "effective_from"),)

        id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
        name: Mapped[str] = mapped_column(String(80))
        value: Mapped[str] = mapped_column(String(80))
        effective_from: Mapped[dt.date] = mapped_column(Date)
        source: Mapped[str] = mapped_column(Text)
        recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
        recorded_by: Mapped[str | None] = mapped_column(String(36))
        superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    class ParameterVersion(base):
        """One row, bumped by every change: instances reload their cached book when it moves."""

        __tablename__ = "parameter_version"

        id: Mapped[int] = mapped_column(Integer, primary_key=True)
        version: Mapped[int] = mapped_column(Integer)

    return Parameter, ParameterVersion


# the same tables as Core clauses: the reads and writes below work on any service's session
PARAMETERS = table("parameters", column("id"), column("name"), column("value"),
                   column("effective_from", Date), column("source"),
                   column("recorded_at", DateTime(timezone=True)), column("recorded_by"),
                   column("superseded_at", DateTime(timezone=True)))
VERSION = table("parameter_version", column("id"), column("version"))


def shipped_rows(path: Path) -> list[dict]:
    """The rows of a shipped parameters file (YAML: name -> [{value, effective_from, source}])."""
    with open(path) as handle:
        document = yaml.safe_load(handle)
    return [{"name": name, "value": str(item["value"]), "effective_from": item["effective_from"],
             "source": item["source"]}
            for name, items in document.items() for item in items]


# ---- the book ----


class ParameterBook:
    """An immutable snapshot: for each name, its values in force sorted by effective date."""

    def __init__(self, rows: Iterable[tuple[str, str, dt.date]], version: int = 0):
        by_name: dict[str, list[tuple[dt.date, str]]] = {}
        for name, value, effective_from in rows:
            by_name.setdefault(name, []).append((effective_from, value))
        self._dates: dict[str, list[dt.date]] = {}
        self._values: dict[str, list[str]] = {}
        for name, items in by_name.items():
            items.sort()
            self._dates[name] = [d for d, _ in items]
            self._values[name] = [v for _, v in items]
        self.version = version
        self._memo: dict = {}

    def text(self, name: str, on: dt.date) -> str:
        dates = self._dates.get(name)
        if dates is None:
            raise NotFound(f"no parameter named {name}")
        index = bisect.bisect_right(dates, on) - 1
        if index < 0:
            raise NotFound(f"parameter {name} has no value in force on {on.isoformat()}")
        return self._values[name][index]

    def decimal(self, name: str, on: dt.date) -> Decimal:
        return self.memo((name, on), lambda: Decimal(self.text(name, on)))

    def percent(self, name: str, on: dt.date) -> Decimal:
        return self.decimal(name, on) / 100

    def integer(self, name: str, on: dt.date) -> int:
        return int(self.text(name, on))

    def integers(self, name: str, on: dt.date) -> list[int]:
        return [int(part) for part in self.text(name, on).split(",") if part.strip()]

    def names(self) -> list[str]:
        return sorted(self._dates)

    def memo(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """``build()`` once per key for this snapshot (figures derived from the parameters)."""
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = build()
        return found


def load_book(session: Session) -> ParameterBook:
    """The values in force (not superseded) and the version they belong to, read together."""
    version = current_version(session)
    rows = session.execute(select(PARAMETERS.c.name, PARAMETERS.c.value, PARAMETERS.c.effective_from)
                           .where(PARAMETERS.c.superseded_at.is_(None))).all()
    return ParameterBook(rows, version)


def current_version(session: Session) -> int:
    return session.execute(select(VERSION.c.version)).scalar_one()


class CachedBook:
    """The process's book, trusted for ``ttl`` seconds, then kept only if the version has not moved."""

    def __init__(self, ttl: float = 1.0, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self.book: ParameterBook | None = None
        self.checked_at = 0.0

    def current(self, version: Callable[[], int], load: Callable[[], ParameterBook]) -> ParameterBook:
        now = self.clock()
        if self.book is not None and now - self.checked_at < self.ttl:
            return self.book
        if self.book is None or version() != self.book.version:
            self.book = load()
        self.checked_at = now
        return self.book

    def of_session(self, session: Session) -> ParameterBook:
        return self.current(lambda: current_version(session), lambda: load_book(session))

    def invalidate(self) -> None:
        self.checked_at = 0.0

    def clear(self) -> None:
        self.book = None
        self.checked_at = 0.0


# ---- reads from a service's session (what domain code calls) ----


def book_of(session: Session) -> ParameterBook:
    """The book in force for this session: inside a service, the process's cached book (its
    version checked in the session's own transaction, so SQLite's single connection is never
    asked for twice), kept for the rest of the unit of work; for a session opened outside a
    service (a script, a rule test), a book read from the session."""
    info = session.info
    cache = info.get(SESSION_KEY)
    if cache is not None and not info.get("parameters_changed"):
        # one book for the whole unit of work: its reads agree even if a change lands meanwhile
        book = info.get(PINNED_KEY)
        if book is None:
            book = info[PINNED_KEY] = cache.of_session(session)
        return book
    if session.autoflush and (session.new or session.dirty):
        session.flush()  # rows added to this session count, as an ORM query would see them
    return load_book(session)


def text(session: Session, name: str, on: dt.date) -> str:
    return book_of(session).text(name, on)


def decimal(session: Session, name: str, on: dt.date) -> Decimal:
    return book_of(session).decimal(name, on)


def integer(session: Session, name: str, on: dt.date) -> int:
    return book_of(session).integer(name, on)


def integers(session: Session, name: str, on: dt.date) -> list[int]:
    return book_of(session).integers(name, on)


# ---- names ----


def full_name(service: str, name: str) -> str:
    return f"{service}.{name}"


def local_name(service: str, name: str) -> str:
    """The name a service stores, from the full name; a name of another service is not found here."""
    prefix = f"{service}."
    if not name.startswith(prefix) or len(name) == len(prefix):
        raise NotFound(f"no parameter named {name}: {service}'s parameters are named {prefix}...")
    return name[len(prefix):]


def owner_of(name: str) -> str:
    """The service that owns a parameter, from the first part of its full name."""
    owner = name.split(".", 1)[0]
    if owner not in OWNERS or "." not in name:
        raise NotFound(f"no parameter named {name}: names start with one of {', '.join(OWNERS)}")
    return owner


# ---- history and staff changes ----


def history(session: Session, name: str) -> list:
    """Every row recorded for a name, superseded ones included, by effective date."""
    rows = list(session.execute(select(PARAMETERS).where(PARAMETERS.c.name == name)
                                .order_by(PARAMETERS.c.effective_from, PARAMETERS.c.id)))
    if not rows:
        raise NotFound(f"no parameter named {name}")
    return rows


def in_force(session: Session, on: dt.date) -> list:
    """Each parameter's row in force on a date (one query), by name."""
    rows = session.execute(select(PARAMETERS).where(
        PARAMETERS.c.superseded_at.is_(None), PARAMETERS.c.effective_from <= on)
        .order_by(PARAMETERS.c.name, PARAMETERS.c.effective_from)).all()
    latest = {row.name: row for row in rows}
    return [latest[name] for name in sorted(latest)]


def value_on(rows: list, on: dt.date) -> str:
    """The value in force on a date, from a parameter's history."""
    return ParameterBook([(r.name, r.value, r.effective_from) for r in rows if r.superseded_at is None]
                         ).text(rows[0].name, on)


def kind_of(value: str) -> str:
    """What shape a value has: an integer, a decimal number, a list of integers, or text."""
    if _is_integer(value):
        return "integer"
    if _is_number(value):
        return "decimal"
    parts = value.split(",")
    if len(parts) > 1 and all(_is_integer(p.strip()) for p in parts):
        return "integers"
    return "text"


KIND_EXAMPLE = {"integer": "a whole number such as", "decimal": "a decimal number such as",
                "integers": "whole numbers separated by commas such as"}


def check_value(name: str, current: str, value: str) -> None:
    """A new value keeps the shape of the value in force (a rate stays a number, a delay an
    integer); a percent or a rate that happens to be whole ("10") may take decimals."""
    kind = kind_of(current)
    if kind == "integer" and ("percent" in name or "rate" in name):
        kind = "decimal"
    accepted = {"integer": _is_integer(value), "decimal": _is_number(value),
                "integers": kind_of(value) in ("integer", "integers"), "text": bool(value.strip())}[kind]
    if not accepted:
        example = KIND_EXAMPLE.get(kind, "a text such as")
        raise rule_broken("value", f'{name} takes {example} "{current}"')


def _is_number(text_value: str) -> bool:
    try:
        return Decimal(text_value).is_finite()
    except (ArithmeticError, InvalidOperation):
        return False


def _is_integer(text_value: str) -> bool:
    return text_value.strip().lstrip("-").isdigit()


def set_parameter(session: Session, name: str, value: str, effective_from: dt.date, source: str,
                  recorded_by: str | None, now: dt.datetime, emit: Callable[..., Any],
                  public_name: str | None = None) -> dict:
    """Record a new dated value of a known parameter; a value already set for that date is
    superseded, not erased. ``emit`` writes ``parameter_changed`` in the same transaction."""
    # the version row's lock serialises changes, so two staff edits never both stay current
    session.execute(select(VERSION.c.version).with_for_update()).scalar_one()
    previous = history(session, name)
    in_force_rows = [r for r in previous if r.superseded_at is None] or previous
    check_value(public_name or name, in_force_rows[-1].value, value)
    session.execute(update(PARAMETERS).where(
        PARAMETERS.c.name == name, PARAMETERS.c.effective_from == effective_from,
        PARAMETERS.c.superseded_at.is_(None)).values(superseded_at=now))
    row = {"name": name, "value": value, "effective_from": effective_from, "source": source,
           "recorded_at": now, "recorded_by": recorded_by, "superseded_at": None}
    session.execute(insert(PARAMETERS).values(**row))
    session.execute(update(VERSION).values(version=VERSION.c.version + 1))
    session.info["parameters_changed"] = True  # this transaction reads its own change, uncached
    shown = dict(row, name=public_name or name)
    emit("parameter_changed", shown, aggregate_id=shown["name"])
    return shown


# ---- the schemas of the entrypoints and of the event ----


class ParameterDate(StrictSchema):
    on = IsoDate(load_default=None, allow_none=True,
                 metadata={"description": "the day the value is in force (default: today)"})


class ParameterQuery(ParameterDate):
    name = fields.String(required=True, validate=validate.Length(1, 120))


class ParameterValueChange(StrictSchema):
    """A new value of a parameter, in force from a date."""

    value = fields.String(required=True, validate=validate.Length(1, 80))
    effective_from = IsoDate(required=True)
    source = fields.String(required=True, validate=validate.Length(3, 2000),
                           metadata={"description": "the law, decree or decision the value comes from"})


class ParameterChange(ParameterValueChange):
    name = fields.String(required=True, validate=validate.Length(1, 120))


# ---- the per-process cache and the entrypoints every owning service has ----


class Parameters:
    """What a worker gets: the book in force, read outside any unit of work."""

    def __init__(self, cache: CachedBook, engine: Engine):
        self._cache = cache
        self._engine = engine

    def book(self) -> ParameterBook:
        """Call it outside any open unit of work: in an event handler a unit of work records the
        event as handled, which only the handler's own may do, and SQLite has one connection."""
        def read(reader: Callable[[Session], Any]) -> Any:
            with Session(self._engine) as session:
                return reader(session)
        return self._cache.current(lambda: read(current_version), lambda: read(load_book))

    def invalidate(self) -> None:
        self._cache.invalidate()


class ParameterCache(DependencyProvider):
    """The service's parameter book, kept per process and checked against the version row at
    most every ``PARAMETER_CACHE_TTL`` seconds. The service's units of work read through it."""

    def setup(self) -> None:
        self.cache = CachedBook(float(self.container.config.get("PARAMETER_CACHE_TTL", 1.0)))
        uow = unit_of_work_of(self.container)
        if uow is None:
            raise TypeError(f"{self.container.service_name} has parameters but no UnitOfWork")
        self.uow = uow

    def start(self) -> None:
        # every session of the service's units of work finds the cache in its info
        sessions = self.uow.sessions
        sessions.configure(info={**sessions.kw.get("info", {}), SESSION_KEY: self.cache})

    def stop(self) -> None:
        self.cache.clear()

    def kill(self) -> None:
        self.cache.clear()

    def get_dependency(self, worker_ctx: Any) -> Parameters:
        return Parameters(self.cache, self.uow.engine)


class ParameterEntrypoints:
    """List, read (with history) and set the service's parameters; a mixin of its service class,
    which has ``uow``, ``parameters`` (a ``ParameterCache``) and ``caller``. Each service class
    gets its own RPC entrypoints, so that ``nameko run`` finds no service in the mixin itself."""

    ENTRYPOINTS = ("list_parameters", "get_parameter", "set_parameter")

    # what the service class provides (its dependencies as a worker sees them)
    name: str
    uow: TransactionFactory
    parameters: Parameters
    caller: Caller

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls.ENTRYPOINTS:
            cls._add_entrypoint(name, getattr(ParameterEntrypoints, name))

    @classmethod
    def _add_entrypoint(cls, name: str, body: Callable) -> None:
        @functools.wraps(body)
        def entrypoint(self: ParameterEntrypoints, *args: Any, **kwargs: Any) -> Any:
            return body(self, *args, **kwargs)

        setattr(cls, name, rpc(entrypoint))

    def list_parameters(self, query: dict | None = None) -> Any:
        data = load(ParameterDate(), query or {})
        day = data["on"] or clock.today()
        with self.uow() as tx:
            found = [dict(row._mapping, name=full_name(self.name, row.name), on=day)
                     for row in in_force(tx.session, day)]
            return ParameterInForce(many=True).dump(found)

    def get_parameter(self, name: str, on: str | None = None) -> Any:
        query = load(ParameterQuery(), {"name": name, "on": on})
        day = query["on"] or clock.today()
        with self.uow() as tx:
            rows = history(tx.session, local_name(self.name, query["name"]))
            found = {"name": query["name"], "on": day, "value": value_on(rows, day), "history": rows}
            return ParameterWithHistory().dump(found)

    def set_parameter(self, change: dict) -> Any:
        self.caller.require_role("staff")
        data = load(ParameterChange(), change)
        with self.uow() as tx:
            row = set_parameter(tx.session, local_name(self.name, data["name"]), data["value"],
                                data["effective_from"], data["source"], self.caller.member_id, utcnow(),
                                tx.emit, public_name=data["name"])
        self.parameters.invalidate()
        return ParameterRecorded().dump(row)
