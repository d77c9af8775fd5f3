"""Billing rules as plain Python: functions taking a SQLAlchemy Session and plain data.

Functions that produce events return them as ``Emit`` tuples; the service writes them to the
outbox in the same transaction.
"""
from typing import NamedTuple


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
