"""Governance's RPC input/output schemas and the events it publishes."""
import marshmallow as ma
from marshmallow import fields, validate

from shared.events import event_schema
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


# ---- RPC output ----

class ItemOut(ma.Schema):
    id = Id()
    position = fields.Integer()
    kind = fields.String()
    title = fields.String()
    text = fields.String(allow_none=True)
    majority = fields.String(allow_none=True)
    quorum = fields.String(allow_none=True)
    secret = fields.Boolean()
    seats = fields.Integer(allow_none=True)
    term_years = fields.Integer(allow_none=True)
    tie_break = fields.String(allow_none=True)
    recommendation_id = Id(allow_none=True)
    status = fields.String()
    result = fields.Dict(allow_none=True)


class AssemblyOut(ma.Schema):
    id = Id()
    kind = fields.String()
    title = fields.String()
    meeting_date = IsoDate()
    record_date = IsoDate()
    convened_on = IsoDate()
    place = fields.String(allow_none=True)
    online = fields.Boolean()
    sitting = fields.Integer()
    first_meeting_id = Id(allow_none=True)
    weighting = fields.String()
    share_cap_percent = Money(allow_none=True)
    max_proxies = fields.Integer()
    chair_id = Id(allow_none=True)
    secretary_id = Id(allow_none=True)
    roll_frozen = fields.Function(lambda a: a.roll_frozen_at is not None)


class RollEntryOut(ma.Schema):
    member_id = Id()
    number = fields.Integer(allow_none=True)
    paid_shares = fields.Integer()
    weight = fields.Integer()


class ProxyOut(ma.Schema):
    id = Id()
    assembly_id = Id()
    grantor_id = Id()
    holder_id = Id()
    granted_at = Instant()
    revoked_at = Instant(allow_none=True)
    revoked_reason = fields.String(allow_none=True)


class CandidacyOut(ma.Schema):
    id = Id()
    item_id = Id()
    member_id = Id()


class MandateOut(ma.Schema):
    member_id = Id()
    item_id = Id()
    starts_on = IsoDate()
    ends_on = IsoDate()
    votes = fields.Integer()


class CycleOut(ma.Schema):
    id = Id()
    title = fields.String()
    themes = fields.List(fields.String())
    item_id = Id(allow_none=True)


class GroupOut(ma.Schema):
    id = Id()
    cycle_id = Id(allow_none=True)
    theme = fields.String(allow_none=True)
    title = fields.String()


class RecommendationOut(ma.Schema):
    id = Id()
    group_id = Id()
    title = fields.String()
    text = fields.String()
    submitted_by = Id()
    submitted_at = Instant()
    status = fields.String()


class PollOut(ma.Schema):
    id = Id()
    group_id = Id(allow_none=True)
    audience = fields.String()
    kind = fields.String()
    question = fields.String()
    options = fields.List(fields.String())
    max_choices = fields.Integer()
    closes_at = Instant()
    hide_results = fields.Boolean()
    closed = fields.Function(lambda p: p.closed_at is not None)


# ---- events: ids and figures only, never personal data ----

class ConvenedItem(ma.Schema):
    item_id = Id(required=True)
    kind = fields.String(required=True)
    majority = fields.String(allow_none=True)
    quorum = fields.String(allow_none=True)


@event_schema(SOURCE, "assembly_convened")
class AssemblyConvened(ma.Schema):
    """A general assembly was convened with its agenda."""

    assembly_id = Id(required=True)
    kind = fields.String(required=True)
    meeting_date = IsoDate(required=True)
    record_date = IsoDate(required=True)
    sitting = fields.Integer(required=True)
    items = fields.List(fields.Nested(ConvenedItem), required=True)


@event_schema(SOURCE, "vote_opened")
class VoteOpened(ma.Schema):
    """Voting on an agenda item opened."""

    item_id = Id(required=True)
    assembly_id = Id(required=True)
    kind = fields.String(required=True)
    secret = fields.Boolean(required=True)


@event_schema(SOURCE, "vote_closed")
class VoteClosed(ma.Schema):
    """Voting on an agenda item closed; ``tally`` holds votes per choice (or per candidacy)."""

    item_id = Id(required=True)
    assembly_id = Id(required=True)
    kind = fields.String(required=True)
    quorum_met = fields.Boolean(required=True)
    ballots_total = fields.Integer(required=True)
    tally = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    adopted = fields.Boolean(required=True)


class ResolutionOutcome(ma.Schema):
    item_id = Id(required=True)
    assembly_id = Id(required=True)
    majority = fields.String(required=True)
    quorum_met = fields.Boolean(required=True)
    votes_for = fields.Integer(required=True)
    votes_against = fields.Integer(required=True)
    abstentions = fields.Integer(required=True)
    votes_cast = fields.Integer(required=True)


@event_schema(SOURCE, "resolution_adopted")
class ResolutionAdopted(ResolutionOutcome):
    """A resolution met its quorum and majority."""


@event_schema(SOURCE, "resolution_rejected")
class ResolutionRejected(ResolutionOutcome):
    """A resolution missed its quorum or its majority."""


class ElectedMember(ma.Schema):
    member_id = Id(required=True)
    votes = fields.Integer(required=True)
    starts_on = IsoDate(required=True)
    ends_on = IsoDate(required=True)


@event_schema(SOURCE, "board_elected")
class BoardElected(ma.Schema):
    """Members elected to the board, with their terms; ``lot_seed`` replays a draw."""

    item_id = Id(required=True)
    assembly_id = Id(required=True)
    seats = fields.Integer(required=True)
    elected = fields.List(fields.Nested(ElectedMember), required=True)
    tie_break = fields.String(required=True)
    tie_broken = fields.Boolean(required=True)
    lot_seed = fields.String(allow_none=True)


@event_schema(SOURCE, "recommendation_submitted")
class RecommendationSubmitted(ma.Schema):
    """A working group submitted a recommendation to the board."""

    recommendation_id = Id(required=True)
    group_id = Id(required=True)
    cycle_id = Id(allow_none=True)


@event_schema(SOURCE, "recommendation_answered")
class RecommendationAnswered(ma.Schema):
    """The board answered a recommendation (accepted, rejected, in progress)."""

    recommendation_id = Id(required=True)
    group_id = Id(required=True)
    status = fields.String(required=True)


@event_schema(SOURCE, "poll_closed")
class PollClosed(ma.Schema):
    """A poll closed; its result is read with ``poll_results``."""

    poll_id = Id(required=True)
    kind = fields.String(required=True)
    responses = fields.Integer(required=True)
