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

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.orm import Session

from services.billing.domain import Emit, bulk_insert, closing, dunning, invoices, periods, recurring
from services.billing.models import (
    Activity,
    LedgerEntry,
    LockedPeriod,
    MemberStanding,
    MonthEndChunk,
    MonthEndRun,
    PeriodStatement,
    RecurringIssue,
)
from shared import parameters
from shared.clock import utcnow
from shared.errors import NotFound


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
    chunks = closing.chunks(activity_ids, chunk_size)
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
    # dunning first: the chunk's overdue invoices, locked in one query (invoice, then activity:
    # the order a payment takes its locks in)
    events: list[Emit] = []
    for invoice in dunning.overdue_of(session, todo, today):
        events.extend(dunning.dun_locked(session, invoice, today))

    facts = _closing_facts(session, todo, period, today, first, last)
    issuable = closing.issuable(facts.templates, facts.issued, facts.activity_status, facts.in_good_standing)
    documents = invoices.prepare_bulk(
        session, [recurring.draft(t, period, facts.payment_terms_days) for t in issuable], today)
    for document in documents:  # the fee each issue debits, dated today
        facts.figures.setdefault(document.activity_id, closing.Figures()).add(-document.fee, today, first, last)
    invoices.write_unnumbered(session, documents)
    if documents:
        bulk_insert(session, RecurringIssue.__table__, [
            {"template_id": t.id, "period": period, "invoice_id": d.id}
            for t, d in zip(issuable, documents, strict=True)])

    now = utcnow()
    bulk_insert(session, PeriodStatement.__table__,
                closing.statement_rows(todo, facts.figures, period, run_id, now))
    locks = closing.locks_due(todo, period, periods._known(session), now)
    if locks:
        bulk_insert(session, LockedPeriod.__table__, locks)

    # last, under the series lock until the commit: the numbers, stamped with one UPDATE
    invoices.number(session, documents, today, series)
    events.extend(invoices.issued_event(d) for d in documents)
    return events, documents


def _closing_facts(session, todo, period, today, first, last) -> closing.ClosingFacts:
    """The activities held against postings while their period closes, then everything the
    closing and the issuing look at, read once: activities, members, locks, rates, the
    recurring invoices due and those already issued for the period, the ledger's figures."""
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
    templates = recurring.due_in(session, todo, period)
    issued = set(session.execute(select(RecurringIssue.template_id).where(
        RecurringIssue.period == period,
        RecurringIssue.template_id.in_([t.id for t in templates]))).scalars()) if templates else set()
    return closing.ClosingFacts(
        activity_status={a.id: a.status for a in loaded}, templates=templates, issued=issued,
        in_good_standing=lambda member_id: _good(fetched.get((MemberStanding, member_id)), today),
        payment_terms_days=terms, figures=_ledger_figures(session, todo, first, last))  # before our postings


def _good(member: MemberStanding | None, today: dt.date) -> bool:
    """In good standing, shares covering the day of the run."""
    return member is not None and member.good_standing_on(today)


def _ledger_figures(session, activity_ids, first, last) -> dict[str, closing.Figures]:
    """Per activity: the period's figures from its ledger entries, one query."""
    in_period = LedgerEntry.entry_date >= first
    rows = session.execute(select(
        LedgerEntry.activity_id,
        func.sum(case((~in_period, LedgerEntry.amount), else_=0)),
        func.sum(case((in_period & (LedgerEntry.amount > 0), LedgerEntry.amount), else_=0)),
        func.sum(case((in_period & (LedgerEntry.amount < 0), LedgerEntry.amount), else_=0)),
        func.sum(case((in_period, 1), else_=0)),
    ).where(LedgerEntry.activity_id.in_(activity_ids), LedgerEntry.entry_date <= last)
        .group_by(LedgerEntry.activity_id)).all()
    return {a: closing.figures_from_sums(o, c, d, n) for a, o, c, d, n in rows}


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
    if closing.run_finishes(done, run.chunks_total, run.status):
        run.status, run.finished_at = "finished", utcnow()
        periods.lock(session, run.period)  # every activity: the month is closed
        result.finished = run
        return [closed_event(run)]
    return []


def duration(run: MonthEndRun) -> float:
    """Seconds from the start to the end of the run (or to now while it runs)."""
    return closing.elapsed_seconds(run.started_at, run.finished_at, utcnow())


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
            "activities_per_second": closing.activities_per_second(activities_done, elapsed)}


def pending_by_period(connection, since: dt.datetime) -> dict[str, int]:
    """Chunks still to do per period, for runs running or finished since ``since`` (a session
    or a read-only connection)."""
    rows = connection.execute(select(MonthEndRun.period, MonthEndRun.chunks_total - MonthEndRun.chunks_done)
                           .where(or_(MonthEndRun.status == "running", MonthEndRun.finished_at >= since)))
    return {period: int(pending) for period, pending in rows}
