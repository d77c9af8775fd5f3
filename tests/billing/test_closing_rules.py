"""The month-end closing rules on plain facts: no database, no broker."""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from services.billing.domain.closing import (
    Figures,
    activities_per_second,
    chunks,
    elapsed_seconds,
    figures_from_sums,
    is_due,
    issuable,
    locks_due,
    parse_period,
    period_of,
    run_finishes,
    statement_rows,
)

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
FIRST, LAST = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def template(frequency="monthly", start=dt.date(2026, 1, 1), end=None, id="t1", activity="a1", member="m1"):
    return SimpleNamespace(id=id, activity_id=activity, member_id=member, frequency=frequency,
                           start_date=start, end_date=end)


def test_a_period_runs_from_its_first_to_its_last_day():
    assert parse_period("2026-11") == (FIRST, LAST)
    assert parse_period("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert parse_period("2026-12") == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert period_of(dt.date(2026, 3, 9)) == "2026-03"


def test_a_run_is_cut_into_numbered_chunks_the_last_one_shorter():
    assert chunks(["a", "b", "c", "d", "e"], 2) == [(1, ["a", "b"]), (2, ["c", "d"]), (3, ["e"])]
    assert chunks([], 250) == []


def test_a_monthly_template_is_due_every_month_from_its_start_until_its_end():
    monthly = template(start=dt.date(2026, 3, 20), end=dt.date(2026, 10, 5))
    assert [is_due(monthly, f"2026-{m:02d}") for m in (2, 3, 10, 11)] == [False, True, True, False]


def test_a_quarterly_template_is_due_every_third_month_from_its_start():
    quarterly = template("quarterly", dt.date(2026, 2, 15))
    due = [m for m in range(1, 13) if is_due(quarterly, f"2026-{m:02d}")]
    assert due == [2, 5, 8, 11]


def test_only_templates_not_yet_issued_on_open_activities_of_members_in_good_standing_are_issued():
    templates = [template(id="fresh"), template(id="issued"), template(id="closed", activity="a2"),
                 template(id="lapsed", member="m2")]
    chosen = issuable(templates, {"issued"}, {"a1": "open", "a2": "closed"}, lambda member: member == "m1")
    assert [t.id for t in chosen] == ["fresh"]


def test_a_movement_before_the_period_moves_the_opening_within_it_a_credit_or_debit_after_it_nothing():
    figures = Figures(Decimal("100.00"))
    figures.add(Decimal("-10.00"), dt.date(2026, 10, 31), FIRST, LAST)
    figures.add(Decimal("250.00"), dt.date(2026, 11, 3), FIRST, LAST)
    figures.add(Decimal("-42.50"), LAST, FIRST, LAST)
    figures.add(Decimal("-5.00"), dt.date(2026, 12, 1), FIRST, LAST)
    assert (figures.opening, figures.credits, figures.debits, figures.entries) == (
        Decimal("90.00"), Decimal("250.00"), Decimal("-42.50"), 2)
    assert figures.closing == Decimal("297.50")


def test_the_ledger_sums_are_read_as_cents_and_missing_sums_as_zero():
    figures = figures_from_sums(12.3, None, Decimal("-3.1"), 4)  # SQLite sums come back as floats
    assert (figures.opening, figures.credits, figures.debits, figures.entries) == (
        Decimal("12.30"), Decimal("0.00"), Decimal("-3.10"), 4)


def test_every_activity_closed_gets_a_statement_zeros_when_it_had_no_entries():
    figures = {"a1": Figures(Decimal("10.00"), Decimal("5.00"), Decimal("-2.00"), 3)}
    rows = statement_rows(["a1", "a2"], figures,
                          "2026-11", "run-1", NOW)
    assert [(r["activity_id"], r["opening_balance"], r["credits"], r["debits"], r["closing_balance"],
             r["entries"]) for r in rows] == [
        ("a1", Decimal("10.00"), Decimal("5.00"), Decimal("-2.00"), Decimal("13.00"), 3),
        ("a2", Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), 0)]
    assert {(r["period"], r["run_id"], r["created_at"]) for r in rows} == {("2026-11", "run-1", NOW)}


def test_the_period_is_locked_only_for_activities_that_do_not_hold_its_lock_yet():
    rows = locks_due(["a1", "a2", "a3"], "2026-11", {"a1": {"2026-11"}, "a2": {"2026-10"}}, NOW)
    assert rows == [{"activity_id": "a2", "period": "2026-11", "locked_at": NOW},
                    {"activity_id": "a3", "period": "2026-11", "locked_at": NOW}]


def test_the_chunk_that_completes_the_count_finishes_the_run_once():
    assert run_finishes(4, 4, "running")
    assert not run_finishes(3, 4, "running")
    assert not run_finishes(4, 4, "finished")


def test_a_run_lasts_from_its_start_to_its_end_or_to_now_and_never_less_than_zero():
    start = dt.datetime(2026, 12, 1, 1, 0)  # SQLite gives instants back without a zone: read as UTC
    assert elapsed_seconds(start, dt.datetime(2026, 12, 1, 1, 2, 30), NOW) == 150.0
    assert elapsed_seconds(start, None, NOW) == 3600.0
    assert elapsed_seconds(NOW, None, NOW - dt.timedelta(seconds=5)) == 0.0


def test_throughput_is_activities_done_per_second_to_a_tenth():
    assert activities_per_second(1000, 3.0) == 333.3
    assert activities_per_second(5, 0.0) == 0.0
