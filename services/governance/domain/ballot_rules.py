"""The voting rules as plain Python (DOMAIN.md, "Governance"): who may cast which ballot on which
item, what an accepted ballot writes, and when a resolution passes.

Casting is judged on facts already loaded (``BallotFacts``: the items, the roll weights, the
proxies in force, the attendances, each election's candidacies); ``voting`` does the queries
and the writes. Nothing here touches a database.
"""
import base64
import hashlib
import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from shared.errors import Conflict, CoopError, Forbidden, NotFound, PreconditionFailed, rule_broken

RESOLUTION_CHOICES = ("for", "against", "abstain", "blank")
MAJORITIES = ("simple", "two_thirds", "three_quarters", "four_fifths")
QUORUM_RULES = ("none", "half_members", "half_capital")
ALREADY_VOTED = "this member has already voted on this item"


@dataclass(frozen=True)
class Item:
    """An agenda item as casting sees it."""

    id: str
    assembly_id: str
    kind: str  # resolution | election | information
    status: str  # pending | open | closed
    secret: bool
    seats: int | None = None


@dataclass
class BallotFacts:
    """What the casting rules read, keyed by (assembly_id, member_id) where it is per member."""

    items: dict[str, Item] = field(default_factory=dict)
    weights: dict[tuple[str, str], int] = field(default_factory=dict)  # the roll's votes per member
    holders: dict[tuple[str, str], str] = field(default_factory=dict)  # grantor -> holder in force
    present: set[tuple[str, str]] = field(default_factory=set)  # members recorded present
    candidacies: dict[str, set[str]] = field(default_factory=dict)  # election item -> candidacy ids


@dataclass(frozen=True)
class Accepted:
    """A ballot the rules accept, with what it writes once its participation is recorded."""

    item: Item
    member_id: str  # whose vote it is
    voter_id: str  # who casts it: the member, or the holder of their proxy
    choice: str  # a resolution's choice, or "marks" / "blank" for an election
    marks: tuple[str, ...]  # the candidacies an election ballot marks
    weight: int
    attends: bool  # the voter is recorded present
    revokes_proxy: bool  # the member votes in person while their proxy is in force

    @property
    def participation(self) -> dict:
        """The row that says this member voted; a secret item keeps no choice with it."""
        return {"item_id": self.item.id, "member_id": self.member_id, "cast_by": self.voter_id,
                "choice": None if self.item.secret else self.choice}


@dataclass
class BallotWrites:
    """Everything the accepted ballots write, and one outcome per request (receipt or refusal)."""

    outcomes: list
    attendances: list[dict] = field(default_factory=list)
    revocations: list[tuple[str, str]] = field(default_factory=list)  # (assembly_id, grantor_id)
    ballots: list[dict] = field(default_factory=list)
    marks: list[dict] = field(default_factory=list)


def judge_ballot(request: Mapping, facts: BallotFacts) -> Accepted:
    """Accept a ballot request (``item_id``, ``voter_id``, ``on_behalf_of``, ``choice``,
    ``candidates``) or raise the typed refusal; whether the member already voted is the
    participations' primary key's to say, not this function's."""
    item = facts.items.get(request["item_id"])
    if item is None:
        raise NotFound(f"no agenda item {request['item_id']}")
    if item.status != "open":
        raise PreconditionFailed("the vote on this item is not open")
    voter_id = request["voter_id"]
    member_id = request["on_behalf_of"] or voter_id
    weight = facts.weights.get((item.assembly_id, member_id))
    if weight is None:
        raise Forbidden("this member is not on the assembly's electoral roll")
    in_person = member_id == voter_id
    holder = facts.holders.get((item.assembly_id, member_id))
    if not in_person and holder != voter_id:
        raise Forbidden("the voter holds no proxy in force for this member")
    choice, marks = ballot_content(item, request["choice"], request["candidates"],
                                   facts.candidacies.get(item.id, set()))
    revokes = bool(in_person and holder)
    return Accepted(item, member_id, voter_id, choice, tuple(marks), weight,
                    attends=revokes or (item.assembly_id, voter_id) not in facts.present,
                    revokes_proxy=revokes)


def judge_ballots(requests: Sequence[Mapping], facts: BallotFacts) -> list[Accepted | CoopError]:
    """One judgement per request, in order; a second ballot for the same member and item in
    the same batch is refused as already voted."""
    judged: list[Accepted | CoopError] = []
    seen: set[tuple[str, str]] = set()
    for request in requests:
        try:
            accepted = judge_ballot(request, facts)
        except CoopError as refusal:
            judged.append(refusal)
            continue
        key = (accepted.item.id, accepted.member_id)
        if key in seen:
            judged.append(already_voted())
            continue
        seen.add(key)
        judged.append(accepted)
    return judged


def already_voted() -> Conflict:
    return Conflict(ALREADY_VOTED, {"member_id": ["already voted"]})


def ballot_content(item: Item, choice: str | None, candidates: Sequence[str] | None,
                   valid: set[str]) -> tuple[str, list[str]]:
    """The ballot's choice and marks; ``valid``: the item's candidacy ids (an election's)."""
    if item.kind == "resolution":
        if choice not in RESOLUTION_CHOICES:
            raise rule_broken("choice", f"one of {', '.join(RESOLUTION_CHOICES)}")
        return choice, []
    if choice is not None and choice != "blank":
        raise rule_broken("choice", "an election ballot lists candidates (or is blank)")
    chosen = list(dict.fromkeys(candidates or []))
    if len(chosen) > (item.seats or 0):
        raise rule_broken("candidates", f"at most {item.seats} candidates for {item.seats} seats")
    unknown = [c for c in chosen if c not in valid]
    if unknown:
        raise rule_broken("candidates", f"not candidates in this election: {', '.join(unknown)}")
    return ("marks" if chosen else "blank"), chosen


def ballot_writes(judged: Sequence[Accepted | CoopError], inserted: set[tuple[str, str]],
                  new_id: Callable[[], str]) -> BallotWrites:
    """What the ballots whose participation was inserted (``inserted``: (item_id, member_id))
    write: attendances, proxies revoked, the ballots with fresh receipts, in random order.
    An accepted ballot whose participation was not inserted was beaten by an earlier one."""
    writes = BallotWrites(outcomes=list(judged))
    attending: dict[tuple[str, str], dict] = {}
    revoking: set[tuple[str, str]] = set()
    for index, ballot in enumerate(judged):
        if not isinstance(ballot, Accepted):
            continue
        item = ballot.item
        if (item.id, ballot.member_id) not in inserted:
            writes.outcomes[index] = already_voted()
            continue
        if ballot.attends:
            attending[(item.assembly_id, ballot.voter_id)] = {
                "assembly_id": item.assembly_id, "member_id": ballot.voter_id,
                "registered_by": ballot.voter_id}
        if ballot.revokes_proxy:
            revoking.add((item.assembly_id, ballot.voter_id))
        receipt, ballot_id = new_receipt(), new_id()
        writes.ballots.append({"id": ballot_id, "item_id": item.id, "choice": ballot.choice,
                               "weight": ballot.weight, "receipt_hash": receipt_hash(receipt)})
        writes.marks += [{"ballot_id": ballot_id, "candidacy_id": c} for c in ballot.marks]
        writes.outcomes[index] = {"item_id": item.id, "member_id": ballot.member_id,
                                  "cast_by": ballot.voter_id, "receipt": receipt}
    writes.attendances = [attending[key] for key in sorted(attending)]
    writes.revocations = sorted(revoking)
    # the box's rows keep no trace of the order in which members voted
    random.SystemRandom().shuffle(writes.ballots)
    return writes


def new_receipt() -> str:
    code = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.strip().upper().encode()).hexdigest()


def majority_met(kind: str, votes_for: int, votes_against: int) -> bool:
    """Abstentions and blanks are not votes cast; a qualified majority is reached at its fraction."""
    cast = votes_for + votes_against
    if cast == 0:
        return False
    if kind == "simple":
        return votes_for * 2 > cast
    numerator, denominator = {"two_thirds": (2, 3), "three_quarters": (3, 4),
                              "four_fifths": (4, 5)}[kind]
    return votes_for * denominator >= cast * numerator


def quorum_met(rule: str, attending: Mapping, roll: Mapping) -> bool:
    """``attending``: members and paid shares present or represented; ``roll``: the roll's totals."""
    if rule == "half_members":
        return attending["members"] * 2 >= roll["members"]
    if rule == "half_capital":
        return attending["paid_shares"] * 2 >= roll["paid_shares"]
    return True


def quorum_result(rule: str, attending: Mapping, roll: Mapping) -> dict:
    """The quorum part of a vote's result: ``attending`` as ``assemblies.presence`` gives it
    (members and paid shares present and represented), ``roll`` the roll's totals."""
    present, represented = attending["present"], attending["represented"]
    both = {"members": present["members"] + represented["members"],
            "paid_shares": present["paid_shares"] + represented["paid_shares"]}
    return {"quorum_rule": rule, "quorum_met": quorum_met(rule, both, roll),
            "present": present["members"], "represented": represented["members"],
            "paid_shares_present_or_represented": both["paid_shares"],
            "roll_members": roll["members"], "roll_paid_shares": roll["paid_shares"]}


def resolution_result(majority: str, tally: Mapping, quorum_ok: bool) -> dict:
    """A resolution's count: ``tally`` holds the ballots and the votes (weights) per choice;
    it is adopted when the quorum and its majority are both met."""
    votes_for, votes_against = tally["votes"]["for"], tally["votes"]["against"]
    met = majority_met(majority, votes_for, votes_against)
    return {"tally": tally["votes"], "ballots": tally["ballots"],
            "ballots_total": sum(tally["ballots"].values()), "votes_cast": votes_for + votes_against,
            "majority": majority, "majority_met": met, "adopted": quorum_ok and met}


def effective_quorum(item_quorum: str | None, sitting: int) -> str:
    """A second meeting decides whatever the number present."""
    return "none" if sitting == 2 else (item_quorum or "none")
