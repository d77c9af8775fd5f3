"""Votes on agenda items: opening, casting (in person or by proxy), counting, receipts.

One ballot per member and item is the primary key of ``participations``: whoever casts first
(the member, their proxy holder, or one of twenty identical requests) wins, the others fail
on the constraint, on every backend and across service instances.
"""
import datetime as dt
import random

from sqlalchemy import cast, delete, func, insert, literal, null, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.governance.domain import ballot_rules, elections
from services.governance.domain.assemblies import ADD_ATTENDANCE, presence
from services.governance.domain.ballot_rules import (  # noqa: F401 (callers read them from here)
    MAJORITIES,
    QUORUM_RULES,
    RESOLUTION_CHOICES,
    effective_quorum,
    majority_met,
    quorum_met,
    receipt_hash,
)
from services.governance.domain.common import get, new_id
from services.governance.domain.roll import ensure_roll, roll_totals
from services.governance.models import (
    AgendaItem,
    Assembly,
    Attendance,
    Ballot,
    BallotMark,
    Candidacy,
    Participation,
    Proxy,
    RollEntry,
)
from shared.errors import PreconditionFailed, rule_broken


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


def cast_votes(session: Session, requests: list[dict], now: dt.datetime) -> list:
    """Cast many ballots in the caller's transaction with a handful of set-based statements:
    the same rules as ``cast_vote``, one outcome per request (its receipt, or the error that
    refused it, in which case nothing of it was written).

    Requests: ``item_id``, ``voter_id``, ``on_behalf_of``, ``choice``, ``candidates``. The
    facts are read in two round trips (the items share-locked, then everything else in one
    UNION ALL), judged by ``ballot_rules``, and the participations go in with ``ON CONFLICT DO
    NOTHING``: a member who already voted (in an earlier transaction, on another instance, or
    earlier in this very batch) is refused by the primary key, not by a check that a
    concurrent transaction could slip past."""
    judged = ballot_rules.judge_ballots(requests, load_ballot_facts(session, requests))
    accepted = [ballot.participation for ballot in judged if isinstance(ballot, ballot_rules.Accepted)]
    if not accepted:
        return judged
    inserted = set(session.execute(
        ADD_PARTICIPATIONS[session.get_bind().dialect.name].values(accepted)).tuples())
    writes = ballot_rules.ballot_writes(judged, inserted, new_id)
    write_ballots(session, writes, now)
    return writes.outcomes


def load_ballot_facts(session: Session, requests: list[dict]) -> ballot_rules.BallotFacts:
    """The items asked about (share-locked: ``close_vote``'s exclusive lock waits for the casts
    in flight), then the roll weights, proxies in force, attendances and candidacies concerned,
    in one round trip."""
    item_table = AgendaItem.__table__
    rows = session.execute(
        select(item_table.c.id, item_table.c.assembly_id, item_table.c.kind, item_table.c.status,
               item_table.c.secret, item_table.c.seats)
        .where(item_table.c.id.in_(sorted({r["item_id"] for r in requests})))
        .order_by(item_table.c.id).with_for_update(read=True))
    facts = ballot_rules.BallotFacts(items={row.id: ballot_rules.Item(**row._mapping) for row in rows})
    if not facts.items:
        return facts
    assemblies = sorted({item.assembly_id for item in facts.items.values()})
    voters = sorted({r["voter_id"] for r in requests})
    members = sorted({r["on_behalf_of"] or r["voter_id"] for r in requests})
    elections_asked = sorted(item.id for item in facts.items.values() if item.kind == "election")
    no_holder, no_weight = cast(null(), Proxy.holder_id.type), cast(null(), RollEntry.weight.type)
    queries = [
        select(literal("weight").label("fact"), RollEntry.assembly_id.label("scope"),
               RollEntry.member_id.label("person"), RollEntry.weight.label("weight"),
               no_holder.label("holder"))
        .where(RollEntry.assembly_id.in_(assemblies), RollEntry.member_id.in_(members)),
        select(literal("proxy"), Proxy.assembly_id, Proxy.grantor_id, no_weight, Proxy.holder_id)
        .where(Proxy.assembly_id.in_(assemblies), Proxy.grantor_id.in_(sorted(set(members) | set(voters))),
               Proxy.revoked_at.is_(None)),
        select(literal("present"), Attendance.assembly_id, Attendance.member_id, no_weight, no_holder)
        .where(Attendance.assembly_id.in_(assemblies), Attendance.member_id.in_(voters))]
    if elections_asked:  # scope: the item, person: the candidacy
        queries.append(select(literal("candidacy"), Candidacy.item_id, Candidacy.id, no_weight, no_holder)
                       .where(Candidacy.item_id.in_(elections_asked)))
    for fact, scope, person, weight, holder in session.execute(union_all(*queries)):
        if fact == "weight":
            facts.weights[(scope, person)] = weight
        elif fact == "proxy":
            facts.holders[(scope, person)] = holder
        elif fact == "present":
            facts.present.add((scope, person))
        else:
            facts.candidacies.setdefault(scope, set()).add(person)
    return facts


def write_ballots(session: Session, writes: ballot_rules.BallotWrites, now: dt.datetime) -> None:
    """The attendances, revoked proxies, ballots and marks of the ballots recorded, set-based."""
    if writes.attendances:
        session.execute(ADD_ATTENDANCE[session.get_bind().dialect.name], writes.attendances)
    for assembly_id, grantor_id in writes.revocations:
        session.execute(update(Proxy).where(
            Proxy.assembly_id == assembly_id, Proxy.grantor_id == grantor_id, Proxy.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="attends_in_person"))
    if writes.ballots:
        session.execute(insert(Ballot), writes.ballots)
    if writes.marks:
        session.execute(insert(BallotMark), writes.marks)


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
    rule = effective_quorum(item.quorum, assembly.sitting)
    result = {"item_id": item.id, "assembly_id": assembly.id, "kind": item.kind, "secret": item.secret,
              **ballot_rules.quorum_result(rule, presence(session, assembly.id),
                                           roll_totals(session, assembly.id))}
    if item.kind == "resolution":
        result.update(ballot_rules.resolution_result(item.majority, tally_resolution(session, item.id),
                                                     result["quorum_met"]))
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
