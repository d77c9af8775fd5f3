"""Locked periods: once a month is closed (for one activity, or for all), ledger entries dated
in it are refused; a correction is posted in the next open period."""
import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.billing.domain.closing import parse_period, period_of  # noqa: F401 (read from here too)
from services.billing.models import Activity, LockedPeriod
from shared.clock import utcnow
from shared.errors import PreconditionFailed

GLOBAL = None


def _known(session: Session) -> dict:
    # locked periods seen in this transaction, per activity (None = every activity)
    return session.info.setdefault("locked_periods", {})


def preload(session: Session, activity_ids) -> None:
    """Read the locks of many activities (and the global ones) in one query."""
    known = _known(session)
    wanted = [a for a in activity_ids if a not in known]
    if not wanted and GLOBAL in known:
        return
    for activity_id in wanted:
        known[activity_id] = set()
    known.setdefault(GLOBAL, set())
    rows = session.execute(select(LockedPeriod.activity_id, LockedPeriod.period).where(
        or_(LockedPeriod.activity_id.in_(wanted), LockedPeriod.activity_id.is_(None)))).all()
    for activity_id, period in rows:
        known.setdefault(activity_id, set()).add(period)


def is_locked(session: Session, activity_id: str, day: dt.date) -> bool:
    known = _known(session)
    if activity_id not in known or GLOBAL not in known:
        preload(session, [activity_id])
    period = period_of(day)
    return period in known[activity_id] or period in known[GLOBAL]


def hold(session: Session, activity_ids, exclusive: bool = False) -> None:
    """Lock activity rows against a concurrent close (PostgreSQL; SQLite has one writer): a
    posting holds its activity FOR SHARE before reading the locks, month-end holds its chunk's
    activities FOR UPDATE before locking their period, so a posting either commits before the
    period is closed (and is in the statement) or sees the lock."""
    held = session.info.setdefault("held_activities", set())
    wanted = sorted(a for a in activity_ids if a not in held)
    if not wanted:
        return
    if session.get_bind().dialect.name == "postgresql":
        query = select(Activity.id).where(Activity.id.in_(wanted)).order_by(Activity.id)
        session.execute(query.with_for_update() if exclusive else query.with_for_update(read=True))
        known = _known(session)
        for activity_id in wanted:  # read again now that nobody can close them under us
            known.pop(activity_id, None)
        known.pop(GLOBAL, None)
    held.update(wanted)


def require_open(session: Session, activity_id: str, day: dt.date) -> None:
    hold(session, [activity_id])
    if is_locked(session, activity_id, day):
        period = period_of(day)
        # PreconditionFailed: a shared type, so every caller (the gateway too) gets it typed
        raise PreconditionFailed(
            f"period {period} is locked for activity {activity_id}; post the correction in the next period",
            {"entry_date": [f"period {period} is closed"]})


def lock(session: Session, period: str, activity_id: str | None = GLOBAL) -> None:
    """Lock a period for one activity, or for every activity (``activity_id`` None)."""
    exists = session.execute(select(LockedPeriod.id).where(
        LockedPeriod.period == period,
        LockedPeriod.activity_id == activity_id if activity_id else LockedPeriod.activity_id.is_(None))).first()
    if not exists:
        session.add(LockedPeriod(activity_id=activity_id, period=period, locked_at=utcnow()))
    _known(session).setdefault(activity_id, set()).add(period)


def locked_rows(activity_ids, period: str) -> list[dict]:
    """Rows for a bulk insert locking ``period`` for many activities."""
    now = utcnow()
    return [{"activity_id": a, "period": period, "locked_at": now} for a in activity_ids]
