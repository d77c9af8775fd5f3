"""Activities: a member's budget account, its ledger, balance and statements."""
import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.billing.domain import Emit, fetch, members, periods
from services.billing.models import Activity, Expense, LedgerEntry
from shared.clock import utcnow
from shared.errors import NotFound, rule_broken

ZERO = Decimal("0.00")


def open_activity(session: Session, member_id: str, name: str, today: dt.date) -> Activity:
    members.require_good_standing(session, member_id, today)
    activity = Activity(id=str(uuid.uuid4()), member_id=member_id, name=name, status="open",
                        opened_on=today, created_at=utcnow())
    session.add(activity)
    return activity


def get(session: Session, activity_id: str, lock: bool = False) -> Activity:
    activity = fetch(session, Activity, activity_id, lock)
    if activity is None:
        raise NotFound(f"no activity {activity_id}", {"activity_id": ["unknown activity"]})
    return activity


def get_open(session: Session, activity_id: str, lock: bool = False) -> Activity:
    activity = get(session, activity_id, lock)
    if activity.status != "open":
        raise rule_broken("activity_id", f"activity {activity_id} is closed")
    return activity


def rename(session: Session, activity_id: str, name: str) -> Activity:
    activity = get_open(session, activity_id)
    activity.name = name
    return activity


def close(session: Session, activity_id: str, today: dt.date) -> Activity:
    activity = get_open(session, activity_id, lock=True)
    activity.status = "closed"
    activity.closed_on = today
    return activity


def post(session: Session, activity_id: str, entry_date: dt.date, kind: str, amount: Decimal,
         reference: str, description: str | None = None) -> LedgerEntry:
    """Write one ledger movement; (kind, reference) is unique, so a repeat is a Conflict.
    An entry dated in a locked period is refused (PreconditionFailed)."""
    periods.require_open(session, activity_id, entry_date)
    entry = LedgerEntry(activity_id=activity_id, entry_date=entry_date, kind=kind, amount=amount,
                        reference=reference, description=description, created_at=utcnow())
    session.add(entry)
    return entry


def balance(session: Session, activity_id: str, before: dt.date | None = None) -> Decimal:
    query = select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.activity_id == activity_id)
    if before is not None:
        query = query.where(LedgerEntry.entry_date < before)
    return Decimal(session.execute(query).scalar()).quantize(Decimal("0.01"))


def pending_expenses(session: Session, activity_id: str) -> Decimal:
    rows = session.execute(select(Expense.net, Expense.vat, Expense.deductible_vat).where(
        Expense.activity_id == activity_id, Expense.status == "submitted")).all()
    return sum((net + vat - deductible for net, vat, deductible in rows), ZERO)


def available(session: Session, activity_id: str) -> Decimal:
    """The budget the member may spend now: the balance less expenses awaiting a decision."""
    return balance(session, activity_id) - pending_expenses(session, activity_id)


def summary(session: Session, activity: Activity) -> dict:
    return {"activity": activity, "balance": balance(session, activity.id),
            "available": available(session, activity.id)}


def statement(session: Session, activity_id: str, start: dt.date, end: dt.date) -> dict:
    if end < start:
        raise rule_broken("end", "the period ends before it starts")
    activity = get(session, activity_id)
    entries = session.execute(select(LedgerEntry).where(
        LedgerEntry.activity_id == activity_id, LedgerEntry.entry_date >= start,
        LedgerEntry.entry_date <= end).order_by(LedgerEntry.entry_date, LedgerEntry.id)).scalars().all()
    opening = balance(session, activity_id, before=start)
    totals: dict[str, Decimal] = {}
    for entry in entries:
        totals[entry.kind] = totals.get(entry.kind, ZERO) + entry.amount
    return {"activity_id": activity.id, "start": start, "end": end, "opening_balance": opening,
            "entries": entries, "totals_by_kind": totals,
            "closing_balance": opening + sum((e.amount for e in entries), ZERO)}


def charge_usage(session: Session, data: dict, today: dt.date) -> Emit | None:
    """Debit an activity for a resource usage, once per usage id."""
    reference = f"usage:{data['usage_id']}"
    exists = session.execute(select(LedgerEntry.id).where(
        LedgerEntry.kind == "resource_usage", LedgerEntry.reference == reference)).first()
    if exists:
        return None
    get(session, data["activity_id"])
    amount = Decimal(str(data["amount"]))
    used_on = dt.date.fromisoformat(str(data["ended_at"])[:10]) if data.get("ended_at") else today
    if periods.is_locked(session, data["activity_id"], used_on):
        used_on = today  # usage reported after its month was closed: charged in the open period
    post(session, data["activity_id"], used_on, "resource_usage", -amount, reference,
         f"resource {data.get('resource_id')}: {data.get('hours')} h")
    return Emit("activity_charged", {"activity_id": data["activity_id"], "source": "resource_usage",
                                     "reference": data["usage_id"], "amount": amount},
                data["activity_id"])
