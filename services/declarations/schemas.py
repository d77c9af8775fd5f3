"""Declarations' RPC input/output, the billing events it reads, and the events it publishes."""
import datetime as dt
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from services.declarations.domain.withholding import MARITAL_STATUSES
from services.declarations.ledger import KINDS, OUTCOMES
from services.declarations.payslip import CATEGORIES
from shared.events import event_schema
from shared.money import money_str
from shared.schemas import Id, Instant, IsoDate, Money, Page, StrictSchema

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


class ParameterQuery(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 80))
    on = IsoDate(load_default=None, allow_none=True)


class ParameterChange(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(1, 80))
    value = fields.String(required=True, validate=validate.Length(1, 80))
    effective_from = IsoDate(required=True)
    source = fields.String(required=True, validate=validate.Length(3, 2000))


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

class PayslipOut(ma.Schema):
    gross = Money()
    employee_contributions = Money()
    taxable = Money()
    withholding_tax = Money()
    net = Money()
    employer_contributions = Money()
    employer_cost = Money()
    worker_category = fields.String()
    pay_date = IsoDate()
    withholding_tax_is_estimate = fields.Boolean()
    contribution_basis = Money()
    work_bonus = Money()
    work_bonus_part_a = Money()
    work_bonus_part_b = Money()
    employee_contributions_withheld = Money()
    fiscal_work_bonus = Money()
    special_contribution = Money()


class InversePayslipOut(PayslipOut):
    employment_budget = Money()
    budget_remainder = Money()


class ParameterValueOut(ma.Schema):
    value = fields.String()
    effective_from = IsoDate()
    source = fields.String()
    recorded_at = Instant()
    recorded_by = fields.String(allow_none=True)
    superseded_at = Instant(allow_none=True)


class DeclarationOut(ma.Schema):
    id = Id()
    kind = fields.String()
    period = fields.String()
    reference = fields.String()
    status = fields.String()
    due_date = IsoDate()
    created_at = Instant()
    ready_at = Instant(allow_none=True)
    submitted_at = Instant(allow_none=True)
    submission_reference = fields.String(allow_none=True)
    outcome_at = Instant(allow_none=True)
    outcome_note = fields.String(allow_none=True)


# ---- billing's events, as this service reads them (extra fields are ignored) ----

class BillingEvent(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE


class VatItem(BillingEvent):
    category = fields.String(required=True, validate=validate.Length(1, 3))
    rate = Money(required=True)
    base = Money(required=True)
    vat = Money(required=True)


class InvoiceIssued(BillingEvent):
    invoice_id = Id(required=True)
    issue_date = IsoDate(required=True)
    vat_breakdown = fields.List(fields.Nested(VatItem), required=True)


class CreditNoteIssued(BillingEvent):
    credit_note_id = Id(required=True)
    issue_date = IsoDate(required=True)
    vat_breakdown = fields.List(fields.Nested(VatItem), required=True)


class ExpenseApproved(BillingEvent):
    expense_id = Id(required=True)
    expense_date = IsoDate(required=True)
    category = fields.String(required=True, validate=validate.OneOf(("goods", "services", "investment")))
    net = Money(required=True)
    deductible_vat = Money(required=True)


class SalaryPayoutApproved(BillingEvent):
    payout_id = Id(required=True)
    member_id = Id(required=True)
    activity_id = Id(required=True)
    work_dates = fields.List(IsoDate(), required=True)
    first_work_date = IsoDate(required=True)
    last_work_date = IsoDate(required=True)
    worker_category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    pay_date = IsoDate(required=True)
    gross = Money(required=True)
    employee_contributions = Money(required=True)
    withholding_tax = Money(required=True)
    net = Money(required=True)
    employer_contributions = Money(required=True)
    employer_cost = Money(required=True)


class SalaryPayoutCancelled(BillingEvent):
    payout_id = Id(required=True)


class MonthClosed(BillingEvent):
    period = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))


# ---- events published (ids and figures only) ----

class DeclarationEvent(ma.Schema):
    declaration_id = Id(required=True)
    kind = fields.String(required=True)
    period = fields.String(required=True)
    due_date = IsoDate(required=True)


@event_schema(SOURCE, "dimona_declared")
class DimonaDeclared(DeclarationEvent):
    """A Dimona IN (or its cancellation) is ready to submit before the work starts."""

    payout_id = Id(required=True)
    member_id = Id(required=True)
    action = fields.String(required=True)
    start_date = IsoDate(required=True)
    end_date = IsoDate(required=True)


@event_schema(SOURCE, "declaration_ready")
class DeclarationReady(DeclarationEvent):
    """A declaration is complete and can be exported and submitted."""


@event_schema(SOURCE, "declaration_submitted")
class DeclarationSubmitted(DeclarationEvent):
    """The exported file was handed to the authority's portal."""

    submitted_at = Instant(required=True)


@event_schema(SOURCE, "declaration_outcome_recorded")
class DeclarationOutcomeRecorded(DeclarationEvent):
    """The authority accepted or rejected a submitted declaration."""

    outcome = fields.String(required=True)


@event_schema(SOURCE, "declaration_due")
class DeclarationDue(DeclarationEvent):
    """A declaration not yet submitted is due within the alert lead time."""

    days_left = fields.Integer(required=True)


@event_schema(SOURCE, "declaration_overdue")
class DeclarationOverdue(DeclarationEvent):
    """A declaration's deadline passed before it was submitted."""


@event_schema(SOURCE, "parameter_changed")
class ParameterChanged(ma.Schema):
    """Staff set a dated legal parameter."""

    name = fields.String(required=True)
    value = fields.String(required=True)
    effective_from = IsoDate(required=True)
