"""Billing over RPC and events: the projection, invoicing, bad input, resource usage, salary."""
import datetime as dt
import uuid
from decimal import Decimal as D

import pytest

from shared.errors import Conflict, Forbidden, NotFound, ValidationError
from shared.testing import wait_until


def test_only_members_in_good_standing_may_open_an_activity(platform, record_events):
    recorder = record_events("billing")
    member = platform.admit()
    activity = platform.billing.open_activity({"member_id": member, "name": "Photography"})
    assert (activity["balance"], activity["available"], activity["status"]) == ("0.00", "0.00", "open")
    [opened] = recorder.wait_for("activity_opened")
    assert opened["data"] == {"activity_id": activity["id"], "member_id": member,
                              "opened_on": dt.date.today().isoformat()}
    platform.member_event("member_suspended", member, effective_date="2026-11-26")
    with pytest.raises(ValidationError) as error:
        platform.billing.open_activity({"member_id": member, "name": "Video"})
    assert "member_id" in error.value.fields
    platform.member_event("member_reinstated", member, effective_date="2026-11-27")
    platform.billing.open_activity({"member_id": member, "name": "Video"})
    with pytest.raises(ValidationError):  # never heard of: not in good standing
        platform.billing.open_activity({"member_id": str(uuid.uuid4()), "name": "Ghost"})


def test_a_member_reaches_only_their_own_activities(platform, member_cluster):
    owner, other = platform.admit(), platform.admit()
    activity = platform.activity(owner)
    as_owner = member_cluster({"member_id": owner, "roles": ["member"]})
    as_other = member_cluster({"member_id": other, "roles": ["member"]})
    assert as_owner.billing.get_activity(activity)["id"] == activity
    with pytest.raises(Forbidden):
        as_other.billing.get_activity(activity)
    with pytest.raises(Forbidden):
        as_other.billing.open_activity({"member_id": owner, "name": "Not mine"})


def test_invoice_issued_over_rpc_carries_base_and_vat_per_rate(platform, record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    draft = platform.invoice(activity, client, [("0.5", "0.69", "21")] * 3, issue=False)
    assert (draft["status"], draft["number"], draft["total_gross"]) == ("draft", None, "1.27")
    platform.billing.add_invoice_line({"invoice_id": draft["id"], "description": "Prints", "quantity": "3",
                                       "unit_price": "19.99", "vat_category": "S", "vat_rate": "6"})
    platform.billing.add_invoice_line({"invoice_id": draft["id"], "description": "Frames", "quantity": "2.5",
                                       "unit_price": "12.35", "vat_category": "S", "vat_rate": "12"})
    invoice = platform.billing.issue_invoice(draft["id"])
    assert invoice["number"].startswith(f"F-{dt.date.today().year}-")
    assert (invoice["total_net"], invoice["total_vat"], invoice["total_gross"], invoice["fee"]) == \
        ("91.90", "7.53", "99.43", "5.97")
    assert invoice["payment_reference"].startswith("+++1")
    [event] = recorder.wait_for("invoice_issued")
    assert event["data"]["vat_breakdown"] == [
        {"category": "S", "rate": "21.00", "base": "1.05", "vat": "0.22"},
        {"category": "S", "rate": "12.00", "base": "30.88", "vat": "3.71"},
        {"category": "S", "rate": "6.00", "base": "59.97", "vat": "3.60"}]
    assert (event["data"]["total_gross"], event["data"]["fee"]) == ("99.43", "5.97")
    assert platform.billing.get_activity(activity)["balance"] == "-5.97"
    listed = platform.billing.list_invoices({"activity_id": activity})
    assert [i["number"] for i in listed] == [invoice["number"]]


def test_bad_input_gets_a_typed_error_and_writes_nothing(platform, record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    invoice = platform.invoice(activity, client)
    billing = platform.billing
    line = {"description": "x", "quantity": "1", "unit_price": "10.00", "vat_category": "S", "vat_rate": "21"}
    with pytest.raises(NotFound):
        billing.create_invoice({"activity_id": str(uuid.uuid4()), "client_id": client, "lines": [line]})
    with pytest.raises(NotFound):
        billing.create_invoice({"activity_id": activity, "client_id": str(uuid.uuid4()), "lines": [line]})
    with pytest.raises(ValidationError) as error:
        billing.create_invoice({"activity_id": activity, "client_id": client, "lines": [{**line, "quantity": "-2"}]})
    assert "quantity" in error.value.fields
    with pytest.raises(ValidationError) as error:
        billing.create_invoice({"activity_id": activity, "client_id": client,
                                "lines": [{**line, "unit_price": "0.335"}]})
    assert "lines.0.unit_price" in error.value.fields
    with pytest.raises(ValidationError):
        billing.create_invoice({"activity_id": "not-a-uuid", "client_id": client})
    with pytest.raises(ValidationError):
        billing.create_invoice({"activity_id": activity, "client_id": client, "surprise": 1})
    with pytest.raises(Conflict):
        billing.issue_invoice(invoice["id"])
    with pytest.raises(NotFound):
        billing.issue_invoice(str(uuid.uuid4()))
    with pytest.raises(Conflict):
        billing.add_invoice_line({"invoice_id": invoice["id"], **line})
    with pytest.raises(ValidationError) as error:
        billing.register_client({"kind": "company", "name": "X", "vat_number": "BE0403019262", "country": "BE"})
    assert "vat_number" in error.value.fields
    with pytest.raises(ValidationError) as error:  # the budget is -6.50 (the fee)
        billing.submit_expense({"activity_id": activity, "expense_date": dt.date.today().isoformat(),
                                "category": "goods", "description": "Lens", "net": "100.00", "vat": "21.00"})
    assert "net" in error.value.fields
    member = platform.admit()
    suspended_activity = platform.activity(member)
    draft = platform.invoice(suspended_activity, client, issue=False)
    platform.member_event("member_suspended", member, effective_date="2026-11-26")
    with pytest.raises(ValidationError) as error:
        billing.issue_invoice(draft["id"])
    assert "member_id" in error.value.fields
    assert billing.get_invoice(invoice["id"])["number"] == invoice["number"]
    assert billing.get_invoice(draft["id"])["status"] == "draft"
    assert len(billing.list_invoices({"activity_id": activity})) == 1
    assert billing.get_activity(activity)["balance"] == "-6.50"
    assert billing.get_activity(suspended_activity)["balance"] == "0.00"
    wait_until(lambda: recorder.of_type("activity_opened") and len(recorder.of_type("activity_opened")) == 2)
    assert len(recorder.of_type("invoice_issued")) == 1
    assert recorder.of_type("expense_approved") == []


def test_resource_usage_debits_the_activity_once(platform, record_events):
    recorder = record_events("billing")
    activity = platform.activity()
    usage = {"usage_id": str(uuid.uuid4()), "booking_id": str(uuid.uuid4()), "resource_id": str(uuid.uuid4()),
             "member_id": str(uuid.uuid4()), "activity_id": activity, "hours": "2.5", "amount": "37.50",
             "started_at": "2026-11-20T09:00:00+00:00", "ended_at": "2026-11-20T11:30:00+00:00"}
    event_id = str(uuid.uuid4())
    platform.publish_event("resources", "usage_recorded", usage, event_id=event_id)
    platform.publish_event("resources", "usage_recorded", usage, event_id=event_id)  # redelivered
    platform.publish_event("resources", "usage_recorded", usage)  # same usage, new event id
    [charged] = recorder.wait_for("activity_charged")
    assert charged["data"] == {"activity_id": activity, "source": "resource_usage",
                               "reference": usage["usage_id"], "amount": "37.50"}
    wait_until(lambda: platform.billing.get_activity(activity)["balance"] == "-37.50")
    import eventlet
    eventlet.sleep(1)
    assert platform.billing.get_activity(activity)["balance"] == "-37.50"
    assert len(recorder.of_type("activity_charged")) == 1
    statement = platform.billing.activity_statement({"activity_id": activity, "start": "2026-11-01",
                                                     "end": "2026-11-30"})
    assert [(e["kind"], e["amount"], e["entry_date"]) for e in statement["entries"]] == [
        ("resource_usage", "-37.50", "2026-11-20")]
    assert statement["closing_balance"] == "-37.50"


def test_expense_submitted_and_approved_within_budget(platform, record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    invoice = platform.invoice(activity, client, [("10", "100.00", "21")])  # net 1000, fee 65
    platform.billing.record_payment({"amount": "1210.00", "value_date": "2026-11-26",
                                     "structured_reference": invoice["payment_reference"]})
    assert platform.billing.get_activity(activity)["balance"] == "935.00"
    expense = platform.billing.submit_expense({
        "activity_id": activity, "expense_date": dt.date.today().isoformat(), "category": "goods",
        "description": "Tripod", "net": "200.00", "vat": "42.00", "deductible_vat": "42.00"})
    assert platform.billing.get_activity(activity)["available"] == "735.00"
    with pytest.raises(ValidationError):  # 735 left while the tripod waits for approval
        platform.billing.submit_expense({
            "activity_id": activity, "expense_date": dt.date.today().isoformat(), "category": "services",
            "description": "Studio", "net": "800.00"})
    with pytest.raises(ValidationError) as error:
        platform.billing.submit_expense({
            "activity_id": activity, "expense_date": "2025-06-01", "category": "goods",
            "description": "Old receipt", "net": "10.00"})
    assert "closed on 2026-01-15" in error.value.fields["expense_date"][0]
    approved = platform.billing.decide_expense({"expense_id": expense["id"], "approve": True})
    assert (approved["status"], approved["cost"]) == ("approved", "200.00")
    [event] = recorder.wait_for("expense_approved")
    assert {k: event["data"][k] for k in ("net", "vat", "gross", "deductible_vat", "category")} == {
        "net": "200.00", "vat": "42.00", "gross": "242.00", "deductible_vat": "42.00", "category": "goods"}
    assert platform.billing.get_activity(activity)["balance"] == "735.00"


def test_salary_request_uses_the_payslip_and_the_fund_advances_the_shortfall(platform, fake_declarations,
                                                                            record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    platform.invoice(activity, client, [("1", "2000.00", "21")])  # fee 130.00
    payout = platform.billing.request_salary(activity, ["2026-11-23", "2026-11-24"], "1000.00")
    assert fake_declarations.calls == [{"employment_budget": "1000.00", "worker_category": "employee",
                                        "pay_date": "2026-12-03"}]
    assert (payout["gross"], payout["employer_cost"], payout["advanced"]) == ("800.00", "1000.00", "1130.00")
    assert payout["pay_date"] == "2026-12-03"  # 7 working days after Tue 24 Nov
    [event] = recorder.wait_for("salary_payout_approved")
    assert event["data"]["work_dates"] == ["2026-11-23", "2026-11-24"]
    # 800 - 104.56 = 695.44; 20% = 139.088
    assert (event["data"]["net"], event["data"]["withholding_tax"]) == ("556.35", "139.09")
    assert platform.billing.get_activity(activity)["balance"] == "0.00"
    fund = platform.billing.guarantee_fund_status()
    assert (fund["advanced"], fund["outstanding"]) == ("1130.00", "1130.00")
    with pytest.raises(ValidationError):  # nothing left to back a second advance of 1000
        platform.billing.request_salary(activity, ["2026-11-25"], "1000.00")
    assert len(fake_declarations.calls) == 1


def test_salary_against_the_real_declarations_service(platform, start_service):
    declarations = pytest.importorskip("services.declarations.service")
    start_service(declarations.DeclarationsService)
    activity, client = platform.activity(), platform.client()
    invoice = platform.invoice(activity, client, [("1", "3000.00", "21")])
    platform.billing.record_payment({"amount": invoice["total_gross"], "value_date": "2026-11-26",
                                     "invoice_id": invoice["id"]})
    payout = platform.billing.request_salary(activity, ["2026-11-23"], "1000.00")
    assert D(payout["employer_cost"]) <= D("1000.00")
    # 1000.00 = 800.00 gross + 25% employer contributions; at 800.00 the work bonus gives back the
    # 104.56 of employee contributions and the key formula leaves no tax (DOMAIN.md, Payroll 2026)
    assert (payout["gross"], payout["employee_contributions"], payout["withholding_tax"], payout["net"]) == (
        "800.00", "104.56", "0.00", "800.00")
    assert payout["advanced"] == "0.00"


def test_create_invoice_can_issue_in_the_same_step(platform, record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    invoice = platform.billing.create_invoice({"activity_id": activity, "client_id": client, "issue": True, "lines": [
        {"description": "Concert", "quantity": "1", "unit_price": "800.00", "vat_category": "S", "vat_rate": "6"}]})
    assert (invoice["status"], invoice["total_gross"], invoice["fee"]) == ("issued", "848.00", "52.00")
    [event] = recorder.wait_for("invoice_issued")
    assert event["data"]["number"] == invoice["number"]
    with pytest.raises(ValidationError):  # an invoice without lines is not issued, and not created
        platform.billing.create_invoice({"activity_id": activity, "client_id": client, "issue": True})
    assert len(platform.billing.list_invoices({"activity_id": activity})) == 1


def test_batches_take_one_block_of_consecutive_numbers(platform, record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    drafts = [platform.invoice(activity, client, issue=False)["id"] for _ in range(3)]
    issued = platform.billing.issue_invoices({"invoice_ids": drafts})
    created = platform.billing.create_and_issue_invoices({"invoices": [
        {"activity_id": activity, "client_id": client, "lines": [
            {"description": "Lesson", "quantity": "2", "unit_price": "45.00", "vat_category": "E", "vat_rate": "0",
             "exemption_reason": "Exempt, art. 44 Belgian VAT Code"}]}] * 2})
    sequences = [int(i["number"].rsplit("-", 1)[1]) for i in issued + created]
    assert sequences == [1, 2, 3, 4, 5]
    assert [c["total_gross"] for c in created] == ["90.00", "90.00"]
    recorder.wait_for("invoice_issued", 5)
    with pytest.raises(Conflict):  # already issued: the whole batch is refused
        platform.billing.issue_invoices({"invoice_ids": drafts[:1]})
    assert platform.billing.get_activity(activity)["balance"] == "-31.20"  # 3 x 6.50 + 2 x 5.85


def test_activity_is_renamed_then_closed_and_takes_no_more_invoices(platform, record_events):
    recorder = record_events("billing")
    activity, client = platform.activity(), platform.client()
    assert platform.billing.rename_activity({"activity_id": activity, "name": "Sound design"})["name"] == "Sound design"
    closed = platform.billing.close_activity(activity)
    assert (closed["status"], closed["closed_on"]) == ("closed", dt.date.today().isoformat())
    [event] = recorder.wait_for("activity_closed")
    assert event["data"]["activity_id"] == activity
    with pytest.raises(ValidationError):
        platform.invoice(activity, client)


def test_a_client_is_shown_to_staff_and_to_the_members_who_registered_or_invoiced_it(platform, member_cluster):
    registrar, invoicer, stranger = platform.admit(), platform.admit(), platform.admit()
    as_registrar = member_cluster({"member_id": registrar, "roles": ["member"]})
    as_invoicer = member_cluster({"member_id": invoicer, "roles": ["member"]})
    as_stranger = member_cluster({"member_id": stranger, "roles": ["member"]})
    as_staff = member_cluster({"member_id": str(uuid.uuid4()), "roles": ["staff"]})
    client = as_registrar.billing.register_client({
        "kind": "person", "name": "Ann Peeters", "country": "BE", "street": "Kerkstraat 1",
        "city": "Gent", "postal_code": "9000", "email": "ann@example.be"})

    assert as_registrar.billing.get_client(client["id"]) == client
    assert as_staff.billing.get_client(client["id"]) == client
    with pytest.raises(Forbidden):
        as_stranger.billing.get_client(client["id"])
    with pytest.raises(Forbidden):  # not yet: nothing invoiced to them
        as_invoicer.billing.get_client(client["id"])
    platform.invoice(platform.activity(invoicer), client["id"], issue=False)
    assert as_invoicer.billing.get_client(client["id"])["name"] == "Ann Peeters"
    with pytest.raises(NotFound):
        as_staff.billing.get_client(str(uuid.uuid4()))
    with pytest.raises(ValidationError):
        as_staff.billing.get_client("not-a-uuid")
