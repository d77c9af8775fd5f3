"""Assemblies, votes and elections, proxies, working groups and polls."""
import marshmallow as ma
from marshmallow import fields, validate

from services.gateway.schemas import PageQuery
from shared.schemas import Id, Instant, IsoDate, Money

MAJORITIES = ("simple", "two_thirds", "three_quarters", "four_fifths")
POLL_KINDS = ("proposal", "multiple_choice", "ranked_choice")
Title = lambda **kw: fields.String(validate=validate.Length(1, 200), **kw)  # noqa: E731


class AgendaItemIn(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("resolution", "election", "information")))
    title = Title(required=True)
    text = fields.String(allow_none=True, validate=validate.Length(max=20000))
    majority = fields.String(validate=validate.OneOf(MAJORITIES))
    quorum = fields.String(validate=validate.OneOf(("none", "half_members", "half_capital")))
    secret = fields.Boolean()
    seats = fields.Integer(validate=validate.Range(1, 50))
    term_years = fields.Integer(validate=validate.Range(1, 10))
    tie_break = fields.String(validate=validate.OneOf(("seniority", "lot")))
    recommendation_id = Id(allow_none=True)


class Convocation(ma.Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("ordinary", "extraordinary")))
    title = Title(required=True)
    meeting_date = IsoDate(required=True)
    record_date = IsoDate(allow_none=True)
    place = fields.String(allow_none=True, validate=validate.Length(max=200))
    online = fields.Boolean()
    weighting = fields.String(validate=validate.OneOf(("per_member", "shares")))
    share_cap_percent = Money(allow_none=True)
    first_meeting_id = Id(allow_none=True)
    chair_id = Id(allow_none=True)
    secretary_id = Id(allow_none=True)
    agenda = fields.List(fields.Nested(AgendaItemIn))


class ProxyGrant(ma.Schema):
    holder_id = Id(required=True)


class Ballot(ma.Schema):
    choice = fields.String(allow_none=True, metadata={"description": "for, against, abstain (or blank)"})
    candidates = fields.List(Id(), allow_none=True)
    on_behalf_of = Id(allow_none=True, metadata={"description": "the member whose proxy the voter holds"})
    voter_id = Id(metadata={"description": "defaults to the caller"})


class ReceiptCheck(ma.Schema):
    receipt = fields.String(required=True, validate=validate.Length(8, 64))


class CandidacyIn(ma.Schema):
    member_id = Id(metadata={"description": "defaults to the caller"})


class BoardQuery(ma.Schema):
    on = IsoDate()


class CycleIn(ma.Schema):
    title = Title(required=True)
    themes = fields.List(Title(), required=True, validate=validate.Length(min=1))
    item_id = Id(allow_none=True)


class WorkingGroupIn(ma.Schema):
    title = Title(required=True)
    cycle_id = Id(allow_none=True)
    theme = Title(allow_none=True)


class RecommendationIn(ma.Schema):
    title = Title(required=True)
    text = fields.String(required=True, validate=validate.Length(1, 20000))
    member_id = Id(metadata={"description": "defaults to the caller"})


class AnswerIn(ma.Schema):
    status = fields.String(required=True, validate=validate.OneOf(("accepted", "rejected", "in_progress")))
    text = fields.String(required=True, validate=validate.Length(1, 20000))


class PollIn(ma.Schema):
    question = fields.String(required=True, validate=validate.Length(1, 2000))
    kind = fields.String(required=True, validate=validate.OneOf(POLL_KINDS))
    options = fields.List(Title(), validate=validate.Length(max=50))
    group_id = Id(allow_none=True)
    audience = fields.String(validate=validate.OneOf(("board", "members")))
    closes_at = Instant(required=True)
    hide_results = fields.Boolean()
    max_choices = fields.Integer(validate=validate.Range(1, 50))


class PollResponseIn(ma.Schema):
    choice = fields.List(Title(), required=True, validate=validate.Length(1, 50))


class RollQuery(PageQuery):
    pass
