"""Governance's RPC inputs; its outputs and events are its contract, ``shared.contracts.governance``."""
import marshmallow as ma
from marshmallow import fields, validate

from shared.schemas import Id, Instant, IsoDate, Money, Page, StrictSchema

SOURCE = "governance"
MAJORITIES = ("simple", "two_thirds", "three_quarters", "four_fifths")
QUORUM_RULES = ("none", "half_members", "half_capital")
ITEM_KINDS = ("resolution", "election", "information")
POLL_KINDS = ("proposal", "multiple_choice", "ranked_choice")
ANSWERS = ("accepted", "rejected", "in_progress")

Title = lambda **kw: fields.String(validate=validate.Length(1, 200), **kw)  # noqa: E731


# ---- RPC input ----

class AgendaItemIn(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(ITEM_KINDS))
    title = Title(required=True)
    text = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20000))
    majority = fields.String(load_default=None, validate=validate.OneOf(MAJORITIES))
    quorum = fields.String(load_default=None, validate=validate.OneOf(QUORUM_RULES))
    secret = fields.Boolean()
    seats = fields.Integer(load_default=None, validate=validate.Range(1, 50))
    term_years = fields.Integer(load_default=None, validate=validate.Range(1, 10))
    tie_break = fields.String(load_default=None, validate=validate.OneOf(("seniority", "lot")))
    recommendation_id = Id(load_default=None, allow_none=True)


class ConveneAssembly(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(("ordinary", "extraordinary")))
    title = Title(required=True)
    meeting_date = IsoDate(required=True)
    record_date = IsoDate(load_default=None, allow_none=True)
    place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    online = fields.Boolean(load_default=False)
    weighting = fields.String(load_default=None, validate=validate.OneOf(("per_member", "shares")))
    share_cap_percent = Money(load_default=None, allow_none=True)
    first_meeting_id = Id(load_default=None, allow_none=True)
    chair_id = Id(load_default=None, allow_none=True)
    secretary_id = Id(load_default=None, allow_none=True)
    agenda = fields.List(fields.Nested(AgendaItemIn), load_default=list)

    @ma.validates("share_cap_percent")
    def _cap(self, value, **kwargs):
        if value is not None and not 0 < value <= 100:
            raise ma.ValidationError("a percentage above 0 and at most 100")


class AssemblyRef(StrictSchema):
    assembly_id = Id(required=True)


class StandingQuery(StrictSchema):
    member_id = Id(required=True)
    on = IsoDate(load_default=None, allow_none=True)


class RollQuery(Page):
    assembly_id = Id(required=True)


class MemberAtAssembly(StrictSchema):
    assembly_id = Id(required=True)
    member_id = Id(required=True)


class ProxyIn(StrictSchema):
    assembly_id = Id(required=True)
    grantor_id = Id(required=True)
    holder_id = Id(required=True)


class RevokeProxyIn(StrictSchema):
    assembly_id = Id(required=True)
    grantor_id = Id(required=True)


class ItemRef(StrictSchema):
    item_id = Id(required=True)


class CastVote(StrictSchema):
    item_id = Id(required=True)
    voter_id = Id(required=True)
    on_behalf_of = Id(load_default=None, allow_none=True)
    choice = fields.String(load_default=None, allow_none=True)
    candidates = fields.List(Id(), load_default=None, allow_none=True)


class ReceiptIn(StrictSchema):
    item_id = Id(required=True)
    receipt = fields.String(required=True, validate=validate.Length(8, 64))


class CandidacyIn(StrictSchema):
    item_id = Id(required=True)
    member_id = Id(required=True)


class BoardQuery(StrictSchema):
    on = IsoDate(load_default=None, allow_none=True)


class CycleIn(StrictSchema):
    title = Title(required=True)
    themes = fields.List(Title(), required=True, validate=validate.Length(min=1))
    item_id = Id(load_default=None, allow_none=True)


class WorkingGroupIn(StrictSchema):
    title = Title(required=True)
    cycle_id = Id(load_default=None, allow_none=True)
    theme = Title(load_default=None, allow_none=True)


class JoinGroupIn(StrictSchema):
    group_id = Id(required=True)
    member_id = Id(required=True)


class RecommendationIn(StrictSchema):
    group_id = Id(required=True)
    member_id = Id(required=True)
    title = Title(required=True)
    text = fields.String(required=True, validate=validate.Length(1, 20000))


class AnswerIn(StrictSchema):
    recommendation_id = Id(required=True)
    status = fields.String(required=True, validate=validate.OneOf(ANSWERS))
    text = fields.String(required=True, validate=validate.Length(1, 20000))


class PollIn(StrictSchema):
    question = fields.String(required=True, validate=validate.Length(1, 2000))
    kind = fields.String(required=True, validate=validate.OneOf(POLL_KINDS))
    options = fields.List(Title(), load_default=None, validate=validate.Length(max=50))
    group_id = Id(load_default=None, allow_none=True)
    audience = fields.String(load_default=None, validate=validate.OneOf(("board", "members")))
    closes_at = Instant(required=True)
    hide_results = fields.Boolean(load_default=False)
    max_choices = fields.Integer(load_default=None, validate=validate.Range(1, 50))


class PollResponseIn(StrictSchema):
    poll_id = Id(required=True)
    member_id = Id(required=True)
    choice = fields.List(Title(), required=True, validate=validate.Length(1, 50))


class PollRef(StrictSchema):
    poll_id = Id(required=True)


class MinutesIn(StrictSchema):
    assembly_id = Id(required=True)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "pdf")))
