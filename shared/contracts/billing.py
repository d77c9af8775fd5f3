"""Billing's contract: the outputs of its RPC methods and the events it publishes."""
import marshmallow as ma
from marshmallow import fields, validate

from shared.contracts import event_schema
from shared.schemas import Id, Instant, IsoDate, Money

SOURCE = "billing"
WORKER_CATEGORIES = ("employee", "artist", "blue_collar", "student")
EXPENSE_CATEGORIES = ("goods", "services", "investment")
PERIOD = validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", error="a period is YYYY-MM")


# ---- RPC outputs ----

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
    reference = fields.String(allow_none=True)
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
    payment_reference = fields.String(allow_none=True)  # billing writes it as banks print it
    currency = fields.String()
    buyer_reference = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    total_net = Money()
    total_vat = Money()
    total_gross = Money()
    fee_rate = fields.Function(lambda d: None if d.fee_rate is None else str(d.fee_rate),
                               metadata={"type": "string", "nullable": True})
    fee = Money(allow_none=True)
    credited_net = Money()
    credited_gross = Money()
    fee_reversed = Money()
    amount_paid = Money(allow_none=True)
    outstanding = fields.Function(lambda d: str(d.outstanding) if d.document_type == "invoice" else "0.00",
                                  metadata={"type": "string", "format": "decimal"})
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
    applied = Money(allow_none=True)
    excess = Money(allow_none=True)


class ImportSummary(ma.Schema):
    statement_id = fields.String(allow_none=True)
    entries = fields.Integer()
    duplicates = fields.Integer()
    matched = fields.Integer()
    partial = fields.Integer()  # type: ignore[assignment]  # a field, not Schema.partial
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


class DunningSummaryOut(ma.Schema):
    as_of = IsoDate()
    reminders = fields.Integer()
    written_off = fields.Integer()


# ---- events: ids and figures only, never personal data ----

ACTIVITY = "5b0c6a51-3f43-4a43-9b8e-0c2f4d8a1e01"
MEMBER = "0e7f7c1a-51d4-4b0e-8a55-2f1a4c9d3b02"
CLIENT = "8d2e3f40-6a7b-4c8d-9e0f-1a2b3c4d5e03"
INVOICE = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e04"
VAT_21 = {"category": "S", "rate": "21.00", "base": "1000.00", "vat": "210.00"}


class VatBreakdown(ma.Schema):
    category = fields.String(required=True, validate=validate.Length(1, 3))
    rate = Money(required=True)
    base = Money(required=True)
    vat = Money(required=True)


@event_schema(SOURCE, "activity_opened", example={
    "activity_id": ACTIVITY, "member_id": MEMBER, "opened_on": "2026-11-02"})
class ActivityOpened(ma.Schema):
    """A member opened an activity (a budget account)."""

    activity_id = Id(required=True)
    member_id = Id(required=True)
    opened_on = IsoDate(required=True)


@event_schema(SOURCE, "activity_closed", example={
    "activity_id": ACTIVITY, "member_id": MEMBER, "closed_on": "2026-12-31"})
class ActivityClosed(ma.Schema):
    """An activity was closed."""

    activity_id = Id(required=True)
    member_id = Id(required=True)
    closed_on = IsoDate(required=True)


@event_schema(SOURCE, "client_registered", example={
    "client_id": CLIENT, "kind": "company", "country": "BE"})
class ClientRegistered(ma.Schema):
    """A client of the cooperative was registered."""

    client_id = Id(required=True)
    kind = fields.String(required=True)
    country = fields.String(required=True)


class DocumentIssued(ma.Schema):
    """What an invoice and a credit note both say when they are issued: their number, whose they
    are, and their totals with the base and VAT per category and rate."""

    number = fields.String(required=True)
    activity_id = Id(required=True)
    member_id = Id(required=True)
    issue_date = IsoDate(required=True)
    currency = fields.String(required=True)
    total_net = Money(required=True)
    total_vat = Money(required=True)
    total_gross = Money(required=True)
    vat_breakdown = fields.List(fields.Nested(VatBreakdown), required=True)


@event_schema(SOURCE, "invoice_issued", example={
    "invoice_id": INVOICE, "number": "2026-000123", "activity_id": ACTIVITY, "member_id": MEMBER,
    "client_id": CLIENT, "issue_date": "2026-11-15", "due_date": "2026-12-15", "currency": "EUR",
    "total_net": "1000.00", "total_vat": "210.00", "total_gross": "1210.00", "fee": "65.00",
    "vat_breakdown": [VAT_21]})
class InvoiceIssued(DocumentIssued):
    """An invoice got its number; base and VAT per category and rate for the VAT return."""

    invoice_id = Id(required=True)
    client_id = Id(required=True)
    due_date = IsoDate(required=True)
    fee = Money(required=True)


@event_schema(SOURCE, "credit_note_issued", example={
    "credit_note_id": "4d5e6f70-8a9b-4cad-8e0f-1a2b3c4d5e05", "number": "CN-2026-000007",
    "invoice_id": INVOICE, "activity_id": ACTIVITY, "member_id": MEMBER, "issue_date": "2026-11-20",
    "currency": "EUR", "total_net": "-1000.00", "total_vat": "-210.00", "total_gross": "-1210.00",
    "fee_reversed": "65.00",
    "vat_breakdown": [{"category": "S", "rate": "21.00", "base": "-1000.00", "vat": "-210.00"}]})
class CreditNoteIssued(DocumentIssued):
    """A credit note (own series) reversed all or part of an invoice and its fee."""

    credit_note_id = Id(required=True)
    invoice_id = Id(required=True)
    fee_reversed = Money(required=True)


@event_schema(SOURCE, "payment_received", example={
    "payment_id": "5e6f7081-9aab-4cbd-8e0f-1a2b3c4d5e06", "amount": "1210.00",
    "value_date": "2026-12-01", "invoice_id": INVOICE})
class PaymentReceived(ma.Schema):
    """Money arrived; invoice_id is null while the payment waits for manual matching."""

    payment_id = Id(required=True)
    amount = Money(required=True)
    value_date = IsoDate(required=True)
    invoice_id = Id(required=True, allow_none=True)


@event_schema(SOURCE, "payment_matched", example={
    "payment_id": "5e6f7081-9aab-4cbd-8e0f-1a2b3c4d5e06", "invoice_id": INVOICE, "amount": "1210.00"})
class PaymentMatched(ma.Schema):
    """A payment from the unmatched queue was matched to an invoice by hand."""

    payment_id = Id(required=True)
    invoice_id = Id(required=True)
    amount = Money(required=True)


@event_schema(SOURCE, "invoice_paid", example={
    "invoice_id": INVOICE, "activity_id": ACTIVITY, "paid_on": "2026-12-01"})
class InvoicePaid(ma.Schema):
    """An invoice is fully paid."""

    invoice_id = Id(required=True)
    activity_id = Id(required=True)
    paid_on = IsoDate(required=True)


@event_schema(SOURCE, "invoice_overdue", example={
    "invoice_id": INVOICE, "activity_id": ACTIVITY, "due_date": "2026-12-15", "reminder_level": 1})
class InvoiceOverdue(ma.Schema):
    """A reminder of the given level was sent for an unpaid invoice."""

    invoice_id = Id(required=True)
    activity_id = Id(required=True)
    due_date = IsoDate(required=True)
    reminder_level = fields.Integer(required=True)


@event_schema(SOURCE, "invoice_written_off", example={
    "invoice_id": INVOICE, "activity_id": ACTIVITY, "amount": "1210.00", "written_off_on": "2027-03-15"})
class InvoiceWrittenOff(ma.Schema):
    """An unpaid invoice was written off; the guarantee fund bears what it advanced."""

    invoice_id = Id(required=True)
    activity_id = Id(required=True)
    amount = Money(required=True)
    written_off_on = IsoDate(required=True)


@event_schema(SOURCE, "expense_approved", example={
    "expense_id": "6f708192-abbc-4dce-8e0f-1a2b3c4d5e07", "activity_id": ACTIVITY, "member_id": MEMBER,
    "expense_date": "2026-11-10", "approved_on": "2026-11-12", "category": "goods", "net": "100.00",
    "vat": "21.00", "gross": "121.00", "deductible_vat": "21.00"})
class ExpenseApproved(ma.Schema):
    """An expense was approved and paid from the activity's budget."""

    expense_id = Id(required=True)
    activity_id = Id(required=True)
    member_id = Id(required=True)
    expense_date = IsoDate(required=True)
    approved_on = IsoDate(required=True)
    category = fields.String(required=True, validate=validate.OneOf(EXPENSE_CATEGORIES))
    net = Money(required=True)
    vat = Money(required=True)
    gross = Money(required=True)
    deductible_vat = Money(required=True)


PAYOUT = "708192a3-bccd-4edf-8e0f-1a2b3c4d5e08"


@event_schema(SOURCE, "salary_payout_approved", example={
    "payout_id": PAYOUT, "member_id": MEMBER, "activity_id": ACTIVITY,
    "work_dates": ["2026-11-16", "2026-11-17"], "first_work_date": "2026-11-16",
    "last_work_date": "2026-11-17", "worker_category": "employee", "pay_date": "2026-11-30",
    "gross": "1000.00", "employee_contributions": "130.70", "withholding_tax": "180.00", "net": "689.30",
    "employer_contributions": "250.00", "employer_cost": "1250.00"})
class SalaryPayoutApproved(ma.Schema):
    """A salary payout was approved: the employment to declare and the payslip's figures."""

    payout_id = Id(required=True)
    member_id = Id(required=True)
    activity_id = Id(required=True)
    work_dates = fields.List(IsoDate(), required=True)
    first_work_date = IsoDate(required=True)
    last_work_date = IsoDate(required=True)
    worker_category = fields.String(required=True, validate=validate.OneOf(WORKER_CATEGORIES))
    pay_date = IsoDate(required=True)
    gross = Money(required=True)
    employee_contributions = Money(required=True)
    withholding_tax = Money(required=True)
    net = Money(required=True)
    employer_contributions = Money(required=True)
    employer_cost = Money(required=True)


@event_schema(SOURCE, "salary_payout_cancelled", example={
    "payout_id": PAYOUT, "member_id": MEMBER, "activity_id": ACTIVITY})
class SalaryPayoutCancelled(ma.Schema):
    """An approved salary payout was cancelled before its pay date: its Dimona is withdrawn."""

    payout_id = Id(required=True)
    member_id = Id(required=True)
    activity_id = Id(required=True)


@event_schema(SOURCE, "month_end_chunk_ready", example={
    "run_id": "8192a3b4-cdde-4ef0-8e0f-1a2b3c4d5e09", "period": "2026-11", "chunk_no": 3,
    "activity_ids": [ACTIVITY]})
class MonthEndChunkReady(ma.Schema):
    """Internal to billing (its own work queue, not a contract for other services): a chunk of
    a month-end run is ready to be closed by any billing instance."""

    run_id = Id(required=True)
    period = fields.String(required=True)
    chunk_no = fields.Integer(required=True)
    activity_ids = fields.List(Id(), required=True)


@event_schema(SOURCE, "month_closed", example={
    "run_id": "8192a3b4-cdde-4ef0-8e0f-1a2b3c4d5e09", "period": "2026-11", "activities": 20000})
class MonthClosed(ma.Schema):
    """Every activity of the period is closed: statements stored, period locked."""

    run_id = Id(required=True)
    period = fields.String(required=True, validate=PERIOD)
    activities = fields.Integer(required=True)


@event_schema(SOURCE, "activity_charged", example={
    "activity_id": ACTIVITY, "source": "resource_usage", "reference": "92a3b4c5-deef-4f01-8e0f-1a2b3c4d5e10",
    "amount": "24.00"})
class ActivityCharged(ma.Schema):
    """An activity was debited for something outside billing (e.g. resource usage)."""

    activity_id = Id(required=True)
    source = fields.String(required=True)
    reference = fields.String(required=True)
    amount = Money(required=True)
