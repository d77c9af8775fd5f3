"""Expenses: paid from the activity's budget, never beyond it, claimed before the yearly deadline."""
import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from services.billing.domain import Emit, activities, members
from services.billing.models import Expense
from shared import parameters
from shared.errors import Conflict, NotFound, ValidationError, rule_broken


def claim_deadline(session: Session, expense_date: dt.date) -> dt.date:
    """The year's claims close on a day of January of the following year (a dated parameter)."""
    day = parameters.integer(session, "expense_claim_deadline_day", expense_date)
    return dt.date(expense_date.year + 1, 1, day)


def submit(session: Session, data: dict, today: dt.date) -> Expense:
    activity = activities.get_open(session, data["activity_id"], lock=True)
    members.require_good_standing(session, activity.member_id, today)
    errors = {}
    if data["expense_date"] > today:
        errors["expense_date"] = ["cannot be in the future"]
    elif today > claim_deadline(session, data["expense_date"]):
        errors["expense_date"] = [f"claims for {data['expense_date'].year} closed on "
                                  f"{claim_deadline(session, data['expense_date'])}"]
    if data["deductible_vat"] > data["vat"]:
        errors["deductible_vat"] = ["cannot exceed the VAT paid"]
    if errors:
        raise ValidationError("invalid expense", errors)
    expense = Expense(id=str(uuid.uuid4()), member_id=activity.member_id, status="submitted",
                      submitted_on=today, **data)
    _require_budget(session, activity.id, expense.cost)
    session.add(expense)
    return expense


def _require_budget(session: Session, activity_id: str, cost: Decimal) -> None:
    available = activities.available(session, activity_id)
    if cost > available:
        raise rule_broken("net", f"the expense ({cost}) exceeds the activity's available budget ({available})")


def decide(session: Session, expense_id: str, approve: bool, reason: str | None, decided_by: str | None,
           today: dt.date) -> tuple[Expense, list[Emit]]:
    expense = session.get(Expense, expense_id, with_for_update=True)
    if expense is None:
        raise NotFound(f"no expense {expense_id}", {"expense_id": ["unknown expense"]})
    if expense.status != "submitted":
        raise Conflict(f"the expense is already {expense.status}", {"expense_id": ["already decided"]})
    expense.decided_on, expense.decided_by, expense.decision_reason = today, decided_by, reason
    if not approve:
        expense.status = "rejected"
        return expense, []
    activities.get(session, expense.activity_id, lock=True)
    expense.status = "approved"
    session.flush()
    # the expense no longer counts as pending: what is left must still cover it
    if activities.available(session, expense.activity_id) < expense.cost:
        raise rule_broken("expense_id", "the activity's budget no longer covers this expense")
    activities.post(session, expense.activity_id, today, "expense", -expense.cost, expense.id,
                    expense.description[:200])
    return expense, [Emit("expense_approved", {
        "expense_id": expense.id, "activity_id": expense.activity_id, "member_id": expense.member_id,
        "expense_date": expense.expense_date, "approved_on": today, "category": expense.category,
        "net": expense.net, "vat": expense.vat, "gross": expense.gross,
        "deductible_vat": expense.deductible_vat}, expense.activity_id)]
