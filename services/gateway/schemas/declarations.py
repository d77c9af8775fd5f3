"""Payslip simulation and the cooperative's social and tax declarations."""
import marshmallow as ma
from marshmallow import fields, validate

from services.gateway.schemas import PageQuery
from shared.schemas import IsoDate, Money

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


class DeclarationQuery(PageQuery):
    kind = fields.String(validate=validate.OneOf(KINDS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    period = fields.String(validate=validate.Length(7, 7))


class PeriodicReturn(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("vat", "withholding", "dmfa")))
    period = fields.String(required=True, validate=validate.Length(7, 7))
    prepare = fields.Boolean()


class Submission(ma.Schema):
    submission_reference = fields.String(validate=validate.Length(1, 80))


class Outcome(ma.Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(("accepted", "rejected")))
    note = fields.String(validate=validate.Length(max=2000))


class DeadlineCheck(ma.Schema):
    today = IsoDate(allow_none=True)


