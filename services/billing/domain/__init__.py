"""Billing rules as plain Python: functions taking a SQLAlchemy Session and plain data.

Functions that produce events return them as ``Emit`` tuples; the service writes them to the
outbox in the same transaction.
"""
from typing import NamedTuple

from sqlalchemy import text


class Emit(NamedTuple):
    event_type: str
    data: dict
    aggregate_id: str


def fetch(session, model, key, lock: bool = False):
    """``session.get`` that keeps the object for the rest of the transaction: the identity map
    holds objects weakly, and a batch would otherwise read the same activity once per invoice."""
    found = session.get(model, key, with_for_update=lock or None)
    if found is not None:
        session.info.setdefault("fetched", {})[(model, key)] = found
    return found


def bulk_insert(session, table, rows: list[dict]) -> None:
    """Insert plain rows that all have the same keys, in one statement.

    On PostgreSQL: ``INSERT ... SELECT * FROM unnest(...)`` with one array parameter per column
    (the driver adapts the arrays), instead of a VALUES list of rows x columns parameters that
    SQLAlchemy builds in Python; month-end writes thousands of rows this way. Elsewhere, or when
    a missing column has a default computed per row, a Core insert."""
    if not rows:
        return
    bind = session.get_bind()
    keys = list(rows[0])
    defaults = {}
    for column in table.columns:
        if column.key in rows[0] or column.default is None:
            continue
        if not column.default.is_scalar:
            bind = None  # a default computed per row: leave it to SQLAlchemy
            break
        defaults[column.key] = column.default.arg
    if bind is None or bind.dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    quote = bind.dialect.identifier_preparer.quote
    names = keys + list(defaults)
    arrays = ", ".join(f"CAST(:p{n} AS {table.c[key].type.compile(dialect=bind.dialect)}[])"
                       for n, key in enumerate(names))
    params = {f"p{n}": [row[key] for row in rows] for n, key in enumerate(keys)}
    params.update({f"p{len(keys) + n}": [value] * len(rows) for n, value in enumerate(defaults.values())})
    session.execute(text(f"INSERT INTO {quote(table.name)} ({', '.join(quote(k) for k in names)})"
                         f" SELECT * FROM unnest({arrays})"), params)
    session.info["wrote"] = True  # a textual statement: mark the unit of work as one that wrote
