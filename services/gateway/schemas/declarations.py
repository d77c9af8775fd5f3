"""Payslip simulation and the cooperative's social and tax declarations."""
import marshmallow as ma
from marshmallow import fields, validate

from services.gateway.schemas import Out, PageQuery
from shared.schemas import Id, Instant, IsoDate, Money

KINDS = ("dimona", "dimona_cancel", "dmfa", "withholding", "vat")
STATUSES = ("draft", "ready", "submitted", "accepted", "rejected", "cancelled")


class PayslipRequest(ma.Schema):
    """Give either ``gross`` or ``employment_budget`` (what the employer may spend in all)."""

    gross = Money()
    employment_budget = Money()
    worker_category = fields.String(required=True,
                                    validate=validate.OneOf(("employee", "artist", "blue_collar", "student")))
    pay_date = IsoDate(required=True)
    marital_status = fields.String(validate=validate.OneOf(
        ("single", "spouse_with_income", "spouse_without_income")), metadata={"description": "default single"})
    dependent_children = fields.Integer(validate=validate.Range(0, 30))
    other_dependants = fields.Integer(validate=validate.Range(0, 30))
    working_time = fields.String(metadata={"description": "the pay's share of a full-time month, default 1"})


class Payslip(Out):
    gross = Money(required=True)
    employee_contributions = Money(required=True)
    taxable = Money(required=True)
    withholding_tax = Money(required=True)
    net = Money(required=True)
    employer_contributions = Money(required=True)
    employer_cost = Money(required=True)
    worker_category = fields.String(required=True)
    pay_date = IsoDate(required=True)
    withholding_tax_is_estimate = fields.Boolean()
    work_bonus = Money(required=True)
    fiscal_work_bonus = Money()
    special_contribution = Money(required=True)
    employment_budget = Money()


class DeclarationQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    period = fields.String(validate=validate.Length(7, 7))


class Declaration(Out):
    id = Id(required=True)
    kind = fields.String(required=True)
    period = fields.String(required=True)
    reference = fields.String(allow_none=True)
    status = fields.String(required=True)
    due_date = IsoDate(allow_none=True)
    created_at = Instant()
    submitted_at = Instant(allow_none=True)
    submission_reference = fields.String(allow_none=True)


class PeriodicReturn(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("vat", "withholding", "dmfa")))
    period = fields.String(required=True, validate=validate.Length(7, 7))
    prepare = fields.Boolean()


class Submission(ma.Schema):
    submission_reference = fields.String(validate=validate.Length(1, 80))


class Outcome(ma.Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("accepted", "rejected")))
    note = fields.String(validate=validate.Length(max=2000))


class OnQuery(ma.Schema):
    on = IsoDate()


class ParameterChange(ma.Schema):
    value = fields.String(required=True, validate=validate.Length(1, 80))
    effective_from = IsoDate(required=True)
    source = fields.String(required=True, validate=validate.Length(3, 2000),
                           metadata={"description": "the law or decree the value comes from"})


class Parameter(Out):
    name = fields.String(required=True)
    value = fields.String(allow_none=True)
    on = IsoDate()
    history = fields.List(fields.Dict())


class DeadlineCheck(ma.Schema):
    today = IsoDate(allow_none=True)


class Alert(Out):
    alert = fields.String(required=True)
    declaration_id = Id(required=True)
    kind = fields.String()
    period = fields.String()
    due_date = IsoDate()
