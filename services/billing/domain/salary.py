"""Salary payouts: the member turns budget into pay, paid within N working days of the work.

The payslip split comes from the declarations service (a pure computation over RPC); when the
activity's money is short, the guarantee fund advances the difference.
"""
import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from services.billing.domain import Emit, activities, fund, members
from services.billing.models import SalaryPayout
from shared import parameters
from shared.clock import utcnow
from shared.errors import ValidationError, rule_broken

ZERO = Decimal("0.00")
FIXED_HOLIDAYS = ((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25))


def easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741  (the algorithm's own names)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def belgian_holidays(year: int) -> set[dt.date]:
    sunday = easter(year)
    movable = {sunday + dt.timedelta(days=n) for n in (1, 39, 50)}  # Easter Monday, Ascension, Whit Monday
    return movable | {dt.date(year, m, d) for m, d in FIXED_HOLIDAYS}


def add_working_days(start: dt.date, days: int) -> dt.date:
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in belgian_holidays(day.year):
            days -= 1
    return day


def plan(session: Session, data: dict, today: dt.date) -> dict:
    """Check a request before asking for the payslip; returns the pay date and the work dates."""
    activity = activities.get_open(session, data["activity_id"])
    members.require_good_standing(session, activity.member_id, today)
    dates = sorted(set(data["work_dates"]))
    if not dates:
        raise rule_broken("work_dates", "at least one work date")
    if len(dates) != len(data["work_dates"]):
        raise rule_broken("work_dates", "a work date appears twice")
    if data["amount"] <= 0:
        raise rule_broken("amount", "must be positive")
    delay = parameters.integer(session, "salary_payment_working_days", dates[-1])
    pay_date = max(add_working_days(dates[-1], delay), add_working_days(today, 1))
    _require_means(session, activity.id, data["amount"], today)
    return {"activity": activity, "work_dates": dates, "pay_date": pay_date}


def _require_means(session: Session, activity_id: str, amount: Decimal, today: dt.date) -> Decimal:
    """The shortfall the fund must advance (so the balance does not go below zero); refused
    when even the fund cannot cover it."""
    shortfall = amount - activities.available(session, activity_id)
    if shortfall > 0:
        room = sum((r for _, r in fund.backing(session, activity_id, today)), ZERO)
        if room < shortfall:
            raise ValidationError(
                "the budget is short and the guarantee fund cannot advance the difference",
                {"amount": [f"available {amount - shortfall}, advanceable {room}, asked {amount}"]})
    return max(shortfall, ZERO)


def approve(session: Session, data: dict, payslip: dict, today: dt.date) -> tuple[SalaryPayout, list[Emit]]:
    activity = activities.get_open(session, data["activity_id"], lock=True)
    members.require_good_standing(session, activity.member_id, today)
    cost = Decimal(payslip["employer_cost"])
    if cost > data["amount"]:
        raise rule_broken("amount", f"the payslip costs {cost}, more than the budget given")
    payout = SalaryPayout(
        id=str(uuid.uuid4()), activity_id=activity.id, member_id=activity.member_id,
        work_dates=[d.isoformat() for d in data["work_dates"]], first_work_date=data["work_dates"][0],
        last_work_date=data["work_dates"][-1], worker_category=data["worker_category"],
        pay_date=data["pay_date"], employment_budget=data["amount"], status="approved", advanced=ZERO,
        created_at=utcnow(), **{k: Decimal(payslip[k]) for k in (
            "gross", "employee_contributions", "withholding_tax", "net", "employer_contributions",
            "employer_cost")})
    shortfall = _require_means(session, activity.id, cost, today)
    if shortfall > 0:
        fund.advance(session, activity.id, shortfall, today, payout.id)
        payout.advanced = shortfall
    activities.post(session, activity.id, today, "salary_cost", -cost, payout.id,
                    f"salary {payout.first_work_date}..{payout.last_work_date}")
    session.add(payout)
    return payout, [Emit("salary_payout_approved", {
        "payout_id": payout.id, "member_id": payout.member_id, "activity_id": payout.activity_id,
        "work_dates": data["work_dates"], "first_work_date": payout.first_work_date,
        "last_work_date": payout.last_work_date, "worker_category": payout.worker_category,
        "pay_date": payout.pay_date, "gross": payout.gross,
        "employee_contributions": payout.employee_contributions,
        "withholding_tax": payout.withholding_tax, "net": payout.net,
        "employer_contributions": payout.employer_contributions,
        "employer_cost": payout.employer_cost}, payout.activity_id)]
