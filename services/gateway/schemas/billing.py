"""Activities, clients, invoices, payments, expenses, salaries and the guarantee fund."""
import marshmallow as ma
from marshmallow import fields, validate

from services.gateway.schemas import Out, PageQuery
from shared.schemas import Id, IsoDate, Money

WORKER_CATEGORIES = ("employee", "artist", "blue_collar", "student")


class ActivityName(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(1, 120))


class Activity(Out):
    id = Id(required=True)
    member_id = Id(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True)
    opened_on = IsoDate(required=True)
    closed_on = IsoDate(allow_none=True)
    balance = Money(required=True)
    available = Money(required=True)


class StatementQuery(ma.Schema):
    start = IsoDate(required=True)
    end = IsoDate(required=True)


class LedgerEntry(Out):
    entry_date = IsoDate()
    kind = fields.String()
    amount = Money()
    reference = fields.String(allow_none=True)
    description = fields.String(allow_none=True)


class Statement(Out):
    activity_id = Id(required=True)
    start = IsoDate()
    end = IsoDate()
    opening_balance = Money()
    closing_balance = Money()
    entries = fields.List(fields.Nested(LedgerEntry))
    totals_by_kind = fields.Dict(keys=fields.String(), values=Money())


class ClientRegistration(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("company", "person")))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    vat_number = fields.String(allow_none=True, validate=validate.Length(max=20))
    enterprise_number = fields.String(allow_none=True, validate=validate.Length(max=14))
    endpoint_scheme = fields.String(allow_none=True, validate=validate.Regexp(r"^(\d{4}|EM)$"))
    endpoint_id = fields.String(allow_none=True, validate=validate.Length(max=64))
    email = fields.Email(allow_none=True)
    street = fields.String(allow_none=True, validate=validate.Length(max=200))
    city = fields.String(allow_none=True, validate=validate.Length(max=100))
    postal_code = fields.String(allow_none=True, validate=validate.Length(max=16))
    country = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$"))


class Client(Out):
    id = Id(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    vat_number = fields.String(allow_none=True)
    country = fields.String(required=True)


class InvoiceLine(ma.Schema):
    description = fields.String(required=True, validate=validate.Length(1, 200))
    quantity = Money(places=4, required=True)
    unit_code = fields.String(validate=validate.Regexp(r"^[A-Z0-9]{2,3}$"))
    unit_price = Money(required=True)
    vat_category = fields.String(required=True, validate=validate.OneOf(("S", "Z", "E", "AE", "K", "G", "O")))
    vat_rate = Money(required=True)
    exemption_reason = fields.String(allow_none=True, validate=validate.Length(max=200))


class InvoiceDraft(ma.Schema):
    activity_id = Id(required=True)
    client_id = Id(required=True)
    payment_terms_days = fields.Integer(allow_none=True, validate=validate.Range(0, 120))
    buyer_reference = fields.String(allow_none=True, validate=validate.Length(max=64))
    note = fields.String(allow_none=True, validate=validate.Length(max=1000))
    lines = fields.List(fields.Nested(InvoiceLine), validate=validate.Length(max=500))


class CreditRequest(ma.Schema):
    lines = fields.List(fields.Nested(InvoiceLine), allow_none=True, validate=validate.Length(1, 500))
    reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class VatSubtotal(Out):
    category = fields.String()
    rate = Money()
    base = Money()
    vat = Money()


class Invoice(Out):
    id = Id(required=True)
    document_type = fields.String(required=True)
    number = fields.String(allow_none=True)
    status = fields.String(required=True)
    activity_id = Id(required=True)
    member_id = Id(required=True)
    client_id = Id(required=True)
    credited_invoice_id = Id(allow_none=True)
    issue_date = IsoDate(allow_none=True)
    due_date = IsoDate(allow_none=True)
    payment_reference = fields.String(allow_none=True)
    currency = fields.String()
    total_net = Money()
    total_vat = Money()
    total_gross = Money()
    fee = Money(allow_none=True)
    amount_paid = Money(allow_none=True)
    outstanding = Money(allow_none=True)
    lines = fields.List(fields.Raw())
    vat_breakdown = fields.List(fields.Nested(VatSubtotal))


class InvoiceQuery(PageQuery):
    activity_id = Id()
    client_id = Id()
    status = fields.String()
    document_type = fields.String(validate=validate.OneOf(("invoice", "credit_note")))


class PaymentRecord(ma.Schema):
    amount = Money(required=True)
    value_date = IsoDate(required=True)
    invoice_id = Id(allow_none=True)
    structured_reference = fields.String(allow_none=True, validate=validate.Length(max=24))
    communication = fields.String(allow_none=True, validate=validate.Length(max=140))
    bank_reference = fields.String(allow_none=True, validate=validate.Length(max=64))


class PaymentMatch(ma.Schema):
    invoice_id = Id(required=True)


class Payment(Out):
    id = Id(required=True)
    amount = Money(required=True)
    value_date = IsoDate(required=True)
    invoice_id = Id(allow_none=True)
    status = fields.String(required=True)
    applied = Money(allow_none=True)
    excess = Money(allow_none=True)


class ImportSummary(Out):
    statement_id = fields.String(allow_none=True)
    entries = fields.Integer()
    duplicates = fields.Integer()
    matched = fields.Integer()
    partial = fields.Integer()
    overpaid = fields.Integer()
    unmatched = fields.Integer()
    payment_ids = fields.List(Id())


class ExpenseSubmission(ma.Schema):
    expense_date = IsoDate(required=True)
    category = fields.String(required=True, validate=validate.OneOf(("goods", "services", "investment")))
    description = fields.String(required=True, validate=validate.Length(1, 200))
    supplier = fields.String(allow_none=True, validate=validate.Length(max=200))
    receipt_reference = fields.String(allow_none=True, validate=validate.Length(max=200))
    net = Money(required=True)
    vat = Money()
    deductible_vat = Money()


class ExpenseDecision(ma.Schema):
    approve = fields.Boolean(required=True)
    reason = fields.String(allow_none=True, validate=validate.Length(max=500))


class Expense(Out):
    id = Id(required=True)
    activity_id = Id(required=True)
    member_id = Id(required=True)
    expense_date = IsoDate()
    category = fields.String()
    net = Money()
    vat = Money()
    gross = Money()
    status = fields.String(required=True)


class SalaryRequest(ma.Schema):
    work_dates = fields.List(IsoDate(), required=True, validate=validate.Length(1, 31))
    amount = Money(required=True)
    worker_category = fields.String(validate=validate.OneOf(WORKER_CATEGORIES))


class SalaryPayout(Out):
    id = Id(required=True)
    activity_id = Id(required=True)
    member_id = Id(required=True)
    work_dates = fields.List(fields.String())
    worker_category = fields.String()
    pay_date = IsoDate()
    employment_budget = Money()
    gross = Money()
    employee_contributions = Money()
    withholding_tax = Money()
    net = Money()
    employer_contributions = Money()
    employer_cost = Money()
    status = fields.String()


class GuaranteeFund(Out):
    advanced = Money(required=True)
    repaid = Money(required=True)
    losses = Money(required=True)
    outstanding = Money(required=True)
    entries = fields.List(fields.Dict())


class DunningRun(ma.Schema):
    as_of = IsoDate(allow_none=True)


class DunningSummary(Out):
    as_of = IsoDate(required=True)
    reminders = fields.Integer(required=True)
    written_off = fields.Integer(required=True)
