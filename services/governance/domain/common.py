"""Helpers every governance rule uses: ids, lookups."""
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import NotFound


def new_id() -> str:
    return str(uuid.uuid4())


def get(session: Session, model, key, what: str, lock: bool = False):
    """The row of ``model`` with primary key ``key``, or NotFound."""
    if lock:
        row = session.execute(select(model).where(
            *[col == val for col, val in zip(model.__table__.primary_key.columns,
                                             key if isinstance(key, tuple) else (key,), strict=False)])
            .with_for_update()).scalar()
    else:
        row = session.get(model, key)
    if row is None:
        raise NotFound(f"no {what} {key}")
    return row
