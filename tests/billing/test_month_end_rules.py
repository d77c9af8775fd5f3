"""Month-end rules checked through the domain: recurring templates, statements, locked periods,
chunks closed once."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from services.billing.domain import activities, month_end, periods, recurring
from services.billing.models import Invoice, LedgerEntry, MonthEndRun, PeriodStatement, RecurringIssue, Reminder
from shared.errors import PreconditionFailed, ValidationError
from tests.billing.conftest import TODAY, line_data

PERIOD = "2026-11"


def template(books, activity_id, client_id, frequency="monthly", start=dt.date(2026, 1, 1), end=None,
             lines=(("2", "100.00", "21"), ("1", "50.00", "6"))):
    with books.tx() as s:
        return recurring.create(s, {"activity_id": activity_id, "client_id": client_id,
                                    "frequency": frequency, "start_date": start, "end_date": end,
                                    "lines": [line_data(*ln) for ln in lines]}).id


def run_all(books, period=PERIOD, chunk_size=2, today=TODAY):
    with books.tx() as s:
        started = month_end.start(s, period, chunk_size, None)
        run_id, chunks = started.run.id, started.chunks
    results = []
    for number, ids in chunks:
        with books.tx() as s:
            result = month_end.close_chunk(s, run_id, period, number, ids, today, "F")
            result.events += month_end.count_done(s, run_id, result)
            results.append(result)
    return run_id, chunks, results


def test_a_template_is_due_monthly_or_every_third_month_until_its_end_date(books):
    activity, client = books.activity(), books.client()
    monthly = template(books, activity, client)
    quarterly = template(books, activity, client, "quarterly", dt.date(2026, 2, 15))
    ended = template(books, activity, client, end=dt.date(2026, 10, 31))
    later = template(books, activity, client, start=dt.date(2026, 12, 1))
    with books.tx() as s:
        due = {t.id for t in recurring.due_in(s, [activity], "2026-11")}
        assert due == {monthly, quarterly}  # Feb, May, Aug, Nov
        assert {t.id for t in recurring.due_in(s, [activity], "2026-10")} == {monthly, ended}
        assert {t.id for t in recurring.due_in(s, [activity], "2026-12")} == {monthly, later}


def test_a_template_follows_the_invoice_line_rules(books):
    activity, client = books.activity(), books.client()
    with pytest.raises(ValidationError) as refused:
        template(books, activity, client, lines=(("1", "10.00", "5", "Z"),))
    assert "vat_rate" in refused.value.fields
    with pytest.raises(ValidationError):
        template(books, activity, client, lines=())
    with pytest.raises(ValidationError) as refused:
        template(books, activity, client, start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 1))
    assert "end_date" in refused.value.fields


def test_the_run_issues_due_invoices_stores_statements_and_locks_the_period(books):
    client = books.client()
    first, second, idle = books.activity(), books.activity(), books.activity()
    template(books, first, client)  # 2 x 100 at 21% + 50 at 6%: net 250, VAT 45.00
    template(books, second, client, "quarterly", dt.date(2026, 8, 1))
    with books.tx() as s:
        activities.post(s, first, dt.date(2026, 10, 20), "turnover", Decimal("500.00"), "t:1")
        activities.post(s, first, dt.date(2026, 11, 3), "turnover", Decimal("120.00"), "t:2")
        activities.post(s, first, dt.date(2026, 11, 4), "expense", Decimal("-20.00"), "e:1")
    run_id, chunks, results = run_all(books)
    assert len(chunks) == 2
    assert results[-1].finished is not None
    assert [e.event_type for e in results[-1].events][-1] == "month_closed"
    with books.tx() as s:
        issued = s.execute(select(Invoice).order_by(Invoice.sequence)).scalars().all()
        assert [i.number for i in issued] == ["F-2026-000001", "F-2026-000002"]
        assert {i.activity_id for i in issued} == {first, second}
        assert all(i.total_net == Decimal("250.00") and i.total_vat == Decimal("45.00") for i in issued)
        statements = {p.activity_id: p for p in s.execute(select(PeriodStatement)).scalars()}
        assert set(statements) == {first, second, idle}
        mine = statements[first]
        # fee of 6.5% on 250.00 = 16.25, dated the run's day (26 Nov, in the period)
        assert (mine.opening_balance, mine.credits, mine.debits, mine.closing_balance, mine.entries) == (
            Decimal("500.00"), Decimal("120.00"), Decimal("-36.25"), Decimal("583.75"), 3)
        assert mine.closing_balance == activities.balance(s, first)
        assert statements[idle].closing_balance == Decimal("0.00")
        assert s.get(MonthEndRun, run_id).status == "finished"


def test_an_entry_dated_in_a_locked_period_is_refused_and_goes_to_the_next_one(books):
    activity = books.activity()
    run_all(books)
    with pytest.raises(PreconditionFailed) as refused, books.tx() as s:
        activities.post(s, activity, dt.date(2026, 11, 30), "expense", Decimal("-5.00"), "late")
    assert "entry_date" in refused.value.fields
    with books.tx() as s:
        activities.post(s, activity, dt.date(2026, 12, 1), "expense", Decimal("-5.00"), "late")
    # the global lock covers activities opened after the run
    newcomer = books.activity()
    with pytest.raises(PreconditionFailed), books.tx() as s:
        activities.post(s, newcomer, dt.date(2026, 11, 15), "turnover", Decimal("1.00"), "x")


def test_a_period_locked_for_one_activity_leaves_the_others_open(books):
    locked, other = books.activity(), books.activity()
    with books.tx() as s:
        periods.lock(s, "2026-10", locked)
    with pytest.raises(PreconditionFailed), books.tx() as s:
        activities.post(s, locked, dt.date(2026, 10, 5), "turnover", Decimal("1.00"), "a")
    with books.tx() as s:
        activities.post(s, other, dt.date(2026, 10, 5), "turnover", Decimal("1.00"), "b")


def test_a_chunk_done_twice_and_a_run_started_twice_change_nothing(books):
    client = books.client()
    for _ in range(3):
        template(books, books.activity(), client)
    run_id, chunks, _ = run_all(books)
    with books.tx() as s:
        again = month_end.start(s, PERIOD, 2, None)
        assert (again.created, again.run.id, again.chunks) == (False, run_id, [])
    for number, ids in chunks:
        with books.tx() as s:
            result = month_end.close_chunk(s, run_id, PERIOD, number, ids, TODAY, "F")
            assert result.already_done and not result.events
    with books.tx() as s:
        assert s.execute(select(func.count()).select_from(Invoice)).scalar() == 3
        assert s.execute(select(func.count()).select_from(RecurringIssue)).scalar() == 3
        assert s.execute(select(func.count()).select_from(PeriodStatement)).scalar() == 3
        assert s.execute(select(func.count()).select_from(LedgerEntry)).scalar() == 3  # the fees


def test_the_run_duns_the_chunk_overdue_invoices(books):
    activity, client = books.activity(), books.client()
    books.invoice(activity, client, [("1", "100.00")], today=dt.date(2026, 9, 1))  # due 1 Oct
    run_all(books)
    with books.tx() as s:
        reminders = s.execute(select(Reminder.level).order_by(Reminder.level)).scalars().all()
        assert reminders == [1, 2, 3]  # 56 days overdue on 26 Nov: 15, 30 and 45 reached


def test_status_counts_done_and_failed_chunks(books):
    for _ in range(5):
        books.activity()
    with books.tx() as s:
        started = month_end.start(s, PERIOD, 2, None)
    run_id, chunks = started.run.id, started.chunks
    number, ids = chunks[0]
    with books.tx() as s:
        result = month_end.close_chunk(s, run_id, PERIOD, number, ids, TODAY, "F")
        assert month_end.count_done(s, run_id, result) == []
    with books.engine.begin() as connection:
        for _ in range(3):
            month_end.record_failure(connection, run_id, 2, "boom")
        month_end.record_failure(connection, run_id, 3, "boom")
    with books.tx() as s:
        status = month_end.status(s, run_id, max_attempts=3)
    assert (status["chunks_total"], status["chunks_done"], status["chunks_failed"],
            status["chunks_retrying"], status["activities_done"], status["activities_failed"]) == (3, 1, 1, 1, 2, 2)


def test_a_period_without_activities_closes_at_once(books):
    with books.tx() as s:
        started = month_end.start(s, "2026-02", 10, None)
        assert (started.run.status, started.run.chunks_total) == ("finished", 0)
        assert [e.event_type for e in started.events] == ["month_closed"]
    activity = books.activity()
    with pytest.raises(PreconditionFailed), books.tx() as s:
        activities.post(s, activity, dt.date(2026, 2, 10), "turnover", Decimal("1.00"), "feb")


def test_a_posting_in_flight_holds_its_activity_until_it_is_in_the_statement(books, backend):
    """PostgreSQL: an uncommitted posting holds its activity FOR SHARE; the chunk that closes
    the period waits for it (here: gives up after a lock timeout), then counts it."""
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers: a chunk and a posting never overlap")
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    activity = books.activity()
    with books.tx() as s:
        started = month_end.start(s, PERIOD, 10, None)
        run_id, (number, ids) = started.run.id, started.chunks[0]
    posting = books.sessions()
    activities.post(posting, activity, dt.date(2026, 11, 20), "turnover", Decimal("70.00"), "in-flight")
    posting.flush()
    with pytest.raises(OperationalError), books.tx() as s:
        s.execute(text("SET LOCAL lock_timeout = '300ms'"))
        month_end.close_chunk(s, run_id, PERIOD, number, ids, TODAY, "F")
    posting.commit()
    posting.close()
    with books.tx() as s:
        result = month_end.close_chunk(s, run_id, PERIOD, number, ids, TODAY, "F")
        month_end.count_done(s, run_id, result)
    with books.tx() as s:
        statement = s.execute(select(PeriodStatement)).scalar_one()
        assert (statement.credits, statement.closing_balance) == (Decimal("70.00"), Decimal("70.00"))


def test_pending_chunks_are_read_per_period_for_the_gauge(books):
    for _ in range(3):
        books.activity()
    run_id, chunks, _ = run_all(books, chunk_size=2)
    with books.tx() as s:
        month_end.start(s, "2026-12", 1, None)  # three chunks of one, none done yet
        since = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        assert month_end.pending_by_period(s, since) == {PERIOD: 0, "2026-12": 3}
