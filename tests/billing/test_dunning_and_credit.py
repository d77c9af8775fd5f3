"""Credit notes, payments and dunning over RPC, with the events other services read."""
import datetime as dt

from services.billing.service import BillingService
from tests.billing.conftest import Platform


def test_partial_credit_then_payment_of_the_rest_pays_the_invoice(platform, record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    invoice = platform.invoice(activity, client, [("1", "100.00", "21")])  # 121.00, fee 6.50
    note = platform.billing.credit_invoice({"invoice_id": invoice["id"], "reason": "half cancelled", "lines": [
        {"description": "Work", "quantity": "0.5", "unit_price": "100.00", "vat_category": "S", "vat_rate": "21"}]})
    assert (note["document_type"], note["total_gross"], note["fee"]) == ("credit_note", "60.50", "3.25")
    assert note["number"].startswith("C-") and note["credited_invoice_id"] == invoice["id"]
    [event] = recorder.wait_for("credit_note_issued")
    assert (event["data"]["fee_reversed"], event["data"]["vat_breakdown"]) == (
        "3.25", [{"category": "S", "rate": "21.00", "base": "50.00", "vat": "10.50"}])
    assert platform.billing.get_invoice(invoice["id"])["outstanding"] == "60.50"
    platform.billing.record_payment({"amount": "60.50", "value_date": "2026-11-26",
                                     "structured_reference": invoice["payment_reference"]})
    [paid] = recorder.wait_for("invoice_paid")
    assert paid["data"]["invoice_id"] == invoice["id"]
    assert platform.billing.get_invoice(invoice["id"])["status"] == "paid"
    assert platform.billing.get_activity(activity)["balance"] == "46.75"  # -6.50 + 3.25 + 50.00
    ubl = platform.billing.invoice_ubl(note["id"])["xml"]
    assert "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>" in ubl


def test_overlapping_dunning_runs_send_each_level_once_then_write_off(start_service, make_db, cluster,
                                                                       publish_event, record_events,
                                                                       fake_declarations):
    recorder = record_events("billing")
    start_service(BillingService, make_db("billing"), DUNNING_INTERVAL=0.2)  # the timer runs too
    platform = Platform(cluster, publish_event, None)
    activity, client = platform.activity(), platform.client()
    invoice = platform.invoice(activity, client, [("1", "1000.00", "21")])
    payout = platform.billing.request_salary(activity, [dt.date.today().isoformat()], "500.00")
    assert payout["advanced"] == "565.00"  # 500 salary cost on a balance of -65 (the fee)
    due = dt.date.fromisoformat(invoice["due_date"])
    replies = [cluster.billing.run_dunning.call_async({"as_of": (due + dt.timedelta(days=45)).isoformat()})
               for _ in range(3)]
    assert sum(reply.result()["reminders"] for reply in replies) == 3
    events = recorder.wait_for("invoice_overdue", 3)
    assert sorted(e["data"]["reminder_level"] for e in events) == [1, 2, 3]
    result = cluster.billing.run_dunning({"as_of": (due + dt.timedelta(days=90)).isoformat()})
    assert (result["reminders"], result["written_off"]) == (0, 1)
    [written] = recorder.wait_for("invoice_written_off")
    assert (written["data"]["amount"], written["data"]["invoice_id"]) == ("1210.00", invoice["id"])
    fund = platform.billing.guarantee_fund_status()
    assert (fund["advanced"], fund["losses"], fund["outstanding"]) == ("565.00", "565.00", "0.00")
    assert platform.billing.get_invoice(invoice["id"])["status"] == "written_off"
    assert platform.billing.get_activity(activity)["balance"] == "0.00"
    assert len(recorder.of_type("invoice_overdue")) == 3
