"""Redelivered events change no total; an event that cannot be processed is dead-lettered and
the service goes on with the others."""
from kombu import Connection

from shared.testing import wait_until
from tests.declarations.conftest import invoice, new_id, payout

STAFF = {"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]}


def dead_letters(amqp_uri) -> int:
    with Connection(amqp_uri) as connection:
        return connection.default_channel.queue_declare("declarations.dlq", passive=True).message_count


def test_the_same_event_delivered_twice_is_counted_once(declarations, publish_event, member_cluster):
    declarations()
    staff = member_cluster(STAFF)
    event_id = new_id()
    data = invoice("2026-01-15", ("S", "21.00", "1000.00", "210.00"))
    publish_event("billing", "invoice_issued", data, event_id=event_id)
    publish_event("billing", "invoice_issued", data, event_id=event_id)
    payout_event = new_id()
    approved = payout(["2026-01-20"], "2026-01-25")
    publish_event("billing", "salary_payout_approved", approved, event_id=payout_event)
    publish_event("billing", "salary_payout_approved", approved, event_id=payout_event)
    # a last, different invoice: once it is counted, the duplicates have been seen too
    publish_event("billing", "invoice_issued", invoice("2026-01-16", ("S", "6.00", "10.00", "0.60")))
    wait_until(lambda: staff.declarations.vat_return({"period": "2026-Q1"})["totals"]["01"] == "10.00", timeout=15)
    wait_until(lambda: staff.declarations.withholding_return({"period": "2026-01"})["totals"]["gross"] != "0.00",
               timeout=15)
    totals = staff.declarations.vat_return({"period": "2026-Q1"})["totals"]
    assert (totals["03"], totals["54"]) == ("1000.00", "210.60")
    assert staff.declarations.withholding_return({"period": "2026-01"})["totals"]["gross"] == "3000.00"
    assert len(staff.declarations.list_declarations({"kind": "dimona"})) == 1


def test_the_same_document_under_another_event_id_is_counted_once(declarations, publish_event, member_cluster):
    declarations()
    staff = member_cluster(STAFF)
    data = invoice("2026-02-15", ("S", "21.00", "100.00", "21.00"))
    publish_event("billing", "invoice_issued", data)
    publish_event("billing", "invoice_issued", data)
    publish_event("billing", "invoice_issued", invoice("2026-02-16", ("S", "12.00", "10.00", "1.20")))
    wait_until(lambda: staff.declarations.vat_return({"period": "2026-Q1"})["totals"]["02"] == "10.00", timeout=15)
    assert staff.declarations.vat_return({"period": "2026-Q1"})["totals"]["03"] == "100.00"


def test_an_unprocessable_event_is_dead_lettered_and_the_service_goes_on(
        declarations, publish_event, publish_raw, member_cluster, rabbit_config):
    declarations()
    staff = member_cluster(STAFF)
    assert dead_letters(rabbit_config["AMQP_URI"]) == 0
    malformed = invoice("2026-01-15", ("S", "21.00", "1000.00", "210.00"))
    del malformed["vat_breakdown"]
    publish_raw("billing", "invoice_issued", malformed)
    # a rate Belgium does not have cannot be put in a grid either
    publish_raw("billing", "invoice_issued", invoice("2026-01-15", ("S", "19.00", "100.00", "19.00")))
    publish_event("billing", "invoice_issued", invoice("2026-01-17", ("S", "21.00", "50.00", "10.50")))
    wait_until(lambda: dead_letters(rabbit_config["AMQP_URI"]) == 2, timeout=20)
    wait_until(lambda: staff.declarations.vat_return({"period": "2026-Q1"})["totals"]["03"] == "50.00", timeout=10)
    assert staff.declarations.vat_return({"period": "2026-Q1"})["totals"]["54"] == "10.50"
