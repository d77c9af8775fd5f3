"""Billing's RPC input/output schemas and the events it publishes (docs/contracts.md)."""
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from shared.events import event_schema
from shared.schemas import Id, Instant, IsoDate, Money, Page, StrictSchema

SOURCE = "billing"
ZERO = Decimal("0")
WORKER_CATEGORIES = ("employee", "artist", "blue_collar", "student")
EXPENSE_CATEGORIES = ("goods", "services", "investment")


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


PERIOD = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="a period is YYYY-MM")


class MonthEndStart(StrictSchema):
    period = fields.String(required=True, validate=PERIOD)
    chunk_size = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 5000))


class MonthEndRunRef(StrictSchema):
    run_id = Id(required=True)


class PeriodLock(StrictSchema):
    period = fields.String(required=True, validate=PERIOD)
    activity_id = Id(load_default=None, allow_none=True)  # none: every activity


# ---- output ----

class MemberStandingOut(ma.Schema):
    member_id = Id()
    status = fields.String()
    paid_shares = fields.Integer()
    good_standing = fields.Boolean()


class ActivityOut(ma.Schema):
    id = Id(attribute="activity.id")
    member_id = Id(attribute="activity.member_id")
    name = fields.String(attribute="activity.name")
    status = fields.String(attribute="activity.status")
    opened_on = IsoDate(attribute="activity.opened_on")
    closed_on = IsoDate(attribute="activity.closed_on", allow_none=True)
    balance = Money()
    available = Money()


class LedgerEntryOut(ma.Schema):
    entry_date = IsoDate()
    kind = fields.String()
    amount = Money()
    reference = fields.String()
    description = fields.String(allow_none=True)


class StatementOut(ma.Schema):
    activity_id = Id()
    start = IsoDate()
    end = IsoDate()
    opening_balance = Money()
    closing_balance = Money()
    entries = fields.List(fields.Nested(LedgerEntryOut))
    totals_by_kind = fields.Dict(keys=fields.String(), values=Money())


class ClientOut(ma.Schema):
    id = Id()
    kind = fields.String()
    name = fields.String()
    vat_number = fields.String(allow_none=True)
    enterprise_number = fields.String(allow_none=True)
    endpoint_scheme = fields.String(allow_none=True)
    endpoint_id = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    country = fields.String()


class LineOut(ma.Schema):
    position = fields.Integer()
    description = fields.String()
    quantity = Money(places=4)
    unit_code = fields.String()
    unit_price = Money()
    vat_category = fields.String()
    vat_rate = Money()
    exemption_reason = fields.String(allow_none=True)
    net = Money()


class VatOut(ma.Schema):
    category = fields.String()
    rate = Money()
    base = Money()
    vat = Money()


def _ogm(document):
    from services.billing.domain.numbering import format_ogm

    return format_ogm(document.payment_reference) if document.payment_reference else None


class InvoiceOut(ma.Schema):
    id = Id()
    document_type = fields.String()
    number = fields.String(allow_none=True)
    status = fields.String()
    activity_id = Id()
    member_id = Id()
    client_id = Id()
    credited_invoice_id = Id(allow_none=True)
    issue_date = IsoDate(allow_none=True)
    due_date = IsoDate(allow_none=True)
    payment_terms_days = fields.Integer()
    payment_reference = fields.Function(_ogm)
    currency = fields.String()
    buyer_reference = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    total_net = Money()
    total_vat = Money()
    total_gross = Money()
    fee_rate = fields.Function(lambda d: None if d.fee_rate is None else str(d.fee_rate))
    fee = Money()
    credited_net = Money()
    credited_gross = Money()
    fee_reversed = Money()
    amount_paid = Money()
    outstanding = fields.Function(lambda d: str(d.outstanding) if d.document_type == "invoice" else "0.00")
    reminder_level = fields.Integer()
    paid_on = IsoDate(allow_none=True)
    written_off_on = IsoDate(allow_none=True)
    lines = fields.List(fields.Nested(LineOut))
    vat_breakdown = fields.List(fields.Nested(VatOut))


class PaymentOut(ma.Schema):
    id = Id()
    amount = Money()
    value_date = IsoDate()
    bank_reference = fields.String(allow_none=True)
    structured_reference = fields.String(allow_none=True)
    communication = fields.String(allow_none=True)
    invoice_id = Id(allow_none=True)
    status = fields.String()
    applied = Money()
    excess = Money()


class ImportSummary(ma.Schema):
    statement_id = fields.String()
    entries = fields.Integer()
    duplicates = fields.Integer()
    matched = fields.Integer()
    partial = fields.Integer()
    overpaid = fields.Integer()
    unmatched = fields.Integer()
    payment_ids = fields.List(Id())


class ExpenseOut(ma.Schema):
    id = Id()
    activity_id = Id()
    member_id = Id()
    expense_date = IsoDate()
    category = fields.String()
    description = fields.String()
    supplier = fields.String(allow_none=True)
    receipt_reference = fields.String(allow_none=True)
    net = Money()
    vat = Money()
    deductible_vat = Money()
    gross = Money()
    cost = Money()
    status = fields.String()
    submitted_on = IsoDate()
    decided_on = IsoDate(allow_none=True)
    decision_reason = fields.String(allow_none=True)


class SalaryPayoutOut(ma.Schema):
    id = Id()
    activity_id = Id()
    member_id = Id()
    work_dates = fields.List(fields.String())
    first_work_date = IsoDate()
    last_work_date = IsoDate()
    worker_category = fields.String()
    pay_date = IsoDate()
    employment_budget = Money()
    gross = Money()
    employee_contributions = Money()
    withholding_tax = Money()
    net = Money()
    employer_contributions = Money()
    employer_cost = Money()
    advanced = Money()
    status = fields.String()


class FundEntryOut(ma.Schema):
    entry_date = IsoDate()
    kind = fields.String()
    amount = Money()
    invoice_id = Id()
    activity_id = Id()
    reference = fields.String()


class FundStatusOut(ma.Schema):
    advanced = Money()
    repaid = Money()
    losses = Money()
    outstanding = Money()
    entries = fields.List(fields.Nested(FundEntryOut))


class RecurringLineOut(ma.Schema):
    position = fields.Integer()
    description = fields.String()
    quantity = Money(places=4)
    unit_code = fields.String()
    unit_price = Money()
    vat_category = fields.String()
    vat_rate = Money()
    exemption_reason = fields.String(allow_none=True)


class RecurringInvoiceOut(ma.Schema):
    id = Id()
    activity_id = Id()
    member_id = Id()
    client_id = Id()
    frequency = fields.String()
    start_date = IsoDate()
    end_date = IsoDate(allow_none=True)
    payment_terms_days = fields.Integer(allow_none=True)
    buyer_reference = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(RecurringLineOut))


class MonthEndStatusOut(ma.Schema):
    run_id = Id()
    period = fields.String()
    status = fields.String()
    chunks_total = fields.Integer()
    chunks_done = fields.Integer()
    chunks_failed = fields.Integer()
    chunks_retrying = fields.Integer()
    chunks_pending = fields.Integer()
    activities_total = fields.Integer()
    activities_done = fields.Integer()
    activities_failed = fields.Integer()
    started_at = Instant()
    finished_at = Instant(allow_none=True)
    elapsed_seconds = fields.Float()
    activities_per_second = fields.Float()


# ---- events: ids and figures only, never personal data ----

class VatBreakdown(ma.Schema):
    category = fields.String(required=True)
    rate = Money(required=True)
    base = Money(required=True)
    vat = Money(required=True)


@event_schema(SOURCE, "activity_opened")
class ActivityOpened(ma.Schema):
    """A member opened an activity (a budget account)."""

    activity_id = Id(required=True)
    member_id = Id(required=True)
    opened_on = IsoDate(required=True)


@event_schema(SOURCE, "activity_closed")
class ActivityClosed(ma.Schema):
    """An activity was closed."""

    activity_id = Id(required=True)
    member_id = Id(required=True)
    closed_on = IsoDate(required=True)


@event_schema(SOURCE, "client_registered")
class ClientRegistered(ma.Schema):
    """A client of the cooperative was registered."""

    client_id = Id(required=True)
    kind = fields.String(required=True)
    country = fields.String(required=True)


@event_schema(SOURCE, "invoice_issued")
class InvoiceIssued(ma.Schema):
    """An invoice got its number; base and VAT per category and rate for the VAT return."""

    invoice_id = Id(required=True)
    number = fields.String(required=True)
    activity_id = Id(required=True)
    member_id = Id(required=True)
    client_id = Id(required=True)
    issue_date = IsoDate(required=True)
    due_date = IsoDate(required=True)
    currency = fields.String(required=True)
    total_net = Money(required=True)
    total_vat = Money(required=True)
    total_gross = Money(required=True)
    fee = Money(required=True)
    vat_breakdown = fields.List(fields.Nested(VatBreakdown), required=True)


@event_schema(SOURCE, "credit_note_issued")
class CreditNoteIssued(ma.Schema):
    """A credit note (own series) reversed all or part of an invoice and its fee."""

    credit_note_id = Id(required=True)
    number = fields.String(required=True)
    invoice_id = Id(required=True)
    activity_id = Id(required=True)
    member_id = Id(required=True)
    issue_date = IsoDate(required=True)
    currency = fields.String(required=True)
    total_net = Money(required=True)
    total_vat = Money(required=True)
    total_gross = Money(required=True)
    fee_reversed = Money(required=True)
    vat_breakdown = fields.List(fields.Nested(VatBreakdown), required=True)


@event_schema(SOURCE, "payment_received")
class PaymentReceived(ma.Schema):
    """Money arrived; invoice_id is null while the payment waits for manual matching."""

    payment_id = Id(required=True)
    amount = Money(required=True)
    value_date = IsoDate(required=True)
    invoice_id = Id(required=True, allow_none=True)


@event_schema(SOURCE, "payment_matched")
class PaymentMatched(ma.Schema):
    """A payment from the unmatched queue was matched to an invoice by hand."""

    payment_id = Id(required=True)
    invoice_id = Id(required=True)
    amount = Money(required=True)


@event_schema(SOURCE, "invoice_paid")
class InvoicePaid(ma.Schema):
    """An invoice is fully paid."""

    invoice_id = Id(required=True)
    activity_id = Id(required=True)
    paid_on = IsoDate(required=True)


@event_schema(SOURCE, "invoice_overdue")
class InvoiceOverdue(ma.Schema):
    """A reminder of the given level was sent for an unpaid invoice."""

    invoice_id = Id(required=True)
    activity_id = Id(required=True)
    due_date = IsoDate(required=True)
    reminder_level = fields.Integer(required=True)


@event_schema(SOURCE, "invoice_written_off")
class InvoiceWrittenOff(ma.Schema):
    """An unpaid invoice was written off; the guarantee fund bears what it advanced."""

    invoice_id = Id(required=True)
    activity_id = Id(required=True)
    amount = Money(required=True)
    written_off_on = IsoDate(required=True)


@event_schema(SOURCE, "expense_approved")
class ExpenseApproved(ma.Schema):
    """An expense was approved and paid from the activity's budget."""

    expense_id = Id(required=True)
    activity_id = Id(required=True)
    member_id = Id(required=True)
    expense_date = IsoDate(required=True)
    approved_on = IsoDate(required=True)
    category = fields.String(required=True)
    net = Money(required=True)
    vat = Money(required=True)
    gross = Money(required=True)
    deductible_vat = Money(required=True)


@event_schema(SOURCE, "salary_payout_approved")
class SalaryPayoutApproved(ma.Schema):
    """A salary payout was approved: the employment to declare and the payslip's figures."""

    payout_id = Id(required=True)
    member_id = Id(required=True)
    activity_id = Id(required=True)
    work_dates = fields.List(IsoDate(), required=True)
    first_work_date = IsoDate(required=True)
    last_work_date = IsoDate(required=True)
    worker_category = fields.String(required=True)
    pay_date = IsoDate(required=True)
    gross = Money(required=True)
    employee_contributions = Money(required=True)
    withholding_tax = Money(required=True)
    net = Money(required=True)
    employer_contributions = Money(required=True)
    employer_cost = Money(required=True)


@event_schema(SOURCE, "month_end_chunk_ready")
class MonthEndChunkReady(ma.Schema):
    """Internal to billing (its own work queue, not a contract for other services): a chunk of
    a month-end run is ready to be closed by any billing instance."""

    run_id = Id(required=True)
    period = fields.String(required=True)
    chunk_no = fields.Integer(required=True)
    activity_ids = fields.List(Id(), required=True)


@event_schema(SOURCE, "month_closed")
class MonthClosed(ma.Schema):
    """Every activity of the period is closed: statements stored, period locked."""

    run_id = Id(required=True)
    period = fields.String(required=True)
    activities = fields.Integer(required=True)


@event_schema(SOURCE, "activity_charged")
class ActivityCharged(ma.Schema):
    """An activity was debited for something outside billing (e.g. resource usage)."""

    activity_id = Id(required=True)
    source = fields.String(required=True)
    reference = fields.String(required=True)
    amount = Money(required=True)


class UsageRecorded(ma.Schema):
    """What billing reads of resources' usage_recorded (resources owns and registers the event)."""

    usage_id = Id(required=True)
    activity_id = Id(required=True)
    amount = Money(required=True)
    resource_id = fields.String(load_default=None, allow_none=True)
    hours = fields.Raw(load_default=None, allow_none=True)
    ended_at = fields.String(load_default=None, allow_none=True)

    class Meta:
        unknown = ma.EXCLUDE
