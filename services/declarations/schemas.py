"""Declarations' RPC inputs and its parameter schemas; its other outputs and events are its contract,
``shared.contracts.declarations``."""
import datetime as dt
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from services.declarations.domain.ledger import KINDS, OUTCOMES
from services.declarations.domain.payslip import CATEGORIES
from services.declarations.domain.withholding import MARITAL_STATUSES
from shared.money import money_str
from shared.schemas import Id, IsoDate, Money, Page, StrictSchema

SOURCE = "declarations"
STATUSES = ("draft", "ready", "submitted", "accepted", "rejected", "cancelled")
ZERO = Decimal("0")


def jsonable(value):
    """Figures as the wire wants them: money strings, ISO dates, lists and dicts of those."""
    if isinstance(value, Decimal):
        return money_str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


# ---- RPC input ----

class PayslipRequest(StrictSchema):
    gross = Money(minimum=ZERO)
    employment_budget = Money(minimum=ZERO)
    worker_category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    pay_date = IsoDate(required=True)
    # the family situation (key formula, special contribution); default single without dependants
    marital_status = fields.String(load_default="single", validate=validate.OneOf(MARITAL_STATUSES))
    dependent_children = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 30))
    other_dependants = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 30))
    # the pay's share of a full-time month (work bonus), e.g. "0.5"
    working_time = Money(places=4, load_default=Decimal(1), minimum=Decimal("0.0001"))

    @ma.validates_schema
    def one_amount(self, data, **kwargs):
        if ("gross" in data) == ("employment_budget" in data):
            raise ma.ValidationError("give either gross or employment_budget", "gross")


class DeclarationQuery(Page):
    kind = fields.String(load_default=None, validate=validate.OneOf(KINDS))
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    period = fields.String(load_default=None, validate=validate.Length(7, 7))


class DeclarationRef(StrictSchema):
    declaration_id = Id(required=True)


class Submission(DeclarationRef):
    submission_reference = fields.String(load_default=None, validate=validate.Length(1, 80))


class Outcome(DeclarationRef):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    note = fields.String(load_default=None, validate=validate.Length(max=2000))


class PeriodRequest(StrictSchema):
    period = fields.String(required=True, validate=validate.Length(7, 7))
    # make the return ready for submission (as month-end does), not only build it
    prepare = fields.Boolean(load_default=False)


class DeadlineCheck(StrictSchema):
    today = IsoDate(load_default=None, allow_none=True)


# ---- RPC output ----

