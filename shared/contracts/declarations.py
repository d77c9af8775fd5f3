"""Declarations' contract: the outputs of its RPC methods and the events it publishes."""
import marshmallow as ma
from marshmallow import fields

from shared.contracts import event_schema
from shared.schemas import Id, Instant, IsoDate, Money

SOURCE = "declarations"


# ---- RPC outputs ----

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


class DeclarationDetailOut(DeclarationOut):
    """A declaration with its figures, by kind: ``dimona`` (Dimona), ``workers`` (DmfA),
    ``totals`` (VAT grids, withholding tax), and the regularisations of earlier periods."""

    dimona = fields.Dict()
    workers = fields.List(fields.Dict())
    totals = fields.Dict()
    regularisations = fields.List(fields.Dict())


class AlertOut(ma.Schema):
    alert = fields.String()  # due, overdue
    declaration_id = Id()
    kind = fields.String()
    period = fields.String()
    due_date = IsoDate()


# ---- events published (ids and figures only) ----

D = {"declaration_id": "a213b6b4-fb6e-45a8-8eff-c3b4e697d50c", "kind": "vat_return",
     "period": "2026-11", "due_date": "2026-12-20"}
EXAMPLES: dict[str, dict] = {
    "dimona_declared": {**D, "kind": "dimona", "payout_id": "708192a3-bccd-4edf-8e0f-1a2b3c4d5e08",
                        "member_id": "0e7f7c1a-51d4-4b0e-8a55-2f1a4c9d3b02", "action": "in",
                        "start_date": "2026-11-16", "end_date": "2026-11-17"},
    "declaration_ready": D,
    "declaration_submitted": {**D, "submitted_at": "2026-12-15T10:30:00+00:00"},
    "declaration_outcome_recorded": {**D, "outcome": "accepted"},
    "declaration_due": {**D, "days_left": 5},
    "declaration_overdue": D,
}


class DeclarationEvent(ma.Schema):
    declaration_id = Id(required=True)
    kind = fields.String(required=True)
    period = fields.String(required=True)
    due_date = IsoDate(required=True)


@event_schema(SOURCE, "dimona_declared", example=EXAMPLES["dimona_declared"])
class DimonaDeclared(DeclarationEvent):
    """A Dimona IN (or its cancellation) is ready to submit before the work starts."""

    payout_id = Id(required=True)
    member_id = Id(required=True)
    action = fields.String(required=True)
    start_date = IsoDate(required=True)
    end_date = IsoDate(required=True)


@event_schema(SOURCE, "declaration_ready", example=EXAMPLES["declaration_ready"])
class DeclarationReady(DeclarationEvent):
    """A declaration is complete and can be exported and submitted."""


@event_schema(SOURCE, "declaration_submitted", example=EXAMPLES["declaration_submitted"])
class DeclarationSubmitted(DeclarationEvent):
    """The exported file was handed to the authority's portal."""

    submitted_at = Instant(required=True)


@event_schema(SOURCE, "declaration_outcome_recorded", example=EXAMPLES["declaration_outcome_recorded"])
class DeclarationOutcomeRecorded(DeclarationEvent):
    """The authority accepted or rejected a submitted declaration."""

    outcome = fields.String(required=True)


@event_schema(SOURCE, "declaration_due", example=EXAMPLES["declaration_due"])
class DeclarationDue(DeclarationEvent):
    """A declaration not yet submitted is due within the alert lead time."""

    days_left = fields.Integer(required=True)


@event_schema(SOURCE, "declaration_overdue", example=EXAMPLES["declaration_overdue"])
class DeclarationOverdue(DeclarationEvent):
    """A declaration's deadline passed before it was submitted."""
