"""Governance's contract: the outputs of its RPC methods and the events it publishes."""
import marshmallow as ma
from marshmallow import fields

from shared.contracts import event_schema
from shared.schemas import Id, Instant, IsoDate, Money

SOURCE = "governance"


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
    roll_frozen = fields.Function(lambda a: a.roll_frozen_at is not None, metadata={"type": "boolean"})


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


# ---- RPC outputs the service assembles from the records above ----

class RollTotals(ma.Schema):
    members = fields.Integer()
    paid_shares = fields.Integer()
    weight = fields.Integer()


class AssemblyDetailOut(AssemblyOut):
    """An assembly with its agenda, who is present (by presence kind) and the roll's totals."""

    agenda = fields.List(fields.Nested(ItemOut))
    presence = fields.Dict(keys=fields.String(), values=fields.Nested(RollTotals))
    roll = fields.Nested(RollTotals)


class ElectoralRollOut(RollTotals):
    """The roll of an assembly: provisional (not frozen) until its record date."""

    assembly_id = Id()
    record_date = IsoDate()
    frozen = fields.Boolean()
    entries = fields.List(fields.Nested(RollEntryOut))


class AttendanceOut(ma.Schema):
    assembly_id = Id()
    member_id = Id()
    proxy_revoked = Id(allow_none=True)  # the proxy the member gave, revoked by coming in person


class ReceiptOut(ma.Schema):
    item_id = Id()
    member_id = Id()
    cast_by = Id()
    receipt = fields.String()


class ReceiptCheckOut(ma.Schema):
    item_id = Id()
    receipt_hash = fields.String()
    in_ballot_box = fields.Boolean()
    counted = fields.Boolean()


class VoteResultsOut(ma.Schema):
    item_id = Id()
    status = fields.String()
    participants = fields.Integer()
    result = fields.Dict(allow_none=True)
    receipts = fields.List(fields.String())


class BoardOut(ma.Schema):
    on = IsoDate()
    members = fields.List(fields.Nested(MandateOut))


class GroupMembershipOut(ma.Schema):
    group_id = Id()
    member_id = Id()


class PollResponseOut(ma.Schema):
    poll_id = Id()
    member_id = Id()
    choice = fields.List(fields.String())


class PollResultsOut(ma.Schema):
    """A poll's count: per option (proposal, multiple choice) or by rounds (ranked choice);
    only ``responses`` while the results are hidden."""

    poll_id = Id()
    kind = fields.String()
    closed = fields.Boolean()
    hidden = fields.Boolean()
    responses = fields.Integer()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    blocked = fields.Boolean()
    rounds = fields.List(fields.Dict())
    winner = fields.String(allow_none=True)


class MinutesAssembly(ma.Schema):
    id = Id()
    kind = fields.String()
    title = fields.String()
    meeting_date = IsoDate()
    place = fields.String(allow_none=True)
    online = fields.Boolean()
    record_date = IsoDate()
    convened_on = IsoDate()
    sitting = fields.Integer()
    weighting = fields.String()


class MinutesAttendance(ma.Schema):
    member_id = Id()
    number = fields.Integer(allow_none=True)


class MinutesProxy(ma.Schema):
    grantor_id = Id()
    holder_id = Id()
    granted_at = Instant()
    revoked_at = Instant(allow_none=True)
    revoked_reason = fields.String(allow_none=True)


class MinutesItem(ma.Schema):
    position = fields.Integer()
    kind = fields.String()
    title = fields.String()
    status = fields.String()
    majority = fields.String(allow_none=True)
    quorum = fields.String(allow_none=True)
    secret = fields.Boolean()
    result = fields.Dict(allow_none=True)


class MinutesSignatures(ma.Schema):
    chair_id = Id(allow_none=True)
    secretary_id = Id(allow_none=True)


class MinutesOut(ma.Schema):
    assembly = fields.Nested(MinutesAssembly)
    roll = fields.Nested(RollTotals)
    attendance = fields.List(fields.Nested(MinutesAttendance))
    presence = fields.Dict(keys=fields.String(), values=fields.Nested(RollTotals))
    proxies = fields.List(fields.Nested(MinutesProxy))
    items = fields.List(fields.Nested(MinutesItem))
    signatures = fields.Nested(MinutesSignatures)


# ---- events: ids and figures only, never personal data ----

AS = "5dcec16f-a629-4053-8faa-7e6f91428007"
IT = "6edfd270-b73a-4164-8abb-8f70a2539108"
M = "0e7f7c1a-51d4-4b0e-8a55-2f1a4c9d3b02"
REC = "7fe0e381-c84b-4275-8bcc-9081b364a209"
GROUP = "80f1f492-d95c-4386-8cdd-a192c475b30a"
OUTCOME = {"item_id": IT, "assembly_id": AS, "majority": "simple", "quorum_met": True, "votes_for": 120,
           "votes_against": 30, "abstentions": 5, "votes_cast": 155}
EXAMPLES: dict[str, dict] = {
    "assembly_convened": {"assembly_id": AS, "kind": "ordinary", "meeting_date": "2027-06-15",
                          "record_date": "2027-05-31", "sitting": 1,
                          "items": [{"item_id": IT, "kind": "resolution", "majority": "simple",
                                     "quorum": "none"}]},
    "vote_opened": {"item_id": IT, "assembly_id": AS, "kind": "resolution", "secret": False},
    "vote_closed": {"item_id": IT, "assembly_id": AS, "kind": "resolution", "quorum_met": True,
                    "ballots_total": 155, "tally": {"for": 120, "against": 30, "abstain": 5},
                    "adopted": True},
    "resolution_adopted": OUTCOME,
    "resolution_rejected": {**OUTCOME, "votes_for": 30, "votes_against": 120},
    "board_elected": {"item_id": IT, "assembly_id": AS, "seats": 1,
                      "elected": [{"member_id": M, "votes": 98, "starts_on": "2027-06-15",
                                   "ends_on": "2030-06-14"}],
                      "tie_break": "lot", "tie_broken": False, "lot_seed": None},
    "recommendation_submitted": {"recommendation_id": REC, "group_id": GROUP, "cycle_id": None},
    "recommendation_answered": {"recommendation_id": REC, "group_id": GROUP, "status": "accepted"},
    "poll_closed": {"poll_id": "9102a5a3-ea5d-4497-8dee-b2a3d586c40b", "kind": "proposal", "responses": 42},
}


class ConvenedItem(ma.Schema):
    item_id = Id(required=True)
    kind = fields.String(required=True)
    majority = fields.String(allow_none=True)
    quorum = fields.String(allow_none=True)


@event_schema(SOURCE, "assembly_convened", example=EXAMPLES["assembly_convened"])
class AssemblyConvened(ma.Schema):
    """A general assembly was convened with its agenda."""

    assembly_id = Id(required=True)
    kind = fields.String(required=True)
    meeting_date = IsoDate(required=True)
    record_date = IsoDate(required=True)
    sitting = fields.Integer(required=True)
    items = fields.List(fields.Nested(ConvenedItem), required=True)


@event_schema(SOURCE, "vote_opened", example=EXAMPLES["vote_opened"])
class VoteOpened(ma.Schema):
    """Voting on an agenda item opened."""

    item_id = Id(required=True)
    assembly_id = Id(required=True)
    kind = fields.String(required=True)
    secret = fields.Boolean(required=True)


@event_schema(SOURCE, "vote_closed", example=EXAMPLES["vote_closed"])
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


@event_schema(SOURCE, "resolution_adopted", example=EXAMPLES["resolution_adopted"])
class ResolutionAdopted(ResolutionOutcome):
    """A resolution met its quorum and majority."""


@event_schema(SOURCE, "resolution_rejected", example=EXAMPLES["resolution_rejected"])
class ResolutionRejected(ResolutionOutcome):
    """A resolution missed its quorum or its majority."""


class ElectedMember(ma.Schema):
    member_id = Id(required=True)
    votes = fields.Integer(required=True)
    starts_on = IsoDate(required=True)
    ends_on = IsoDate(required=True)


@event_schema(SOURCE, "board_elected", example=EXAMPLES["board_elected"])
class BoardElected(ma.Schema):
    """Members elected to the board, with their terms; ``lot_seed`` replays a draw."""

    item_id = Id(required=True)
    assembly_id = Id(required=True)
    seats = fields.Integer(required=True)
    elected = fields.List(fields.Nested(ElectedMember), required=True)
    tie_break = fields.String(required=True)
    tie_broken = fields.Boolean(required=True)
    lot_seed = fields.String(allow_none=True)


@event_schema(SOURCE, "recommendation_submitted", example=EXAMPLES["recommendation_submitted"])
class RecommendationSubmitted(ma.Schema):
    """A working group submitted a recommendation to the board."""

    recommendation_id = Id(required=True)
    group_id = Id(required=True)
    cycle_id = Id(allow_none=True)


@event_schema(SOURCE, "recommendation_answered", example=EXAMPLES["recommendation_answered"])
class RecommendationAnswered(ma.Schema):
    """The board answered a recommendation (accepted, rejected, in progress)."""

    recommendation_id = Id(required=True)
    group_id = Id(required=True)
    status = fields.String(required=True)


@event_schema(SOURCE, "poll_closed", example=EXAMPLES["poll_closed"])
class PollClosed(ma.Schema):
    """A poll closed; its result is read with ``poll_results``."""

    poll_id = Id(required=True)
    kind = fields.String(required=True)
    responses = fields.Integer(required=True)
