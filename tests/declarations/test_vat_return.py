"""Periodic VAT return from billing's events: grids equal the quarter's documents; a late
document lands in the next open return as a regularisation."""
from decimal import Decimal

from lxml import etree

from shared.testing import wait_until
from tests.declarations.conftest import credit_note, expense, invoice

STAFF = {"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]}
Q1_DOCUMENTS = [
    ("invoice_issued", invoice("2026-01-10", ("S", "21.00", "1000.00", "210.00"),
                               ("S", "6.00", "200.00", "12.00"))),
    ("invoice_issued", invoice("2026-02-03", ("S", "21.00", "333.33", "70.00"),
                               ("S", "12.00", "100.00", "12.00"), ("E", "0.00", "50.00", "0.00"))),
    ("invoice_issued", invoice("2026-03-31", ("AE", "0.00", "400.00", "0.00"),
                               ("K", "0.00", "250.00", "0.00"))),
    ("credit_note_issued", credit_note("2026-03-01", ("S", "21.00", "100.00", "21.00"))),
    ("expense_approved", expense("2026-01-20", "goods", "80.00", "16.80")),
    ("expense_approved", expense("2026-02-20", "services", "150.00", "31.50")),
    ("expense_approved", expense("2026-03-20", "investment", "1200.00", "252.00")),
    # April: the next quarter's
    ("invoice_issued", invoice("2026-04-01", ("S", "21.00", "999.00", "209.79"))),
]


def grids(staff, period):
    return staff.declarations.vat_return({"period": period})["totals"]


def test_quarter_vat_return_grids_are_the_sums_of_its_documents(declarations, publish_event, member_cluster):
    declarations()
    staff = member_cluster(STAFF)
    for event_type, data in Q1_DOCUMENTS:
        publish_event("billing", event_type, data)
    wait_until(lambda: grids(staff, "2026-Q2")["03"] == "999.00" and grids(staff, "2026-Q1")["83"] != "0.00"
               and grids(staff, "2026-Q1")["49"] != "0.00" and grids(staff, "2026-Q1")["00"] != "0.00",
               timeout=20)
    q1 = grids(staff, "2026-Q1")
    sales_vat = Decimal("210.00") + Decimal("12.00") + Decimal("70.00") + Decimal("12.00")
    deductible = Decimal("16.80") + Decimal("31.50") + Decimal("252.00")
    assert {g: q1[g] for g in ("00", "01", "02", "03", "45", "46", "49", "54", "59", "64", "81", "82", "83")} == {
        "00": "50.00", "01": "200.00", "02": "100.00", "03": "1333.33", "45": "400.00",
        "46": "250.00", "49": "100.00", "54": str(sales_vat), "59": str(deductible),
        "64": "21.00", "81": "80.00", "82": "150.00", "83": "1200.00"}
    # 71 = 54 - (59 + 64) = 304.00 - 321.30 < 0, so the cooperative is owed 17.30 (grid 72)
    assert (q1["71"], q1["72"]) == ("0.00", "17.30")
    q2 = grids(staff, "2026-Q2")
    assert (q2["03"], q2["54"], q2["71"]) == ("999.00", "209.79", "209.79")


def test_an_invoice_of_a_submitted_quarter_goes_to_the_next_return_as_a_regularisation(
        declarations, publish_event, member_cluster, record_events):
    recorder = record_events("declarations")
    declarations()
    staff = member_cluster(STAFF)
    publish_event("billing", "invoice_issued", invoice("2026-02-10", ("S", "21.00", "1000.00", "210.00")))
    wait_until(lambda: grids(staff, "2026-Q1")["03"] == "1000.00", timeout=20)
    q1 = staff.declarations.vat_return({"period": "2026-Q1", "prepare": True})
    assert q1["status"] == "ready"
    submitted = staff.declarations.mark_submitted({"declaration_id": q1["id"], "submission_reference": "INTERVAT-1"})
    assert submitted["status"] == "submitted"
    recorder.wait_for("declaration_submitted")

    late = invoice("2026-03-28", ("S", "6.00", "500.00", "30.00"))
    publish_event("billing", "invoice_issued", late)
    wait_until(lambda: grids(staff, "2026-Q2")["01"] == "500.00", timeout=20)
    q2 = staff.declarations.vat_return({"period": "2026-Q2"})
    assert q2["regularisations"] == [
        {"document_kind": "invoice", "document_id": late["invoice_id"], "period_of": "2026-Q1",
         "code": "01", "amount": "500.00"},
        {"document_kind": "invoice", "document_id": late["invoice_id"], "period_of": "2026-Q1",
         "code": "54", "amount": "30.00"}]
    # the submitted return and its file are unchanged
    q1_after = staff.declarations.get_declaration(q1["id"])
    assert (q1_after["totals"]["03"], q1_after["totals"]["01"]) == ("1000.00", "0.00")
    exported = etree.fromstring(staff.declarations.export_declaration(q1["id"])["file"].encode())
    amounts = {a.get("GridNumber"): a.text for a in exported.iter("{*}Amount")}
    assert amounts == {"03": "1000.00", "54": "210.00", "71": "210.00"}
    assert exported.find(".//{*}Quarter").text == "1"


def test_monthly_periodicity_gives_one_return_per_month(declarations, publish_event, member_cluster):
    declarations(VAT_PERIODICITY="monthly")
    staff = member_cluster(STAFF)
    publish_event("billing", "invoice_issued", invoice("2026-01-31", ("S", "21.00", "100.00", "21.00")))
    publish_event("billing", "invoice_issued", invoice("2026-02-01", ("S", "21.00", "40.00", "8.40")))
    wait_until(lambda: grids(staff, "2026-02")["03"] == "40.00" and grids(staff, "2026-01")["03"] == "100.00",
               timeout=20)
    assert staff.declarations.vat_return({"period": "2026-01"})["due_date"] == "2026-02-20"
