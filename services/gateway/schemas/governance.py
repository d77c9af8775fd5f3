"""Assemblies, votes and elections, proxies, working groups and polls."""
import marshmallow as ma
from marshmallow import fields, validate

from services.gateway.schemas import Out, PageQuery
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


class AgendaItem(Out):
    id = Id(required=True)
    position = fields.Integer()
    kind = fields.String(required=True)
    title = fields.String(required=True)
    majority = fields.String(allow_none=True)
    quorum = fields.String(allow_none=True)
    secret = fields.Boolean()
    seats = fields.Integer(allow_none=True)
    status = fields.String(required=True)
    result = fields.Dict(allow_none=True)


class Assembly(Out):
    id = Id(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    meeting_date = IsoDate(required=True)
    record_date = IsoDate()
    sitting = fields.Integer()
    agenda = fields.List(fields.Nested(AgendaItem))
    presence = fields.Dict()
    roll = fields.Dict()


class RollEntry(Out):
    member_id = Id(required=True)
    number = fields.Integer(allow_none=True)
    paid_shares = fields.Integer()
    weight = fields.Integer()


class ElectoralRoll(Out):
    assembly_id = Id(required=True)
    record_date = IsoDate()
    members = fields.Integer()
    entries = fields.List(fields.Nested(RollEntry))


class Attendance(Out):
    assembly_id = Id(required=True)
    member_id = Id(required=True)


class ProxyGrant(ma.Schema):
    holder_id = Id(required=True)


class Proxy(Out):
    id = Id(required=True)
    assembly_id = Id(required=True)
    grantor_id = Id(required=True)
    holder_id = Id(required=True)
    granted_at = Instant()
    revoked_at = Instant(allow_none=True)


class Ballot(ma.Schema):
    choice = fields.String(allow_none=True, metadata={"description": "for, against, abstain (or blank)"})
    candidates = fields.List(Id(), allow_none=True)
    on_behalf_of = Id(allow_none=True, metadata={"description": "the member whose proxy the voter holds"})
    voter_id = Id(metadata={"description": "defaults to the caller"})


class Receipt(Out):
    item_id = Id(required=True)
    member_id = Id(required=True)
    cast_by = Id(required=True)
    receipt = fields.String(required=True)


class ReceiptCheck(ma.Schema):
    receipt = fields.String(required=True, validate=validate.Length(8, 64))


class ReceiptVerification(Out):
    item_id = Id(required=True)
    in_ballot_box = fields.Boolean(required=True)


class VoteResults(Out):
    item_id = Id(required=True)
    status = fields.String(required=True)
    participants = fields.Integer()
    result = fields.Dict()


class CandidacyIn(ma.Schema):
    member_id = Id(metadata={"description": "defaults to the caller"})


class Candidacy(Out):
    id = Id(required=True)
    item_id = Id(required=True)
    member_id = Id(required=True)


class BoardQuery(ma.Schema):
    on = IsoDate()


class Board(Out):
    on = IsoDate(required=True)
    members = fields.List(fields.Dict())


class CycleIn(ma.Schema):
    title = Title(required=True)
    themes = fields.List(Title(), required=True, validate=validate.Length(min=1))
    item_id = Id(allow_none=True)


class Cycle(Out):
    id = Id(required=True)
    title = fields.String()
    themes = fields.List(fields.String())


class WorkingGroupIn(ma.Schema):
    title = Title(required=True)
    cycle_id = Id(allow_none=True)
    theme = Title(allow_none=True)


class WorkingGroup(Out):
    id = Id(required=True)
    title = fields.String()
    cycle_id = Id(allow_none=True)
    theme = fields.String(allow_none=True)


class Membership(Out):
    group_id = Id(required=True)
    member_id = Id(required=True)


class RecommendationIn(ma.Schema):
    title = Title(required=True)
    text = fields.String(required=True, validate=validate.Length(1, 20000))
    member_id = Id(metadata={"description": "defaults to the caller"})


class AnswerIn(ma.Schema):
    status = fields.String(required=True, validate=validate.OneOf(("accepted", "rejected", "in_progress")))
    text = fields.String(required=True, validate=validate.Length(1, 20000))


class Recommendation(Out):
    id = Id(required=True)
    group_id = Id(required=True)
    title = fields.String()
    status = fields.String()


class PollIn(ma.Schema):
    question = fields.String(required=True, validate=validate.Length(1, 2000))
    kind = fields.String(required=True, validate=validate.OneOf(POLL_KINDS))
    options = fields.List(Title(), validate=validate.Length(max=50))
    group_id = Id(allow_none=True)
    audience = fields.String(validate=validate.OneOf(("board", "members")))
    closes_at = Instant(required=True)
    hide_results = fields.Boolean()
    max_choices = fields.Integer(validate=validate.Range(1, 50))


class Poll(Out):
    id = Id(required=True)
    kind = fields.String()
    question = fields.String()
    options = fields.List(fields.String())
    closes_at = Instant()
    closed = fields.Boolean()


class PollResponseIn(ma.Schema):
    choice = fields.List(Title(), required=True, validate=validate.Length(1, 50))


class PollResponse(Out):
    poll_id = Id(required=True)
    member_id = Id(required=True)
    choice = fields.List(fields.String())


class Minutes(Out):
    assembly = fields.Dict(required=True)
    attendance = fields.List(fields.Dict())
    items = fields.List(fields.Dict())


class PollResults(Out):
    poll_id = Id(required=True)
    kind = fields.String()
    closed = fields.Boolean()


class RollQuery(PageQuery):
    pass
