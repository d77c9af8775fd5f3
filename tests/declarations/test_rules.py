"""Declarations' rules as plain functions: no database, no broker (services/declarations/domain)."""
import datetime as dt
from decimal import Decimal

import pytest

from services.declarations.domain import intake, ledger, periods, reports
from services.declarations.domain.ledger import Document, Figure
from services.declarations.models import Declaration, Payout
from shared.errors import PreconditionFailed, ValidationError

D = Decimal
NOW = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC)


class Book:
    """The parameters a rule reads, the same on every date (the dated book is tested apart)."""

    def __init__(self, **values: str):
        self.values = {name.replace("__", "."): value for name, value in values.items()}

    def text(self, name: str, on: dt.date) -> str:
        return self.values[name]

    def decimal(self, name: str, on: dt.date) -> Decimal:
        return Decimal(self.text(name, on))

    def integer(self, name: str, on: dt.date) -> int:
        return int(self.text(name, on))


BOOK = Book(vat__rate_reduced="6.00", vat__rate_intermediate="12.00", vat__rate_standard="21.00",
            deadline__withholding_day="15", deadline__vat_day_monthly="20",
            deadline__vat_day_quarterly="25", deadline__dmfa_months_after_quarter="1",
            deadline__dimona_days_before_work="0")


def breakdown(category, rate, base, vat):
    return {"category": category, "rate": D(rate), "base": D(base), "vat": D(vat)}


# ---- periods and deadlines ----

def test_a_period_is_a_month_or_a_quarter_and_anything_else_is_refused():
    assert periods.parse("2026-11") == (2026, 11, 1)
    assert periods.parse("2026-Q4") == (2026, 10, 3)
    for wrong in ("2026-13", "2026-Q5", "2026-1", "november"):
        with pytest.raises(ValidationError):
            periods.parse(wrong)
    assert periods.following("2026-Q4") == "2027-Q1"
    assert periods.following("2026-12") == "2027-01"
    assert periods.bounds("2028-02") == (dt.date(2028, 2, 1), dt.date(2028, 2, 29))


def test_deadlines_follow_the_parameters_in_force_at_the_period_end():
    assert periods.due_date(BOOK, "withholding", "2026-11") == dt.date(2026, 12, 15)
    assert periods.due_date(BOOK, "vat", "2026-Q1") == dt.date(2026, 4, 25)
    assert periods.due_date(BOOK, "vat", "2026-02") == dt.date(2026, 3, 20)
    # the DmfA: the last day of the month after the quarter
    assert periods.due_date(BOOK, "dmfa", "2026-Q1") == dt.date(2026, 4, 30)
    start = dt.date(2026, 3, 2)
    assert periods.due_date(BOOK, "dimona", "2026-03", start_of_work=start) == start


def test_a_periodic_return_covers_its_kind_of_period():
    assert periods.check_return_period("dmfa", "2026-Q1", periods.MONTHLY) == "2026-Q1"
    assert periods.check_return_period("vat", "2026-03", periods.MONTHLY) == "2026-03"
    with pytest.raises(ValidationError):
        periods.check_return_period("withholding", "2026-Q1", periods.QUARTERLY)
    with pytest.raises(ValidationError):
        periods.check_return_period("vat", "2026-03", periods.QUARTERLY)


# ---- what documents bring ----

def test_an_invoice_brings_its_bases_by_rate_and_its_vat_to_grid_54():
    data = {"issue_date": dt.date(2026, 3, 10), "vat_breakdown": [
        breakdown("S", "21", "1000.00", "210.00"), breakdown("S", "6", "200.00", "12.00"),
        breakdown("AE", "0", "500.00", "0.00"), breakdown("S", "21", "100.00", "21.00")]}
    figures = intake.invoice_figures(BOOK, data)
    assert figures == [Figure("01", D("200.00")), Figure("03", D("1100.00")), Figure("45", D("500.00")),
                       Figure("54", D("243.00"))]


def test_a_rate_that_is_not_belgian_is_refused():
    data = {"issue_date": dt.date(2026, 3, 10), "vat_breakdown": [breakdown("S", "19", "100.00", "19.00")]}
    with pytest.raises(ValidationError):
        intake.invoice_figures(BOOK, data)


def test_a_credit_note_goes_to_grid_49_or_48_and_its_vat_to_64():
    data = {"vat_breakdown": [breakdown("S", "21", "100.00", "21.00"), breakdown("K", "0", "40.00", "0.00")]}
    assert intake.credit_note_figures(BOOK, data) == [
        Figure("48", D("40.00")), Figure("49", D("100.00")), Figure("64", D("21.00"))]


def test_an_expense_brings_its_net_by_kind_and_its_deductible_vat_to_grid_59():
    data = {"category": "services", "net": D("300.00"), "deductible_vat": D("63.00")}
    assert intake.expense_figures(data) == [Figure("59", D("63.00")), Figure("82", D("300.00"))]


def payout_data(**overrides):
    data = {"payout_id": "p1", "member_id": "m1", "activity_id": "a1", "worker_category": "artist",
            "work_dates": [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 3)],
            "first_work_date": dt.date(2026, 3, 2), "last_work_date": dt.date(2026, 3, 3),
            "pay_date": dt.date(2026, 3, 6), "gross": D("3000.00"), "employee_contributions": D("392.10"),
            "withholding_tax": D("414.20"), "net": D("2193.70"), "employer_contributions": D("750.00"),
            "employer_cost": D("3750.00")}
    data.update(overrides)
    return data


def test_a_payout_counts_its_distinct_work_days_and_cancelling_reverses_its_figures():
    payout = intake.payout_from_event(payout_data())
    assert payout.work_days == 2
    withholding, dmfa = intake.payout_figures(payout, +1)
    assert withholding == [Figure("gross", D("3000.00")), Figure("taxable", D("2607.90")),
                           Figure("withholding_tax", D("414.20"))]
    assert dmfa[-1] == Figure("days", D(2), "m1", "artist")
    reversed_withholding, reversed_dmfa = intake.payout_figures(payout, -1)
    assert [f.amount for f in reversed_withholding] == [D("-3000.00"), D("-2607.90"), D("-414.20")]
    assert sum(f.amount for f in dmfa + reversed_dmfa) == 0


def test_a_payout_whose_last_work_date_is_before_its_first_is_refused():
    with pytest.raises(ValidationError):
        intake.payout_from_event(payout_data(last_work_date=dt.date(2026, 3, 1)))


def test_a_cancelled_payout_withdraws_an_unsubmitted_dimona_and_declares_the_cancellation_of_a_sent_one():
    assert intake.dimona_withdrawal("draft") == "withdraw"
    assert intake.dimona_withdrawal("ready") == "withdraw"
    assert intake.dimona_withdrawal("rejected") == "nothing"
    assert intake.dimona_withdrawal("submitted") == "declare"
    assert intake.dimona_withdrawal("accepted") == "declare"
    assert intake.dimona_withdrawal(None) == "declare"


def test_month_end_readies_the_274_and_the_returns_whose_period_ends():
    assert intake.returns_due_at_month_end("2026-02", periods.QUARTERLY) == [("withholding", "2026-02")]
    assert intake.returns_due_at_month_end("2026-02", periods.MONTHLY) == [
        ("withholding", "2026-02"), ("vat", "2026-02")]
    assert intake.returns_due_at_month_end("2026-03", periods.QUARTERLY) == [
        ("withholding", "2026-03"), ("vat", "2026-Q1"), ("dmfa", "2026-Q1")]
    assert intake.returns_due_at_month_end("2026-06", periods.MONTHLY) == [
        ("withholding", "2026-06"), ("vat", "2026-06"), ("dmfa", "2026-Q2")]


# ---- a declaration's life ----

def declaration(status="draft", **fields):
    return Declaration(id="d1", kind="vat", period="2026-Q1", reference="", status=status,
                       due_date=dt.date(2026, 4, 25), **fields)


def test_only_a_draft_becomes_ready_and_ready_again_changes_nothing():
    draft = declaration()
    assert ledger.make_ready(draft, NOW) is True
    assert (draft.status, draft.ready_at) == ("ready", NOW)
    assert ledger.make_ready(draft, NOW + dt.timedelta(hours=1)) is False
    assert draft.ready_at == NOW
    with pytest.raises(PreconditionFailed):
        ledger.make_ready(declaration("submitted"), NOW)


def test_only_a_ready_declaration_is_submitted_and_its_file_is_kept():
    ready = declaration("ready")
    ledger.submit(ready, "<vat/>", "staff-1", "INTERVAT-42", NOW)
    assert (ready.status, ready.submitted_at, ready.submitted_file) == ("submitted", NOW, "<vat/>")
    assert (ready.submitted_by, ready.submission_reference) == ("staff-1", "INTERVAT-42")
    with pytest.raises(PreconditionFailed):
        ledger.submit(declaration("draft"), "<vat/>", None, None, NOW)


def test_an_outcome_is_accepted_or_rejected_and_only_for_a_submitted_declaration():
    sent = declaration("submitted")
    ledger.settle(sent, "rejected", "grid 71 wrong", NOW)
    assert (sent.status, sent.outcome_at, sent.outcome_note) == ("rejected", NOW, "grid 71 wrong")
    with pytest.raises(ValidationError):
        ledger.settle(declaration("submitted"), "lost", None, NOW)
    with pytest.raises(PreconditionFailed):
        ledger.settle(declaration("ready"), "accepted", None, NOW)


def test_an_alert_is_due_within_the_lead_days_and_overdue_past_the_date():
    today = dt.date(2026, 4, 20)
    assert ledger.alert_of(dt.date(2026, 4, 25), today, 5) == "due"
    assert ledger.alert_of(dt.date(2026, 4, 20), today, 5) == "due"
    assert ledger.alert_of(dt.date(2026, 4, 26), today, 5) is None
    assert ledger.alert_of(dt.date(2026, 4, 19), today, 5) == "overdue"


def test_a_figure_booked_in_a_later_return_is_flagged_as_a_regularisation():
    document = Document("2026-03", "payout_cancel", "p1", [Figure("gross", D("-3000.00"))])
    own = ledger.line_rows("d3", "2026-03", document, NOW)
    later = ledger.line_rows("d4", "2026-04", document, NOW)
    assert [(r["declaration_id"], r["period_of"], r["regularisation"]) for r in own + later] == [
        ("d3", "2026-03", False), ("d4", "2026-03", True)]


# ---- what a declaration says ----

def test_the_vat_balance_goes_to_71_when_due_and_to_72_when_in_the_declarants_favour():
    owed = reports.vat_grids({"54": D("210.00"), "59": D("63.00")})
    assert (owed["71"], owed["72"], owed["03"]) == (D("147.00"), D("0.00"), D("0.00"))
    credit = reports.vat_grids({"54": D("21.00"), "59": D("50.00"), "64": D("10.00")})
    assert (credit["71"], credit["72"]) == (D("0.00"), D("39.00"))


def test_the_dmfa_holds_one_line_per_member_and_regime_and_skips_a_payout_cancelled_in_the_quarter():
    def payout(payout_id, first, last):
        return Payout(payout_id=payout_id, member_id="m1", worker_category="artist",
                      first_work_date=first, last_work_date=last)

    payouts = {"p1": payout("p1", dt.date(2026, 2, 2), dt.date(2026, 2, 3)),
               "p2": payout("p2", dt.date(2026, 1, 5), dt.date(2026, 1, 5)),
               "p3": payout("p3", dt.date(2026, 3, 9), dt.date(2026, 3, 9))}
    sums = [("m1", "artist", "p1", "gross", D("1000.00")), ("m1", "artist", "p1", "days", D("2")),
            ("m1", "artist", "p1", "employer_contributions", D("250.00")),
            ("m1", "artist", "p2", "gross", D("500.00")), ("m1", "artist", "p2", "days", D("1")),
            ("m1", "artist", "p3", "gross", D("0.00")), ("m1", "artist", "p3", "days", D("0"))]
    [worker] = reports.dmfa_workers(sums, payouts)
    assert (worker["worker_code"], worker["gross"], worker["days"]) == ("015", D("1500.00"), 3)
    assert [o["payout_id"] for o in worker["occupations"]] == ["p2", "p1"]  # by first work date
    assert worker["employer_contributions"] == D("250.00")


def test_a_dimona_declares_the_payout_and_a_cancellation_says_so():
    payout = Payout(payout_id="p1", member_id="m1", worker_category="student",
                    first_work_date=dt.date(2026, 7, 1), last_work_date=dt.date(2026, 7, 31))
    facts = reports.dimona_facts(payout, "dimona")
    assert (facts["worker_type"], facts["action"], facts["end_date"]) == ("STU", "IN", dt.date(2026, 7, 31))
    assert reports.dimona_facts(payout, "dimona_cancel")["action"] == "CANCEL"
