"""Payslip simulation and the cooperative's social and tax declarations."""
import marshmallow as ma
from marshmallow import fields, validate

from services.gateway.schemas import PageQuery
from shared.schemas import Instant, IsoDate, Money

KINDS = ("dimona", "dimona_cancel", "dmfa", "withholding", "vat")
STATUSES = ("draft", "ready", "submitted", "accepted", "rejected", "cancelled")


class PayslipRequest(ma.Schema):
    """Give either ``gross`` or ``employment_budget`` (what the employer may spend in all)."""

    gross = Money()
    employment_budget = Money()
    worker_category = fields.String(required=True,
                                    validate=validate.OneOf(("employee", "artist", "blue_collar", "student")))
    pay_date = IsoDate(required=True)


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


class OnQuery(ma.Schema):
    on = IsoDate()


class ParameterChange(ma.Schema):
    value = fields.String(required=True, validate=validate.Length(1, 80))
    effective_from = IsoDate(required=True)
    source = fields.String(required=True, validate=validate.Length(3, 2000),
                           metadata={"description": "the law or decree the value comes from"})


class Parameter(ma.Schema):
    """A parameter's value on a date and its history (GET), or the value just set (PUT)."""

    name = fields.String(required=True)
    value = fields.String(allow_none=True)
    on = IsoDate()
    history = fields.List(fields.Dict())
    effective_from = IsoDate()
    source = fields.String()
    recorded_at = Instant()
    recorded_by = fields.String(allow_none=True)
    superseded_at = Instant(allow_none=True)


class DeadlineCheck(ma.Schema):
    today = IsoDate(allow_none=True)


