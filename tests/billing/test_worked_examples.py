"""Worked examples with figures checked by hand, through the domain on a real database."""
import datetime as dt
from decimal import Decimal as D

import pytest

from services.billing.domain import activities, dunning, fund, invoices, payments, salary
from shared.errors import Conflict, ValidationError
from tests.billing.conftest import TODAY, line_data

MIXED = [("0.5", "0.69", "21")] * 3 + [("3", "19.99", "6"), ("2.5", "12.35", "12")]
DUE = TODAY + dt.timedelta(days=30)


def pay(books, invoice_id, amount, on=TODAY, reference=None):
    with books.tx() as s:
        payment, events = payments.record(s, {"amount": D(amount), "value_date": on, "invoice_id": invoice_id,
                                              "bank_reference": reference}, TODAY)
        return payment.id, [e.event_type for e in events]


def get(books, invoice_id):
    with books.tx() as s:
        return invoices.get(s, invoice_id)


def test_issuing_fixes_totals_number_reference_due_date_and_charges_the_fee(books):
    activity = books.activity()
    invoice = get(books, books.invoice(activity, books.client(), MIXED))
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("91.90"), D("7.53"), D("99.43"))
    assert [(v.rate, v.base, v.vat) for v in invoice.vat_breakdown] == [
        (D("21.00"), D("1.05"), D("0.22")), (D("12.00"), D("30.88"), D("3.71")), (D("6.00"), D("59.97"), D("3.60"))]
    assert invoice.number == "F-2026-000001"
    assert invoice.payment_reference == "126000000171"  # 1260000001 = 97 x 12989690 + 71
    assert invoice.due_date == DUE
    assert invoice.fee == D("5.97")  # 6.5% of 91.90 = 5.9735
    assert books.balance(activity) == D("-5.97")


def test_partial_credit_note_then_the_rest_reverse_the_fee_proportionally(books):
    activity = books.activity()
    invoice_id = books.invoice(activity, books.client(), MIXED)
    with books.tx() as s:
        note, events = invoices.credit(s, invoice_id, [line_data("2.5", "12.35", "12")], "returned", TODAY, "C")
    assert note.number == "C-2026-000001"
    assert (note.total_net, note.total_vat, note.total_gross) == (D("30.88"), D("3.71"), D("34.59"))
    assert note.fee == D("2.01")  # 5.97 x 30.88 / 91.90 = 2.006
    assert [e.event_type for e in events] == ["credit_note_issued"]
    assert events[0].data["fee_reversed"] == D("2.01")
    assert get(books, invoice_id).outstanding == D("64.84")
    with books.tx() as s:
        rest, _ = invoices.credit(s, invoice_id, None, "cancelled", TODAY, "C")
    assert rest.number == "C-2026-000002"
    assert (rest.total_net, rest.total_vat, rest.total_gross) == (D("61.02"), D("3.82"), D("64.84"))
    assert rest.fee == D("3.96")  # the remainder: 5.97 - 2.01, so the reversals add up to the fee
    invoice = get(books, invoice_id)
    assert invoice.status == "credited" and invoice.outstanding == D("0.00")
    assert books.balance(activity) == D("0.00")
    with pytest.raises(Conflict), books.tx() as s:
        invoices.credit(s, invoice_id, None, "again", TODAY, "C")


def test_credit_note_cannot_credit_more_than_the_invoice(books):
    invoice_id = books.invoice(books.activity(), books.client(), [("1", "100.00", "21")])
    with pytest.raises(ValidationError) as error, books.tx() as s:
        invoices.credit(s, invoice_id, [line_data("2", "100.00", "21")], None, TODAY, "C")
    assert "lines" in error.value.fields
    with books.tx() as s:
        assert invoices.get(s, invoice_id).credited_net == 0
        assert invoices.list_invoices(s, {"document_type": "credit_note"}, 10, 0) == []


def test_partial_payments_credit_the_net_share_and_the_last_takes_the_remainder(books):
    activity = books.activity()
    invoice_id = books.invoice(activity, books.client(), MIXED)
    _, events = pay(books, invoice_id, "50.00")
    assert events == ["payment_received"]
    assert get(books, invoice_id).status == "partially_paid"
    assert books.balance(activity) == D("-5.97") + D("46.21")  # 91.90 x 50 / 99.43 = 46.213
    _, events = pay(books, invoice_id, "49.43")
    assert events == ["payment_received", "invoice_paid"]
    invoice = get(books, invoice_id)
    assert invoice.status == "paid" and invoice.turnover_credited == D("91.90")
    assert books.balance(activity) == D("85.93")  # 91.90 - 5.97


def test_overpayment_pays_the_invoice_and_keeps_the_excess_on_the_payment(books):
    activity = books.activity()
    invoice_id = books.invoice(activity, books.client(), MIXED)
    payment_id, events = pay(books, invoice_id, "120.00")
    assert events == ["payment_received", "invoice_paid"]
    with books.tx() as s:
        payment = payments.get(s, payment_id)
        assert (payment.applied, payment.excess) == (D("99.43"), D("20.57"))
    assert get(books, invoice_id).status == "paid"
    assert books.balance(activity) == D("85.93")


def payslip(cost):
    cost = D(cost)
    return {"gross": str((cost / D("1.25")).quantize(D("0.01"))), "employee_contributions": "0.00",
            "withholding_tax": "0.00", "net": "0.00", "employer_contributions": "0.00",
            "employer_cost": str(cost)}


def request_salary(books, activity, amount, today=TODAY):
    with books.tx() as s:
        data = {"activity_id": activity, "work_dates": [TODAY], "amount": D(amount),
                "worker_category": "employee"}
        data.update(salary.plan(s, data, today))
        payout, _ = salary.approve(s, data, payslip(amount), today)
        return payout


def test_guarantee_fund_advances_salary_and_is_repaid_by_the_client_payment(books):
    activity = books.activity()
    invoice_id = books.invoice(activity, books.client(), [("1", "1000.00", "21")])
    assert books.balance(activity) == D("-65.00")
    payout = request_salary(books, activity, "500.00")
    # the balance is -65.00: the fund advances 565.00 so it does not go below zero
    assert payout.advanced == D("565.00")
    assert payout.pay_date == dt.date(2026, 12, 7)  # 7 working days after Thu 26 Nov 2026
    assert books.balance(activity) == D("0.00")
    with books.tx() as s:
        assert fund.status(s)["outstanding"] == D("565.00")
    pay(books, invoice_id, "1210.00", reference="bank-1")
    with books.tx() as s:
        status = fund.status(s)
        assert (status["advanced"], status["repaid"], status["outstanding"]) == (D("565.00"), D("565.00"), D("0.00"))
    assert books.balance(activity) == D("435.00")  # 1000 turnover - 65 fee - 500 salary


def test_salary_beyond_budget_and_backing_is_refused(books):
    activity = books.activity()
    books.invoice(activity, books.client(), [("1", "100.00", "21")])  # backs 100.00, fee 6.50
    with pytest.raises(ValidationError) as error:
        request_salary(books, activity, "94.00")  # needs 100.50 from the fund
    assert "amount" in error.value.fields
    assert books.balance(activity) == D("-6.50")
    assert request_salary(books, activity, "93.50").advanced == D("100.00")


def test_overdue_invoices_do_not_back_an_advance(books):
    activity = books.activity()
    books.invoice(activity, books.client(), [("1", "1000.00", "21")])
    with pytest.raises(ValidationError):
        request_salary(books, activity, "100.00", today=DUE + dt.timedelta(days=1))


def run_dunning(books, today):
    with books.tx() as s:
        candidates = dunning.overdue(s, today)
    events = []
    for invoice_id in candidates:
        with books.tx() as s:
            events += dunning.dun(s, invoice_id, today)
    return [(e.event_type, e.data.get("reminder_level")) for e in events]


def test_dunning_sends_each_level_once_then_the_write_off_leaves_the_loss_with_the_fund(books):
    activity = books.activity()
    invoice_id = books.invoice(activity, books.client(), [("1", "1000.00", "21")])
    request_salary(books, activity, "500.00")
    assert run_dunning(books, DUE) == []
    assert run_dunning(books, DUE + dt.timedelta(days=15)) == [("invoice_overdue", 1)]
    assert run_dunning(books, DUE + dt.timedelta(days=15)) == []  # idempotent per level
    assert run_dunning(books, DUE + dt.timedelta(days=45)) == [("invoice_overdue", 2), ("invoice_overdue", 3)]
    assert run_dunning(books, DUE + dt.timedelta(days=89)) == []
    assert run_dunning(books, DUE + dt.timedelta(days=90)) == [("invoice_written_off", None)]
    invoice = get(books, invoice_id)
    assert invoice.status == "written_off" and invoice.reminder_level == 3
    with books.tx() as s:
        status = fund.status(s)
    assert (status["advanced"], status["losses"], status["outstanding"]) == (D("565.00"), D("565.00"), D("0.00"))
    assert books.balance(activity) == D("0.00")  # the activity keeps the advance
    assert run_dunning(books, DUE + dt.timedelta(days=120)) == []


def test_issuing_twice_is_refused_and_changes_nothing(books):
    activity = books.activity()
    invoice_id = books.invoice(activity, books.client(), [("1", "10.00", "21")])
    with pytest.raises(Conflict), books.tx() as s:
        invoices.issue(s, invoice_id, TODAY, "F")
    assert get(books, invoice_id).number == "F-2026-000001"
    assert books.balance(activity) == D("-0.65")


def test_a_member_not_in_good_standing_cannot_invoice(books):
    member = books.admit()
    activity = books.activity(member)
    client = books.client()
    draft = books.invoice(activity, client, [("1", "10.00", "21")], issue=False)
    with books.tx() as s:
        from services.billing.domain import members
        members.apply_event(s, "member_suspended", {"member_id": member},
                            dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC))
    with pytest.raises(ValidationError), books.tx() as s:
        invoices.issue(s, draft, TODAY, "F")
    assert get(books, draft).status == "draft" and get(books, draft).number is None
    with books.tx() as s:
        assert activities.balance(s, activity) == 0
