"""Declaration periods ("2026-11" a month, "2026-Q4" a quarter) and their legal deadlines."""
import calendar
import datetime as dt

from shared.errors import rule_broken
from shared.parameters import ParameterBook

MONTHLY, QUARTERLY = "monthly", "quarterly"


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_of(day: dt.date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def period_of(day: dt.date, periodicity: str) -> str:
    return quarter_of(day) if periodicity == QUARTERLY else month_of(day)


def parse(period: str) -> tuple[int, int, int]:
    """(year, first month, number of months) of a period string."""
    try:
        year, part = period.split("-")
        if part.startswith("Q"):
            quarter = int(part[1:])
            if not 1 <= quarter <= 4:
                raise ValueError
            return int(year), 3 * quarter - 2, 3
        month = int(part)
        if not 1 <= month <= 12 or len(part) != 2:
            raise ValueError
        return int(year), month, 1
    except ValueError:
        raise rule_broken("period", "must be a month YYYY-MM or a quarter YYYY-Qn") from None


def check_return_period(kind: str, period: str, vat_periodicity: str) -> str:
    """A periodic return's period: a quarter for the DmfA, a month for the 274, VAT as configured."""
    quarterly = kind == "dmfa" or (kind == "vat" and vat_periodicity == QUARTERLY)
    if period[5:6] == "Q" and not quarterly or period[5:6] != "Q" and quarterly:
        raise rule_broken("period", f"a {kind} return covers a {'quarter' if quarterly else 'month'}")
    parse(period)
    return period


def bounds(period: str) -> tuple[dt.date, dt.date]:
    year, month, months = parse(period)
    last_month = month + months - 1
    return dt.date(year, month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def following(period: str) -> str:
    year, month, months = parse(period)
    start = dt.date(year, month, 1)
    after = add_months(start, months)
    return quarter_of(after) if months == 3 else month_of(after)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_quarter_end(period_month: str) -> bool:
    return parse(period_month)[1] % 3 == 0


def _day_of_next_month(end: dt.date, day: int) -> dt.date:
    first_of_next = end + dt.timedelta(days=1)
    last_day = calendar.monthrange(first_of_next.year, first_of_next.month)[1]
    return first_of_next.replace(day=min(day, last_day))


def due_date(book: ParameterBook, kind: str, period: str, start_of_work: dt.date | None = None) -> dt.date:
    """The legal deadline of a declaration, with the parameters in force at the period's end."""
    _, end = bounds(period)
    if kind == "withholding":
        return _day_of_next_month(end, book.integer("deadline.withholding_day", end))
    if kind == "vat":
        setting = "deadline.vat_day_quarterly" if "Q" in period else "deadline.vat_day_monthly"
        return _day_of_next_month(end, book.integer(setting, end))
    if kind == "dmfa":
        months = book.integer("deadline.dmfa_months_after_quarter", end)
        target = add_months(end.replace(day=1), months)
        return target.replace(day=calendar.monthrange(target.year, target.month)[1])
    if kind in ("dimona", "dimona_cancel"):
        days_before = book.integer("deadline.dimona_days_before_work", start_of_work)
        return start_of_work - dt.timedelta(days=days_before)
    raise ValueError(f"unknown declaration kind {kind}")
