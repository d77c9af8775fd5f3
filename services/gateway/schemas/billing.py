"""Activities, clients, invoices, payments, expenses, salaries and the guarantee fund."""
import marshmallow as ma
from marshmallow import fields, validate

from services.gateway.schemas import PageQuery
from shared.schemas import Id, IsoDate, Money

WORKER_CATEGORIES = ("employee", "artist", "blue_collar", "student")


class ActivityName(ma.Schema):
    name = fields.String(required=True, validate=validate.Length(1, 120))


class StatementQuery(ma.Schema):
    start = IsoDate(required=True)
    end = IsoDate(required=True)


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


class SalaryRequest(ma.Schema):
    work_dates = fields.List(IsoDate(), required=True, validate=validate.Length(1, 31))
    amount = Money(required=True)
    worker_category = fields.String(validate=validate.OneOf(WORKER_CATEGORIES))


class DunningRun(ma.Schema):
    as_of = IsoDate(allow_none=True)


