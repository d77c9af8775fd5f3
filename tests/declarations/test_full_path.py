"""The full path with the real billing service: billing approves a payout (its payslip computed
by declarations over RPC) -> the Dimona IN is there before the work starts -> the quarter's
DmfA holds the worker's line; billing's invoice lands in the VAT return."""
import datetime as dt

import pytest

from services.declarations.domain import periods
from shared.testing import wait_until
from tests.declarations.conftest import new_id

STAFF = {"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]}


def test_billing_payout_to_dimona_to_dmfa(declarations, start_service, make_db, cluster, publish_event,
                                           member_cluster, record_events):
    billing = pytest.importorskip("services.billing.service")
    recorder = record_events("declarations")
    declarations()
    start_service(billing.BillingService, make_db("billing"))
    staff = member_cluster(STAFF)

    member = new_id()
    publish_event("membership", "member_admitted", {"member_id": member, "number": 7, "member_class": "A",
                                                    "admitted_on": "2026-01-05", "paid_shares": 1})
    activity = wait_until(lambda: _open_activity(cluster, member), timeout=10)
    client = cluster.billing.register_client({
        "kind": "company", "name": "Brasserie Cantillon", "vat_number": "BE 0403.019.261", "country": "BE",
        "street": "Rue Gheude 56", "city": "Anderlecht", "postal_code": "1070", "email": "ap@example.be"})["id"]
    draft = cluster.billing.create_invoice({"activity_id": activity, "client_id": client, "lines": [
        {"description": "Stage design", "quantity": "1", "unit_price": "3000.00", "vat_category": "S",
         "vat_rate": "21"}]})
    issued = cluster.billing.issue_invoice(draft["id"])
    cluster.billing.record_payment({"amount": issued["total_gross"], "value_date": dt.date.today().isoformat(),
                                    "invoice_id": issued["id"]})

    start = dt.date.today() + dt.timedelta(days=10)
    work_dates = [start.isoformat(), (start + dt.timedelta(days=1)).isoformat()]
    payout = cluster.billing.request_salary({"activity_id": activity, "work_dates": work_dates,
                                             "amount": "1000.00"})
    assert (payout["gross"], payout["employer_cost"]) == ("800.00", "1000.00")

    [declared] = recorder.wait_for("dimona_declared", timeout=15)
    assert declared["data"]["payout_id"] == payout["id"]
    assert (declared["data"]["start_date"], declared["data"]["end_date"]) == tuple(work_dates)
    dimona = staff.declarations.get_declaration(declared["data"]["declaration_id"])
    assert dimona["status"] == "ready"
    assert dt.datetime.fromisoformat(dimona["created_at"]).date() < start
    assert dimona["due_date"] == start.isoformat()

    dmfa = staff.declarations.dmfa({"period": periods.quarter_of(start)})
    [worker] = dmfa["workers"]
    assert (worker["member_id"], worker["regime"], worker["gross"], worker["days"]) == (member, "employee",
                                                                                         "800.00", 2)
    assert worker["employee_contributions"] == payout["employee_contributions"] == "104.56"
    assert [o["payout_id"] for o in worker["occupations"]] == [payout["id"]]

    vat_period = periods.period_of(dt.date.fromisoformat(issued["issue_date"]), periods.QUARTERLY)
    wait_until(lambda: staff.declarations.vat_return({"period": vat_period})["totals"]["03"] == "3000.00",
               timeout=10)
    assert staff.declarations.vat_return({"period": vat_period})["totals"]["54"] == "630.00"


def _open_activity(cluster, member):
    try:
        return cluster.billing.open_activity({"member_id": member, "name": "Studio"})["id"]
    except Exception:
        return None
