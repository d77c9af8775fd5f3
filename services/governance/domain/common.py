"""Helpers every governance rule uses: dated parameters, ids, lookups."""
import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound
from services.governance.models import Parameter


def new_id() -> str:
    return str(uuid.uuid4())


def parameter(session: Session, name: str, on: dt.date) -> str:
    """The value of a statutory parameter in force on ``on``."""
    value = session.execute(
        select(Parameter.value).where(Parameter.name == name, Parameter.effective_from <= on)
        .order_by(Parameter.effective_from.desc()).limit(1)).scalar()
    if value is None:
        raise LookupError(f"parameter {name} has no value on {on}")
    return value


def get(session: Session, model, key, what: str, lock: bool = False):
    """The row of ``model`` with primary key ``key``, or NotFound."""
    if lock:
        row = session.execute(select(model).where(
            *[col == val for col, val in zip(model.__table__.primary_key.columns,
                                             key if isinstance(key, tuple) else (key,))])
            .with_for_update()).scalar()
    else:
        row = session.get(model, key)
    if row is None:
        raise NotFound(f"no {what} {key}")
    return row
