"""Billing's RPC inputs; its outputs and events are its contract, ``shared.contracts.billing``."""
from decimal import Decimal

from marshmallow import fields, validate

from services.billing.domain.numbering import format_ogm
from shared.contracts import billing as contract
from shared.contracts.billing import EXPENSE_CATEGORIES, PERIOD, WORKER_CATEGORIES
from shared.schemas import Id, IsoDate, Money, Page, StrictSchema

ZERO = Decimal("0")


def _text(maximum, required=True, **kwargs):
    if required:
        return fields.String(required=True, validate=validate.Length(1, maximum), **kwargs)
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=maximum),
                         **kwargs)


# ---- input ----

class ActivityOpening(StrictSchema):
    member_id = Id(required=True)
    name = _text(120)


class MemberRef(StrictSchema):
    member_id = Id(required=True)


class ActivityRef(StrictSchema):
    activity_id = Id(required=True)


class ActivityRename(ActivityRef):
    name = _text(120)


class StatementRequest(ActivityRef):
    start = IsoDate(required=True)
    end = IsoDate(required=True)


class ClientRegistration(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("company", "person")))
    name = _text(200)
    vat_number = _text(20, required=False)
    enterprise_number = _text(14, required=False)
    endpoint_scheme = fields.String(load_default=None, allow_none=True,
                                    validate=validate.Regexp(r"^\d{4}$"))
    endpoint_id = _text(64, required=False)
    email = fields.Email(load_default=None, allow_none=True)
    street = _text(200, required=False)
    city = _text(100, required=False)
    postal_code = _text(16, required=False)
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$"))


class LineIn(StrictSchema):
    description = _text(200)
    quantity = Money(places=4, required=True)
    unit_code = fields.String(load_default="C62", validate=validate.Regexp(r"^[A-Z0-9]{2,3}$"))
    unit_price = Money(required=True)
    vat_category = fields.String(required=True)
    vat_rate = Money(required=True, minimum=ZERO)
    exemption_reason = _text(200, required=False)


class InvoiceDraft(StrictSchema):
    activity_id = Id(required=True)
    client_id = Id(required=True)
    payment_terms_days = fields.Integer(load_default=None, allow_none=True,
                                        validate=validate.Range(0, 120))
    buyer_reference = _text(64, required=False)
    note = _text(1000, required=False)
    lines = fields.List(fields.Nested(LineIn), load_default=list, validate=validate.Length(max=500))


class InvoiceCreation(InvoiceDraft):
    issue = fields.Boolean(load_default=False)  # issue it in the same transaction


class LineAddition(LineIn):
    invoice_id = Id(required=True)


class ClientRef(StrictSchema):
    client_id = Id(required=True)


class InvoiceRef(StrictSchema):
    invoice_id = Id(required=True)


class InvoiceIds(StrictSchema):
    invoice_ids = fields.List(Id(), required=True, validate=validate.Length(1, 1000))


class InvoiceBatch(StrictSchema):
    invoices = fields.List(fields.Nested(InvoiceDraft), required=True, validate=validate.Length(1, 1000))


class InvoiceQuery(Page):
    activity_id = Id(load_default=None, allow_none=True)
    member_id = Id(load_default=None, allow_none=True)
    client_id = Id(load_default=None, allow_none=True)
    status = fields.String(load_default=None, allow_none=True)
    document_type = fields.String(load_default=None, allow_none=True,
                                  validate=validate.OneOf(("invoice", "credit_note")))


class CreditRequest(StrictSchema):
    invoice_id = Id(required=True)
    lines = fields.List(fields.Nested(LineIn), load_default=None, allow_none=True,
                        validate=validate.Length(1, 500))
    reason = _text(500, required=False)


class PaymentIn(StrictSchema):
    amount = Money(required=True, minimum=Decimal("0.01"))
    value_date = IsoDate(required=True)
    invoice_id = Id(load_default=None, allow_none=True)
    structured_reference = _text(24, required=False)
    communication = _text(140, required=False)
    bank_reference = _text(64, required=False)


class StatementImport(StrictSchema):
    statement = fields.String(required=True, validate=validate.Length(1, 20_000_000))


class PaymentMatch(StrictSchema):
    payment_id = Id(required=True)
    invoice_id = Id(required=True)


class ExpenseIn(StrictSchema):
    activity_id = Id(required=True)
    expense_date = IsoDate(required=True)
    category = fields.String(required=True, validate=validate.OneOf(EXPENSE_CATEGORIES))
    description = _text(200)
    supplier = _text(200, required=False)
    receipt_reference = _text(200, required=False)
    net = Money(required=True, minimum=ZERO)
    vat = Money(load_default=Decimal("0.00"), minimum=ZERO)
    deductible_vat = Money(load_default=Decimal("0.00"), minimum=ZERO)


class ExpenseDecision(StrictSchema):
    expense_id = Id(required=True)
    approve = fields.Boolean(required=True)
    reason = _text(500, required=False)


class SalaryRequest(StrictSchema):
    activity_id = Id(required=True)
    work_dates = fields.List(IsoDate(), required=True, validate=validate.Length(1, 31))
    amount = Money(required=True, minimum=Decimal("0.01"))
    worker_category = fields.String(load_default="employee", validate=validate.OneOf(WORKER_CATEGORIES))


class DunningRun(StrictSchema):
    as_of = IsoDate(load_default=None, allow_none=True)


class RecurringInvoiceIn(StrictSchema):
    activity_id = Id(required=True)
    client_id = Id(required=True)
    frequency = fields.String(required=True, validate=validate.OneOf(("monthly", "quarterly")))
    start_date = IsoDate(required=True)
    end_date = IsoDate(load_default=None, allow_none=True)
    payment_terms_days = fields.Integer(load_default=None, allow_none=True,
                                        validate=validate.Range(0, 120))
    buyer_reference = _text(64, required=False)
    note = _text(1000, required=False)
    lines = fields.List(fields.Nested(LineIn), required=True, validate=validate.Length(1, 100))


class RecurringInvoiceRef(StrictSchema):
    recurring_invoice_id = Id(required=True)


class RecurringInvoiceQuery(Page):
    activity_id = Id(load_default=None, allow_none=True)
    member_id = Id(load_default=None, allow_none=True)
    client_id = Id(load_default=None, allow_none=True)


class MonthEndStart(StrictSchema):
    period = fields.String(required=True, validate=PERIOD)
    chunk_size = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 5000))


class MonthEndRunRef(StrictSchema):
    run_id = Id(required=True)


class PeriodLock(StrictSchema):
    period = fields.String(required=True, validate=PERIOD)
    activity_id = Id(load_default=None, allow_none=True)  # none: every activity


# ---- output ----

class InvoiceOut(contract.InvoiceOut):
    """The invoice contract; billing writes the structured reference as banks print it."""

    payment_reference = fields.Function(
        lambda d: format_ogm(d.payment_reference) if d.payment_reference else None,
        metadata={"type": "string", "nullable": True})
