"""Board elections: candidacies, the count per candidate, the declared tie-break, staggered terms.

Tie-break rules, declared on the agenda item before the vote:
- ``seniority``: the candidate with the lower membership number (the longer-standing member) wins;
- ``lot``: a draw from a seed generated at the count and recorded in the result, so anyone can
  replay it (``random.Random(seed)`` shuffling the candidacy ids sorted).
"""
import datetime as dt
import random
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.governance.domain.common import get, new_id
from services.governance.domain.roll import ensure_roll, roll_entry
from services.governance.models import AgendaItem, Assembly, Ballot, BallotMark, BoardMandate, Candidacy, MemberRecord
from shared.errors import Conflict, PreconditionFailed, rule_broken


def declare_candidacy(session: Session, item_id: str, member_id: str, now: dt.datetime) -> Candidacy:
    item = get(session, AgendaItem, item_id, "agenda item")
    if item.kind != "election":
        raise rule_broken("item_id", "candidacies are for elections")
    if item.status != "pending":
        raise PreconditionFailed("candidacies close when the vote opens")
    ensure_roll(session, item.assembly_id, now)
    if roll_entry(session, item.assembly_id, member_id) is None:
        raise rule_broken("member_id", "a candidate is a member in good standing on the roll")
    if session.execute(select(Candidacy.id).where(Candidacy.item_id == item_id,
                                                  Candidacy.member_id == member_id)).first():
        raise Conflict("this member is already a candidate", {"member_id": ["already a candidate"]})
    candidacy = Candidacy(id=new_id(), item_id=item_id, member_id=member_id, declared_at=now)
    session.add(candidacy)
    session.flush()
    return candidacy


def candidacies(session: Session, item_id: str) -> list[Candidacy]:
    return list(session.execute(select(Candidacy).where(Candidacy.item_id == item_id)
                                .order_by(Candidacy.declared_at, Candidacy.id)).scalars())


def rank_candidates(counts: list[dict], rule: str, seed: str | None = None) -> list[dict]:
    """Most votes first; equal votes ordered by the declared rule. ``counts``: candidacy_id,
    member_id, number, votes."""
    if rule == "lot":
        order = sorted(c["candidacy_id"] for c in counts)
        random.Random(seed).shuffle(order)
        draw = {cid: position for position, cid in enumerate(order)}
        return sorted(counts, key=lambda c: (-c["votes"], draw[c["candidacy_id"]]))
    unknown = float("inf")
    return sorted(counts, key=lambda c: (-c["votes"], c["number"] if c["number"] is not None else unknown,
                                         c["member_id"]))


def count_election(session: Session, item: AgendaItem, assembly: Assembly, quorum_met: bool) -> dict:
    votes = dict(session.execute(
        select(BallotMark.candidacy_id, func.sum(Ballot.weight))
        .join(Ballot, Ballot.id == BallotMark.ballot_id)
        .where(Ballot.item_id == item.id).group_by(BallotMark.candidacy_id)).all())
    numbers = dict(session.execute(select(MemberRecord.member_id, MemberRecord.number)).all())
    counts = [{"candidacy_id": c.id, "member_id": c.member_id, "number": numbers.get(c.member_id),
               "votes": int(votes.get(c.id, 0))} for c in candidacies(session, item.id)]
    seed = secrets.token_hex(8) if item.tie_break == "lot" else None
    ranked = rank_candidates(counts, item.tie_break, seed)
    elected = ranked[:item.seats] if quorum_met else []
    ballots = session.execute(select(Ballot.choice, func.count()).where(Ballot.item_id == item.id)
                              .group_by(Ballot.choice)).all()
    ballots = {choice: count for choice, count in ballots}
    result = {"seats": item.seats, "tie_break": item.tie_break, "lot_seed": seed,
              "candidates": ranked, "ballots_total": sum(ballots.values()),
              "blank": ballots.get("blank", 0), "tie_broken": _tie_at_boundary(ranked, item.seats),
              "elected": [], "adopted": bool(elected)}
    ends_on = _add_years(assembly.meeting_date, item.term_years or 3)
    for candidate in elected:
        session.add(BoardMandate(id=new_id(), member_id=candidate["member_id"], item_id=item.id,
                                 starts_on=assembly.meeting_date, ends_on=ends_on,
                                 votes=candidate["votes"]))
        result["elected"].append({"member_id": candidate["member_id"], "votes": candidate["votes"],
                                  "starts_on": assembly.meeting_date.isoformat(),
                                  "ends_on": ends_on.isoformat()})
    return result


def _tie_at_boundary(ranked: list[dict], seats: int) -> list[str]:
    """Members who shared the last seat's vote count with a loser: the tie the rule decided."""
    if len(ranked) <= seats or seats == 0:
        return []
    boundary = ranked[seats - 1]["votes"]
    if ranked[seats]["votes"] != boundary:
        return []
    return [c["member_id"] for c in ranked if c["votes"] == boundary]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def board_on(session: Session, on: dt.date) -> list[BoardMandate]:
    """The board as it stands on a date: mandates begun and not ended."""
    return list(session.execute(select(BoardMandate).where(
        BoardMandate.starts_on <= on, BoardMandate.ends_on > on)
        .order_by(BoardMandate.ends_on, BoardMandate.member_id)).scalars())


def seats_to_renew(session: Session, year: int) -> list[BoardMandate]:
    """Staggered terms: the mandates that end in ``year``, renewed at that year's assembly."""
    return list(session.execute(select(BoardMandate).where(
        BoardMandate.ends_on >= dt.date(year, 1, 1), BoardMandate.ends_on <= dt.date(year, 12, 31))
        .order_by(BoardMandate.ends_on)).scalars())
