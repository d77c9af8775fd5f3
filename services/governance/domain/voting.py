"""Votes on agenda items: opening, casting (in person or by proxy), counting, receipts.

One ballot per member and item is the primary key of ``participations``: whoever casts first
(the member, their proxy holder, or one of twenty identical requests) wins, the others fail
on the constraint, on every backend and across service instances.
"""
import base64
import datetime as dt
import hashlib
import random
import secrets

from sqlalchemy import cast, delete, func, insert, literal, null, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationError, rule_broken
from services.governance.domain import elections
from services.governance.domain.assemblies import ADD_ATTENDANCE, presence
from services.governance.domain.common import get, new_id
from services.governance.domain.roll import ensure_roll, roll_totals
from services.governance.models import (
    AgendaItem, Assembly, Attendance, Ballot, BallotMark, Participation, Proxy, RollEntry,
)

RESOLUTION_CHOICES = ("for", "against", "abstain", "blank")
MAJORITIES = ("simple", "two_thirds", "three_quarters", "four_fifths")
QUORUM_RULES = ("none", "half_members", "half_capital")


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


def quorum_met(rule: str, attending: dict, roll: dict) -> bool:
    """``attending``: members and paid shares present or represented; ``roll``: the roll's totals."""
    if rule == "half_members":
        return attending["members"] * 2 >= roll["members"]
    if rule == "half_capital":
        return attending["paid_shares"] * 2 >= roll["paid_shares"]
    return True


def effective_quorum(item: AgendaItem, assembly: Assembly) -> str:
    """A second meeting decides whatever the number present."""
    return "none" if assembly.sitting == 2 else (item.quorum or "none")


def open_vote(session: Session, item_id: str, now: dt.datetime) -> AgendaItem:
    item = get(session, AgendaItem, item_id, "agenda item", lock=True)
    if item.kind == "information":
        raise rule_broken("item_id", "an information item is not voted on")
    if item.status != "pending":
        raise PreconditionFailed(f"the vote on this item is already {item.status}")
    if item.kind == "election" and not elections.candidacies(session, item.id):
        raise rule_broken("item_id", "an election needs at least one candidate")
    ensure_roll(session, item.assembly_id, now)
    item.status = "open"
    item.opened_at = now
    return item


def new_receipt() -> str:
    code = base64.b32encode(secrets.token_bytes(15)).decode()
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.strip().upper().encode()).hexdigest()


def cast_vote(session: Session, item_id: str, voter_id: str, on_behalf_of: str | None,
              choice: str | None, candidates: list[str] | None, now: dt.datetime) -> dict:
    """Cast a ballot for oneself or for the member one represents; returns the receipt, once.
    The rules are ``cast_votes``'s, applied to a batch of one."""
    [outcome] = cast_votes(session, [{"item_id": item_id, "voter_id": voter_id, "on_behalf_of": on_behalf_of,
                                      "choice": choice, "candidates": candidates}], now)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


ADD_PARTICIPATIONS = {
    "postgresql": postgresql.insert(Participation.__table__).on_conflict_do_nothing()
    .returning(Participation.item_id, Participation.member_id),
    "sqlite": sqlite.insert(Participation.__table__).on_conflict_do_nothing()
    .returning(Participation.item_id, Participation.member_id),
}
ALREADY_VOTED = "this member has already voted on this item"


def cast_votes(session: Session, requests: list[dict], now: dt.datetime) -> list:
    """Cast many ballots in the caller's transaction with a handful of set-based statements:
    the same rules as ``cast_vote``, one outcome per request (its receipt, or the error that
    refused it, in which case nothing of it was written).

    Requests: ``item_id``, ``voter_id``, ``on_behalf_of``, ``choice``, ``candidates``. The
    participations go in with ``ON CONFLICT DO NOTHING``: a member who already voted (in an
    earlier transaction, on another instance, or earlier in this very batch) is refused by the
    primary key, not by a check that a concurrent transaction could slip past."""
    dialect = session.get_bind().dialect.name
    outcomes: list = [None] * len(requests)
    members = [r["on_behalf_of"] or r["voter_id"] for r in requests]
    item_table = AgendaItem.__table__
    items = {row.id: row for row in session.execute(
        select(item_table.c.id, item_table.c.assembly_id, item_table.c.kind, item_table.c.status,
               item_table.c.secret, item_table.c.seats)
        .where(item_table.c.id.in_(sorted({r["item_id"] for r in requests})))
        .order_by(item_table.c.id).with_for_update(read=True))}
    assemblies = sorted({row.assembly_id for row in items.values()})
    people = sorted(set(members) | {r["voter_id"] for r in requests})
    weights, holders, present, valid = {}, {}, set(), {}
    if assemblies:
        # the roll weights, proxies in force and attendances concerned, in one round trip
        no_holder, no_weight = cast(null(), Proxy.holder_id.type), cast(null(), RollEntry.weight.type)
        facts = union_all(
            select(literal("weight").label("fact"), RollEntry.assembly_id, RollEntry.member_id.label("person"),
                   RollEntry.weight.label("weight"), no_holder.label("holder"))
            .where(RollEntry.assembly_id.in_(assemblies), RollEntry.member_id.in_(sorted(set(members)))),
            select(literal("proxy"), Proxy.assembly_id, Proxy.grantor_id, no_weight, Proxy.holder_id)
            .where(Proxy.assembly_id.in_(assemblies), Proxy.grantor_id.in_(people),
                   Proxy.revoked_at.is_(None)),
            select(literal("present"), Attendance.assembly_id, Attendance.member_id, no_weight, no_holder)
            .where(Attendance.assembly_id.in_(assemblies),
                   Attendance.member_id.in_(sorted({r["voter_id"] for r in requests}))))
        for fact, assembly_id, person, weight, holder in session.execute(facts):
            if fact == "weight":
                weights[(assembly_id, person)] = weight
            elif fact == "proxy":
                holders[(assembly_id, person)] = holder
            else:
                present.add((assembly_id, person))
    accepted, seen = [], set()
    for index, (request, member_id) in enumerate(zip(requests, members)):
        item = items.get(request["item_id"])
        try:
            if item is None:
                raise NotFound(f"no agenda item {request['item_id']}")
            if item.status != "open":
                raise PreconditionFailed("the vote on this item is not open")
            weight = weights.get((item.assembly_id, member_id))
            if weight is None:
                raise Forbidden("this member is not on the assembly's electoral roll")
            voter_id = request["voter_id"]
            in_person = member_id == voter_id
            holder = holders.get((item.assembly_id, member_id))
            if not in_person and holder != voter_id:
                raise Forbidden("the voter holds no proxy in force for this member")
            if item.kind == "election" and item.id not in valid:
                valid[item.id] = {c.id for c in elections.candidacies(session, item.id)}
            choice, marks = _ballot_content(item, request["choice"], request["candidates"],
                                            valid.get(item.id, set()))
            if (item.id, member_id) in seen:
                raise Conflict(ALREADY_VOTED, {"member_id": ["already voted"]})
        except (NotFound, PreconditionFailed, Forbidden, Conflict, ValidationError) as error:
            outcomes[index] = error
            continue
        seen.add((item.id, member_id))
        accepted.append((index, item, member_id, voter_id, choice, marks, weight,
                         bool(in_person and holder)))
    if not accepted:
        return outcomes
    inserted = set(session.execute(ADD_PARTICIPATIONS[dialect].values([
        {"item_id": item.id, "member_id": member_id, "cast_by": voter_id,
         "choice": None if item.secret else choice}
        for _, item, member_id, voter_id, choice, *_ in accepted])).tuples())
    attending, revoking, ballots, ballot_marks = {}, set(), [], []
    for index, item, member_id, voter_id, choice, marks, weight, revokes in accepted:
        if (item.id, member_id) not in inserted:
            outcomes[index] = Conflict(ALREADY_VOTED, {"member_id": ["already voted"]})
            continue
        if (item.assembly_id, voter_id) not in present or revokes:
            attending[(item.assembly_id, voter_id)] = {
                "assembly_id": item.assembly_id, "member_id": voter_id, "registered_by": voter_id}
        if revokes:
            revoking.add((item.assembly_id, voter_id))
        receipt, ballot_id = new_receipt(), new_id()
        ballots.append({"id": ballot_id, "item_id": item.id, "choice": choice, "weight": weight,
                        "receipt_hash": receipt_hash(receipt)})
        ballot_marks += [{"ballot_id": ballot_id, "candidacy_id": c} for c in marks]
        outcomes[index] = {"item_id": item.id, "member_id": member_id, "cast_by": voter_id,
                           "receipt": receipt}
    if attending:
        session.execute(ADD_ATTENDANCE[dialect], [attending[k] for k in sorted(attending)])
    for assembly_id, grantor_id in sorted(revoking):
        session.execute(update(Proxy).where(
            Proxy.assembly_id == assembly_id, Proxy.grantor_id == grantor_id, Proxy.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="attends_in_person"))
    if ballots:
        # the box's rows keep no trace of the order in which members voted
        random.SystemRandom().shuffle(ballots)
        session.execute(insert(Ballot), ballots)
    if ballot_marks:
        session.execute(insert(BallotMark), ballot_marks)
    return outcomes


def _ballot_content(item, choice, candidates, valid: set) -> tuple[str, list]:
    """The ballot's choice and marks; ``valid``: the item's candidacy ids (an election's)."""
    if item.kind == "resolution":
        if choice not in RESOLUTION_CHOICES:
            raise rule_broken("choice", f"one of {', '.join(RESOLUTION_CHOICES)}")
        return choice, []
    if choice is not None and choice != "blank":
        raise rule_broken("choice", "an election ballot lists candidates (or is blank)")
    chosen = list(dict.fromkeys(candidates or []))
    if len(chosen) > item.seats:
        raise rule_broken("candidates", f"at most {item.seats} candidates for {item.seats} seats")
    unknown = [c for c in chosen if c not in valid]
    if unknown:
        raise rule_broken("candidates", f"not candidates in this election: {', '.join(unknown)}")
    return ("marks" if chosen else "blank"), chosen


def tally_resolution(session: Session, item_id: str) -> dict:
    """Ballots and votes (weights) per choice, counted by the database in one GROUP BY."""
    rows = session.execute(select(Ballot.choice, func.count(), func.sum(Ballot.weight))
                           .where(Ballot.item_id == item_id).group_by(Ballot.choice)).all()
    ballots = {c: 0 for c in RESOLUTION_CHOICES}
    votes = {c: 0 for c in RESOLUTION_CHOICES}
    for choice, count, weight in rows:
        ballots[choice] = count
        votes[choice] = int(weight)
    return {"ballots": ballots, "votes": votes}


def close_vote(session: Session, item_id: str, now: dt.datetime) -> AgendaItem:
    item = get(session, AgendaItem, item_id, "agenda item", lock=True)
    if item.status != "open":
        raise PreconditionFailed(f"the vote on this item is {item.status}, not open")
    assembly = session.get(Assembly, item.assembly_id)
    attending = presence(session, assembly.id)
    totals = roll_totals(session, assembly.id)
    both = {"members": attending["present"]["members"] + attending["represented"]["members"],
            "paid_shares": attending["present"]["paid_shares"] + attending["represented"]["paid_shares"]}
    rule = effective_quorum(item, assembly)
    result = {
        "item_id": item.id, "assembly_id": assembly.id, "kind": item.kind, "secret": item.secret,
        "quorum_rule": rule, "quorum_met": quorum_met(rule, both, totals),
        "present": attending["present"]["members"], "represented": attending["represented"]["members"],
        "paid_shares_present_or_represented": both["paid_shares"],
        "roll_members": totals["members"], "roll_paid_shares": totals["paid_shares"],
    }
    if item.kind == "resolution":
        tally = tally_resolution(session, item.id)
        votes_for, votes_against = tally["votes"]["for"], tally["votes"]["against"]
        result.update(tally=tally["votes"], ballots=tally["ballots"],
                      ballots_total=sum(tally["ballots"].values()),
                      votes_cast=votes_for + votes_against, majority=item.majority,
                      majority_met=majority_met(item.majority, votes_for, votes_against))
        result["adopted"] = result["quorum_met"] and result["majority_met"]
    else:
        result.update(elections.count_election(session, item, assembly, result["quorum_met"]))
    if item.secret:
        shuffle_ballot_box(session, item.id)
    item.status = "closed"
    item.closed_at = now
    item.result = result
    return item


def shuffle_ballot_box(session: Session, item_id: str) -> None:
    """Rewrite a secret item's ballots in random order under fresh ids, so not even the physical
    order of the rows follows the order in which members voted."""
    ballots = [dict(r._mapping) for r in session.execute(
        select(Ballot.id, Ballot.choice, Ballot.weight, Ballot.receipt_hash).where(Ballot.item_id == item_id))]
    marks = {}
    for ballot_id, candidacy_id in session.execute(
            select(BallotMark.ballot_id, BallotMark.candidacy_id)
            .join(Ballot, Ballot.id == BallotMark.ballot_id).where(Ballot.item_id == item_id)):
        marks.setdefault(ballot_id, []).append(candidacy_id)
    session.execute(delete(BallotMark).where(BallotMark.ballot_id.in_(
        select(Ballot.id).where(Ballot.item_id == item_id))))
    session.execute(delete(Ballot).where(Ballot.item_id == item_id))
    random.SystemRandom().shuffle(ballots)
    new_rows, new_marks = [], []
    for ballot in ballots:
        fresh = new_id()
        new_rows.append({"id": fresh, "item_id": item_id, "choice": ballot["choice"],
                         "weight": ballot["weight"], "receipt_hash": ballot["receipt_hash"]})
        new_marks += [{"ballot_id": fresh, "candidacy_id": c} for c in marks.get(ballot["id"], [])]
    if new_rows:
        session.execute(insert(Ballot), new_rows)
    if new_marks:
        session.execute(insert(BallotMark), new_marks)


def participation_count(session: Session, item_id: str) -> int:
    return session.execute(select(func.count()).where(Participation.item_id == item_id)).scalar_one()


def receipt_hashes(session: Session, item_id: str) -> list[str]:
    """The published list: every counted ballot's receipt hash, in no meaningful order."""
    return list(session.execute(select(Ballot.receipt_hash).where(Ballot.item_id == item_id)
                                .order_by(Ballot.receipt_hash)).scalars())


def verify_receipt(session: Session, item_id: str, receipt: str) -> dict:
    item = get(session, AgendaItem, item_id, "agenda item")
    found = session.execute(select(func.count()).where(
        Ballot.item_id == item_id, Ballot.receipt_hash == receipt_hash(receipt))).scalar_one()
    return {"item_id": item_id, "receipt_hash": receipt_hash(receipt), "in_ballot_box": bool(found),
            "counted": bool(found) and item.status == "closed"}
