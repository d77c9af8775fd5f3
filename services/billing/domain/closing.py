"""The month-end closing rules as plain Python (DOMAIN.md, "Month-end"): the periods, how a run
is cut into chunks, which recurring invoices are due and issued, a period statement's figures,
which activities get their period locked, when a run is over. ``month_end`` does the queries
and the bulk writes; nothing here touches a database.
"""
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
FREQUENCIES = {"monthly": 1, "quarterly": 3}


class Template(Protocol):
    """A recurring invoice template, as far as the closing rules read it."""

    id: Any
    activity_id: str
    member_id: str
    frequency: str
    start_date: dt.date
    end_date: dt.date | None


def parse_period(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``YYYY-MM``."""
    year, month = int(period[:4]), int(period[5:7])
    first = dt.date(year, month, 1)
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def chunks(activity_ids: Sequence[str], size: int) -> list[tuple[int, list[str]]]:
    """The run's chunks, numbered from 1, of ``size`` activities each (the last one shorter)."""
    return [(number, list(activity_ids[offset:offset + size]))
            for number, offset in enumerate(range(0, len(activity_ids), size), start=1)]


def is_due(template: Template, period: str) -> bool:
    """Monthly templates are due every month from their start, quarterly ones every third
    month from it, while the period overlaps the template's dates."""
    first, last = parse_period(period)
    start = template.start_date
    if start > last or (template.end_date is not None and template.end_date < first):
        return False
    months = (first.year - start.year) * 12 + first.month - start.month
    return months % FREQUENCIES[template.frequency] == 0


@dataclass
class ClosingFacts:
    """What closing a chunk's activities reads, loaded before anything is written."""

    activity_status: dict[str, str]
    templates: list  # the recurring invoices due in the period (``is_due``)
    issued: set  # the ids of those already issued for the period
    in_good_standing: Callable[[str], bool]  # by member id
    payment_terms_days: int
    figures: dict  # activity id -> Figures, from the ledger before the run's own postings


def issuable(templates: Iterable[Template], issued: set, activity_status: Mapping[str, str],
             in_good_standing: Callable[[str], bool]) -> list[Template]:
    """The due templates the run issues: not issued for the period yet, on an open activity,
    for a member in good standing (the others wait for a later run, or for ever)."""
    return [t for t in templates if t.id not in issued and activity_status[t.activity_id] == "open"
            and in_good_standing(t.member_id)]


@dataclass
class Figures:
    """A period statement's figures for one activity: the balance brought forward, the
    period's credits (positive) and debits (negative), and its number of entries."""

    opening: Decimal = ZERO
    credits: Decimal = ZERO
    debits: Decimal = ZERO
    entries: int = 0

    @property
    def closing(self) -> Decimal:
        return self.opening + self.credits + self.debits

    def add(self, amount: Decimal, day: dt.date, first: dt.date, last: dt.date) -> None:
        """A movement the run posts itself: before the period it moves the opening balance,
        within it a credit or a debit; after the period it is the next statement's."""
        if day < first:
            self.opening += amount
        elif day <= last:
            if amount > 0:
                self.credits += amount
            else:
                self.debits += amount
            self.entries += 1


def figures_from_sums(opening: Any, credits: Any, debits: Any, entries: Any) -> Figures:
    """The database's sums (``None`` for none, any numeric type) as cents."""
    return Figures(Decimal(opening or 0).quantize(CENT), Decimal(credits or 0).quantize(CENT),
                   Decimal(debits or 0).quantize(CENT), int(entries or 0))


def statement_rows(activity_ids: Iterable[str], figures: Mapping[str, Figures], period: str,
                   run_id: str, now: dt.datetime) -> list[dict]:
    """One period statement per activity closed; an activity without entries has one of zeros."""
    rows = []
    for activity_id in activity_ids:
        f = figures.get(activity_id) or Figures()
        rows.append({"activity_id": activity_id, "period": period, "run_id": run_id,
                     "opening_balance": f.opening, "credits": f.credits, "debits": f.debits,
                     "closing_balance": f.closing, "entries": f.entries, "created_at": now})
    return rows


def locks_due(activity_ids: Iterable[str], period: str, locked: Mapping[str, Iterable[str]],
              now: dt.datetime) -> list[dict]:
    """The period's lock for each activity closed that does not hold it yet."""
    return [{"activity_id": a, "period": period, "locked_at": now} for a in activity_ids
            if period not in locked.get(a, ())]


def run_finishes(chunks_done: int, chunks_total: int, status: str) -> bool:
    """The chunk that brings the count to the total finishes the run, once."""
    return chunks_done == chunks_total and status != "finished"


def aware(instant: dt.datetime) -> dt.datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def elapsed_seconds(started_at: dt.datetime, finished_at: dt.datetime | None, now: dt.datetime) -> float:
    """Seconds from the start to the end of the run (or to ``now`` while it runs), never negative."""
    return max((aware(finished_at or now) - aware(started_at)).total_seconds(), 0.0)


def activities_per_second(activities_done: int, elapsed: float) -> float:
    return round(activities_done / elapsed, 1) if elapsed > 0 else 0.0
