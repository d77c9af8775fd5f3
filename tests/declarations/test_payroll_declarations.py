"""Dimona, DmfA and the 274 from billing's salary payouts (published here with publish_event
as docs/contracts.md describes them: billing does not publish them yet)."""
from lxml import etree

from shared.testing import wait_until
from tests.declarations.conftest import new_id, payout

STAFF = {"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]}


def dimonas(staff, status=None):
    query = {"kind": "dimona"} if status is None else {"kind": "dimona", "status": status}
    return staff.declarations.list_declarations(query)


def test_payout_path_dimona_before_work_then_the_quarter_dmfa_holds_the_worker(
        declarations, publish_event, member_cluster, record_events):
    """The full path: a payout approved -> a Dimona IN due by the first work date -> the
    quarter's DmfA has the worker's line with an occupation per payout."""
    recorder = record_events("declarations")
    declarations()
    staff = member_cluster(STAFF)
    member = new_id()
    first = payout(["2026-02-02", "2026-02-03", "2026-02-04"], "2026-02-10", member_id=member)
    second = payout(["2026-03-16"], "2026-03-20", member_id=member, worker_category="artist",
                    gross="500.00", employee_contributions="70.58", withholding_tax="0.00",
                    net="429.42", employer_contributions="135.00", employer_cost="635.00")
    publish_event("billing", "salary_payout_approved", first)
    publish_event("billing", "salary_payout_approved", second)

    [declared, _] = sorted(recorder.wait_for("dimona_declared", 2), key=lambda e: e["data"]["start_date"])
    assert declared["data"]["payout_id"] == first["payout_id"]
    assert (declared["data"]["action"], declared["data"]["start_date"], declared["data"]["end_date"],
            declared["data"]["due_date"]) == ("IN", "2026-02-02", "2026-02-04", "2026-02-02")
    dimona = staff.declarations.get_declaration(declared["data"]["declaration_id"])
    assert dimona["status"] == "ready" and dimona["due_date"] <= "2026-02-02"
    xml = etree.fromstring(staff.declarations.export_declaration(dimona["id"])["file"].encode())
    assert [xml.find(f"{{*}}{tag}").text for tag in ("Action", "StartDate", "EndDate", "WorkerType")] == [
        "IN", "2026-02-02", "2026-02-04", "OTH"]

    dmfa = staff.declarations.dmfa({"period": "2026-Q1"})
    assert dmfa["due_date"] == "2026-04-30"
    assert [(w["member_id"], w["regime"], w["worker_code"], w["gross"], w["days"]) for w in dmfa["workers"]] == [
        (member, "artist", "015", "500.00", 1), (member, "employee", "495", "3000.00", 3)]
    employee_line = dmfa["workers"][1]
    assert employee_line["occupations"] == [{
        "payout_id": first["payout_id"], "first_work_date": "2026-02-02", "last_work_date": "2026-02-04",
        "days": 3, "gross": "3000.00", "employee_contributions": "392.10", "employer_contributions": "750.00"}]

    february = staff.declarations.withholding_return({"period": "2026-02"})
    assert february["totals"] == {"gross": "3000.00", "taxable": "2607.90", "withholding_tax": "414.20"}
    assert february["due_date"] == "2026-03-15"


def test_month_closed_makes_the_month_returns_ready(declarations, publish_event, member_cluster, record_events):
    recorder = record_events("declarations")
    declarations()
    staff = member_cluster(STAFF)
    publish_event("billing", "salary_payout_approved", payout(["2026-03-02"], "2026-03-05"))
    recorder.wait_for("dimona_declared")
    publish_event("billing", "month_closed", {"run_id": new_id(), "period": "2026-03", "activities": 12})
    ready = recorder.wait_for("declaration_ready", 4)  # the Dimona, then 274, VAT Q1, DmfA Q1
    kinds = sorted((e["data"]["kind"], e["data"]["period"]) for e in ready)
    assert kinds == [("dimona", "2026-03"), ("dmfa", "2026-Q1"), ("vat", "2026-Q1"), ("withholding", "2026-03")]
    assert staff.declarations.withholding_return({"period": "2026-03"})["status"] == "ready"
    # a redelivered month-end (another event id, same month) changes nothing
    publish_event("billing", "month_closed", {"run_id": new_id(), "period": "2026-03", "activities": 12})
    publish_event("billing", "month_closed", {"run_id": new_id(), "period": "2026-04", "activities": 1})
    wait_until(lambda: len(recorder.of_type("declaration_ready")) >= 5, timeout=10)
    assert len(recorder.of_type("declaration_ready")) == 5


def test_cancelled_payout_withdraws_the_dimona_and_its_figures(declarations, publish_event, member_cluster):
    declarations()
    staff = member_cluster(STAFF)
    kept = payout(["2026-05-04"], "2026-05-08")
    dropped = payout(["2026-05-11"], "2026-05-15")
    publish_event("billing", "salary_payout_approved", kept)
    publish_event("billing", "salary_payout_approved", dropped)
    wait_until(lambda: len(dimonas(staff)) == 2, timeout=15)
    publish_event("billing", "salary_payout_cancelled", {"payout_id": dropped["payout_id"],
                                                         "member_id": dropped["member_id"],
                                                         "activity_id": dropped["activity_id"]})
    wait_until(lambda: len(dimonas(staff, "cancelled")) == 1, timeout=15)
    assert [d["reference"] for d in dimonas(staff, "cancelled")] == [dropped["payout_id"]]
    assert staff.declarations.withholding_return({"period": "2026-05"})["totals"]["gross"] == "3000.00"
    workers = staff.declarations.dmfa({"period": "2026-Q2"})["workers"]
    assert [o["payout_id"] for w in workers for o in w["occupations"]] == [kept["payout_id"]]


def test_cancelling_a_submitted_dimona_declares_its_cancellation(declarations, publish_event, member_cluster,
                                                                 record_events):
    recorder = record_events("declarations")
    declarations()
    staff = member_cluster(STAFF)
    approved = payout(["2026-06-01", "2026-06-02"], "2026-06-05")
    publish_event("billing", "salary_payout_approved", approved)
    [declared] = recorder.wait_for("dimona_declared")
    staff.declarations.mark_submitted({"declaration_id": declared["data"]["declaration_id"]})
    publish_event("billing", "salary_payout_cancelled", {"payout_id": approved["payout_id"],
                                                         "member_id": approved["member_id"],
                                                         "activity_id": approved["activity_id"]})
    [_, cancelled] = recorder.wait_for("dimona_declared", 2)
    assert (cancelled["data"]["kind"], cancelled["data"]["action"]) == ("dimona_cancel", "CANCEL")
    assert staff.declarations.get_declaration(declared["data"]["declaration_id"])["status"] == "submitted"


def test_a_cancellation_arriving_before_its_approval_waits_for_it(declarations, publish_event, member_cluster):
    declarations(EVENT_RETRY_DELAYS=[0.5, 1, 2])
    staff = member_cluster(STAFF)
    approved = payout(["2026-07-01"], "2026-07-03")
    publish_event("billing", "salary_payout_cancelled", {"payout_id": approved["payout_id"],
                                                         "member_id": approved["member_id"],
                                                         "activity_id": approved["activity_id"]})
    publish_event("billing", "salary_payout_approved", approved)
    wait_until(lambda: len(dimonas(staff, "cancelled")) == 1, timeout=15)
    assert staff.declarations.withholding_return({"period": "2026-07"})["totals"]["gross"] == "0.00"
