"""Deadlines of each declaration, and alerts raised once before and once after them."""
import datetime as dt

import eventlet
import pytest
import requests

from services.declarations.domain import periods
from services.declarations.models import shipped_parameters
from shared.errors import ValidationError
from shared.parameters import ParameterBook
from shared.testing import wait_until
from tests.declarations.conftest import invoice, payout

STAFF = {"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]}
BOOK = ParameterBook([(r["name"], r["value"], r["effective_from"]) for r in shipped_parameters()])


@pytest.mark.parametrize("kind, period, due", [
    ("withholding", "2026-11", "2026-12-15"),
    ("withholding", "2026-12", "2027-01-15"),
    ("vat", "2026-Q1", "2026-04-25"),
    ("vat", "2024-Q4", "2025-01-20"),
    ("vat", "2026-02", "2026-03-20"),
    ("dmfa", "2026-Q1", "2026-04-30"),
    ("dmfa", "2026-Q2", "2026-07-31"),
    ("dmfa", "2026-Q4", "2027-01-31"),
])
def test_legal_deadlines(kind, period, due):
    assert periods.due_date(BOOK, kind, period).isoformat() == due


def test_dimona_is_due_when_work_starts():
    assert periods.due_date(BOOK, "dimona", "2026-03", dt.date(2026, 3, 2)) == dt.date(2026, 3, 2)


def test_alerts_are_raised_once_before_and_once_after_the_deadline(declarations, publish_event,
                                                                   member_cluster, record_events):
    recorder = record_events("declarations")
    declarations()
    staff = member_cluster(STAFF)
    publish_event("billing", "invoice_issued", invoice("2025-11-03", ("S", "21.00", "100.00", "21.00")))
    wait_until(lambda: staff.declarations.vat_return({"period": "2025-Q4"})["totals"]["03"] == "100.00", timeout=15)
    # VAT Q4 2025 is due 2026-01-25 (quarterly returns: the 25th since 2025); alerts five days ahead
    assert staff.declarations.check_deadlines({"today": "2026-01-19"}) == []
    [due] = staff.declarations.check_deadlines({"today": "2026-01-20"})
    assert (due["alert"], due["kind"], due["due_date"]) == ("due", "vat", "2026-01-25")
    assert staff.declarations.check_deadlines({"today": "2026-01-21"}) == []
    [overdue] = staff.declarations.check_deadlines({"today": "2026-01-26"})
    assert overdue["alert"] == "overdue"
    assert staff.declarations.check_deadlines({"today": "2026-01-27"}) == []
    [event] = recorder.wait_for("declaration_due")
    assert (event["data"]["days_left"], event["data"]["period"]) == (5, "2025-Q4")
    recorder.wait_for("declaration_overdue")
    assert len(recorder.of_type("declaration_due")) == 1


def test_submitted_declarations_raise_no_alert(declarations, publish_event, member_cluster):
    declarations()
    staff = member_cluster(STAFF)
    publish_event("billing", "salary_payout_approved", payout(["2025-12-01"], "2025-12-04"))
    wait_until(lambda: staff.declarations.list_declarations({"kind": "dimona"}), timeout=15)
    [dimona] = staff.declarations.list_declarations({"kind": "dimona"})
    staff.declarations.mark_submitted({"declaration_id": dimona["id"], "submission_reference": "DIMONA-42"})
    # the Dimona was due 2025-12-01 but is submitted; the 274 (2026-01-15) and DmfA (2026-01-31) are later
    assert staff.declarations.check_deadlines({"today": "2025-12-10"}) == []
    alerts = staff.declarations.check_deadlines({"today": "2026-02-01"})
    assert sorted((a["kind"], a["alert"]) for a in alerts) == [("dmfa", "overdue"), ("withholding", "overdue")]


def test_a_deadline_check_from_the_future_is_refused(declarations, member_cluster):
    declarations()
    with pytest.raises(ValidationError):
        member_cluster(STAFF).declarations.check_deadlines({"today": "2999-01-01"})


def test_the_timer_publishes_declaration_due_once_and_counts_it(declarations, publish_event, record_events):
    recorder = record_events("declarations")
    container, _ = declarations(DEADLINE_CHECK_INTERVAL=0.3)
    start = dt.date.today() + dt.timedelta(days=2)
    publish_event("billing", "salary_payout_approved", payout([start.isoformat()], start.isoformat()))
    [due] = recorder.wait_for("declaration_due", timeout=10)
    assert (due["data"]["kind"], due["data"]["due_date"], due["data"]["days_left"]) == (
        "dimona", start.isoformat(), 2)
    eventlet.sleep(1.0)  # a few more ticks of the timer
    assert len(recorder.of_type("declaration_due")) == 1
    metrics = requests.get(f"http://{container.config['WEB_SERVER_ADDRESS']}/metrics", timeout=5).text
    assert 'coop_declaration_alerts_total{alert="due",kind="dimona"}' in metrics
