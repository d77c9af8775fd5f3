"""Month-end: a run per period closes every activity, in chunks that any billing instance may
take (the ``month_end_chunk_ready`` events, one per chunk, consumed by billing itself).

For each activity of a chunk, in the chunk's single transaction: the recurring invoices due in
the period are drafted in bulk and issued with one block of numbers (``invoices.issue_bulk``:
the rules of ``issue_locked``, written with bulk inserts), overdue invoices are
dunned, the period statement is stored (its unique (activity, period) records that the
activity is closed) and the period is locked for the activity. Everything is read with one
query per table per chunk and written with bulk inserts of plain rows (``bulk_insert``: one
array per column on PostgreSQL; the ORM's per-row bookkeeping would only cost time).
"""
import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from shared.db import utcnow
from shared import parameters
from shared.errors import NotFound, rule_broken
from services.billing.domain import Emit, bulk_insert, dunning, invoices, periods, recurring
from services.billing.models import (
    Activity, LedgerEntry, LockedPeriod, MemberStanding, MonthEndChunk, MonthEndRun,
    PeriodStatement, RecurringIssue,
)

ZERO = Decimal("0.00")


@dataclass
class Started:
    run: MonthEndRun
    created: bool
    chunks: list[tuple[int, list[str]]] = field(default_factory=list)

    @property
    def events(self) -> list[Emit]:
        """One ``month_end_chunk_ready`` per chunk (billing's work queue), or ``month_closed``
        at once when there was nothing to close."""
        if not self.created:
            return []
        if not self.chunks:
            return [closed_event(self.run)]
        return [Emit("month_end_chunk_ready", {"run_id": self.run.id, "period": self.run.period,
                                               "chunk_no": number, "activity_ids": ids}, self.run.id)
                for number, ids in self.chunks]


@dataclass
class ChunkResult:
    events: list[Emit] = field(default_factory=list)
    issued: list = field(default_factory=list)  # the issued documents (plain objects)
    closed: int = 0
    already_done: bool = False
    chunks_pending: int = 0
    finished: MonthEndRun | None = None


def check_period(period: str) -> str:
    try:
        periods.parse_period(period)
    except (ValueError, IndexError):
        raise rule_broken("period", "a period is YYYY-MM") from None
    if len(period) != 7 or period[4] != "-":
        raise rule_broken("period", "a period is YYYY-MM")
    return period


def find(session: Session, period: str) -> MonthEndRun | None:
    return session.execute(select(MonthEndRun).where(MonthEndRun.period == period)).scalar()


def start(session: Session, period: str, chunk_size: int, started_by: str | None) -> Started:
    """Create the period's run and its chunks, or return the existing run (doing nothing)."""
    existing = find(session, period)
    if existing is not None:
        return Started(existing, created=False)
    first, last = periods.parse_period(period)
    activity_ids = list(session.execute(select(Activity.id).where(
        Activity.opened_on <= last, or_(Activity.closed_on.is_(None), Activity.closed_on >= first))
        .order_by(Activity.id)).scalars())
    chunks = [(number, activity_ids[offset:offset + chunk_size]) for number, offset
              in enumerate(range(0, len(activity_ids), chunk_size), start=1)]
    run = MonthEndRun(id=str(uuid.uuid4()), period=period, chunks_total=len(chunks), chunks_done=0,
                      activities_total=len(activity_ids), started_at=utcnow(), started_by=started_by,
                      status="running" if chunks else "finished")
    if not chunks:  # nothing to close: the run is over as it starts
        run.finished_at = run.started_at
        periods.lock(session, period)
    session.add(run)
    session.flush()
    if chunks:
        session.execute(insert(MonthEndChunk), [
            {"run_id": run.id, "chunk_no": number, "activities": len(ids), "status": "pending",
             "failures": 0} for number, ids in chunks])
    return Started(run, created=True, chunks=chunks)


def close_chunk(session: Session, run_id: str, period: str, chunk_no: int, activity_ids: list[str],
                today: dt.date, series: str) -> ChunkResult:
    """Close the period for a chunk's activities (once each) and mark the chunk done. The
    invoice numbers are taken last (the series stays locked until the commit); the caller
    writes the events, then calls ``count_done`` as the very last step."""
    result = ChunkResult()
    chunk = session.get(MonthEndChunk, (run_id, chunk_no))
    if chunk is None:
        raise NotFound(f"no chunk {chunk_no} in month-end run {run_id}", {"chunk_no": ["unknown"]})
    if chunk.status == "done":
        result.already_done = True
        return result
    first, last = periods.parse_period(period)
    closed = set(session.execute(select(PeriodStatement.activity_id).where(
        PeriodStatement.period == period, PeriodStatement.activity_id.in_(activity_ids))).scalars())
    todo = [a for a in activity_ids if a not in closed]
    if todo:
        result.events, result.issued = _close(session, run_id, period, todo, today, series, first, last)
        result.closed = len(todo)
    session.execute(update(MonthEndChunk).where(
        MonthEndChunk.run_id == chunk.run_id, MonthEndChunk.chunk_no == chunk.chunk_no)
        .values(status="done", done_at=utcnow()))
    return result


def _close(session, run_id, period, todo, today, series, first, last):
    events: list[Emit] = []
    # dunning first: the chunk's overdue invoices, locked in one query (invoice, then activity:
    # the order a payment takes its locks in)
    for invoice in dunning.overdue_of(session, todo, today):
        events.extend(dunning.dun_locked(session, invoice, today))

    # the activities held against postings while their period closes, then everything the
    # issuing looks at, read once: activities, members, locks, rates
    periods.hold(session, todo, exclusive=True)
    loaded = session.execute(select(Activity).where(Activity.id.in_(todo))).scalars().all()
    fetched = session.info.setdefault("fetched", {})
    for activity in loaded:
        fetched[(Activity, activity.id)] = activity
    member_ids = {a.member_id for a in loaded}
    for member in session.execute(select(MemberStanding).where(
            MemberStanding.member_id.in_(member_ids))).scalars():
        fetched[(MemberStanding, member.member_id)] = member
    periods.preload(session, todo)
    parameters.decimal(session, "fee_rate", today)
    terms = parameters.integer(session, "payment_terms_days", today)

    # the recurring invoices due in the period and not issued yet for it
    by_id = {a.id: a for a in loaded}
    templates = recurring.due_in(session, todo, period)
    done = set(session.execute(select(RecurringIssue.template_id).where(
        RecurringIssue.period == period,
        RecurringIssue.template_id.in_([t.id for t in templates]))).scalars()) if templates else set()
    issuable = [t for t in templates if t.id not in done and by_id[t.activity_id].status == "open"
                and _good(fetched.get((MemberStanding, t.member_id)))]

    # the statement figures before this run's own postings
    figures = _ledger_figures(session, todo, first, last)

    documents = invoices.prepare_bulk(session, [recurring.draft(t, period, terms) for t in issuable], today)
    for document in documents:  # the fee each issue debits, dated today
        _add_movement(figures, document.activity_id, -document.fee, today, first, last)
    invoices.write_unnumbered(session, documents)
    if documents:
        bulk_insert(session, RecurringIssue.__table__, [
            {"template_id": t.id, "period": period, "invoice_id": d.id} for t, d in zip(issuable, documents)])

    now = utcnow()
    bulk_insert(session, PeriodStatement.__table__, [
        {"activity_id": a, "period": period, "run_id": run_id, "opening_balance": f[0], "credits": f[1],
         "debits": f[2], "closing_balance": f[0] + f[1] + f[2], "entries": f[3], "created_at": now}
        for a, f in ((a, figures.get(a, [ZERO, ZERO, ZERO, 0])) for a in todo)])
    already = periods._known(session)
    locks = [{"activity_id": a, "period": period, "locked_at": now} for a in todo
             if period not in already.get(a, ())]
    if locks:
        bulk_insert(session, LockedPeriod.__table__, locks)

    # last, under the series lock until the commit: the numbers, stamped with one UPDATE
    invoices.number(session, documents, today, series)
    events.extend(invoices.issued_event(d) for d in documents)
    return events, documents


def _good(member: MemberStanding | None) -> bool:
    return member is not None and member.good_standing


def _ledger_figures(session, activity_ids, first, last) -> dict:
    """Per activity: [opening balance, credits, debits, entries] of the period, one query."""
    in_period = LedgerEntry.entry_date >= first
    rows = session.execute(select(
        LedgerEntry.activity_id,
        func.sum(case((~in_period, LedgerEntry.amount), else_=0)),
        func.sum(case((in_period & (LedgerEntry.amount > 0), LedgerEntry.amount), else_=0)),
        func.sum(case((in_period & (LedgerEntry.amount < 0), LedgerEntry.amount), else_=0)),
        func.sum(case((in_period, 1), else_=0)),
    ).where(LedgerEntry.activity_id.in_(activity_ids), LedgerEntry.entry_date <= last)
        .group_by(LedgerEntry.activity_id)).all()
    cents = Decimal("0.01")
    return {a: [Decimal(o or 0).quantize(cents), Decimal(c or 0).quantize(cents),
                Decimal(d or 0).quantize(cents), int(n or 0)] for a, o, c, d, n in rows}


def _add_movement(figures, activity_id, amount, day, first, last):
    row = figures.setdefault(activity_id, [ZERO, ZERO, ZERO, 0])
    if day < first:
        row[0] += amount
    elif day <= last:
        row[1 if amount > 0 else 2] += amount
        row[3] += 1


def count_done(session: Session, run_id: str, result: ChunkResult) -> list[Emit]:
    """Count the done chunks under the run's row lock (the last step of a chunk's transaction,
    so the lock is held only for the commit); the last chunk finishes the run, locks the
    period for every activity and returns ``month_closed``."""
    run = session.execute(select(MonthEndRun).where(MonthEndRun.id == run_id)
                          .with_for_update()).scalar_one()
    done = session.execute(select(func.count()).select_from(MonthEndChunk).where(
        MonthEndChunk.run_id == run.id, MonthEndChunk.status == "done")).scalar_one()
    run.chunks_done = done
    result.chunks_pending = run.chunks_total - done
    if done == run.chunks_total and run.status != "finished":
        run.status, run.finished_at = "finished", utcnow()
        periods.lock(session, run.period)  # every activity: the month is closed
        result.finished = run
        return [closed_event(run)]
    return []


def _aware(instant: dt.datetime) -> dt.datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.timezone.utc)


def duration(run: MonthEndRun) -> float:
    """Seconds from the start to the end of the run (or to now while it runs)."""
    return max((_aware(run.finished_at or utcnow()) - _aware(run.started_at)).total_seconds(), 0.0)


def closed_event(run: MonthEndRun) -> Emit:
    return Emit("month_closed", {"run_id": run.id, "period": run.period,
                                 "activities": run.activities_total}, run.id)


def record_failure(connection, run_id: str, chunk_no: int, error: str) -> None:
    """Count a failed attempt on the chunk (outside the failed transaction)."""
    connection.execute(update(MonthEndChunk).where(
        MonthEndChunk.run_id == run_id, MonthEndChunk.chunk_no == chunk_no, MonthEndChunk.status != "done")
        .values(failures=MonthEndChunk.failures + 1, last_error=error[:2000]))


def status(session: Session, run_id: str, max_attempts: int) -> dict:
    run = session.get(MonthEndRun, run_id)
    if run is None:
        raise NotFound(f"no month-end run {run_id}", {"run_id": ["unknown run"]})
    failed = MonthEndChunk.failures >= max_attempts
    row = session.execute(select(
        func.count().filter(MonthEndChunk.status == "done"),
        func.coalesce(func.sum(case((MonthEndChunk.status == "done", MonthEndChunk.activities), else_=0)), 0),
        func.count().filter(MonthEndChunk.status != "done", failed),
        func.coalesce(func.sum(case(((MonthEndChunk.status != "done") & failed, MonthEndChunk.activities),
                                    else_=0)), 0),
        func.count().filter(MonthEndChunk.status != "done", MonthEndChunk.failures > 0, ~failed),
    ).where(MonthEndChunk.run_id == run_id)).one()
    chunks_done, activities_done, chunks_failed, activities_failed, retrying = (int(v or 0) for v in row)
    elapsed = duration(run)
    return {"run_id": run.id, "period": run.period, "status": run.status,
            "chunks_total": run.chunks_total, "chunks_done": chunks_done,
            "chunks_failed": chunks_failed, "chunks_retrying": retrying,
            "chunks_pending": run.chunks_total - chunks_done,
            "activities_total": run.activities_total, "activities_done": activities_done,
            "activities_failed": activities_failed, "started_at": run.started_at,
            "finished_at": run.finished_at, "elapsed_seconds": round(elapsed, 3),
            "activities_per_second": round(activities_done / elapsed, 1) if elapsed > 0 else 0.0}


def pending_by_period(connection, since: dt.datetime) -> dict[str, int]:
    """Chunks still to do per period, for runs running or finished since ``since`` (a session
    or a read-only connection)."""
    rows = connection.execute(select(MonthEndRun.period, MonthEndRun.chunks_total - MonthEndRun.chunks_done)
                           .where(or_(MonthEndRun.status == "running", MonthEndRun.finished_at >= since)))
    return {period: int(pending) for period, pending in rows}
