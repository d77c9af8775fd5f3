"""Billing rules as plain Python: functions taking a SQLAlchemy Session and plain data.

Functions that produce events return them as ``Emit`` tuples; the service writes them to the
outbox in the same transaction.
"""
from typing import NamedTuple


class Emit(NamedTuple):
    event_type: str
    data: dict
    aggregate_id: str
