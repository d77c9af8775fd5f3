"""The electoral roll: a dated history of each member's standing, built from membership events,
and the roll of an assembly frozen from that history as it stood on the record date.

Events may arrive in any order (a payment before the admission it led to), so every change is
kept with its effective date and the standing on a date is read back from the history,
never from a single "current" row. The events are read into facts, and good standing judged,
by ``shared.standing`` (the one status map and rule); coverage is judged on the record date.
"""
import datetime as dt
from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.governance.domain.common import get
from services.governance.models import Assembly, MemberRecord, RollEntry, StandingChange
from shared.errors import PreconditionFailed
from shared.standing import ERASED, SHARE_EVENTS, STATUS_AFTER, StandingFact, facts_of
from shared.standing import in_good_standing as standing_rule


def keep_standing(session: Session, event_type: str, data: dict, facts: list[StandingFact]) -> None:
    """Write the dated history of one membership event's facts (status and holdings apart).

    A status event's holdings are those of the day it is published, not of its effective date:
    the history takes holdings from admissions and share movements only, dated as they are."""
    if event_type == "member_admitted":
        record_member(session, data)
    for fact in facts:
        if fact.status is not None:
            record_status(session, event_type, fact.member_id, fact.effective_date, fact.status)
        if fact.paid_shares is not None and (event_type in SHARE_EVENTS or event_type == "member_admitted"):
            record_paid_shares(session, event_type, fact.member_id, fact.paid_shares,
                               fact.effective_date, fact.covered_until)


def record_member(session: Session, data: dict) -> None:
    member = session.get(MemberRecord, data["member_id"])
    if member is None:
        member = MemberRecord(member_id=data["member_id"])
        session.add(member)
    member.number = data["number"]
    member.member_class = data["member_class"]
    member.admitted_on = _date(data["admitted_on"])


def record_admission(session: Session, data: dict) -> None:
    """An admission as its event brings it (for seeding and tests)."""
    keep_standing(session, "member_admitted", data,
                  facts_of("member_admitted", data, dt.datetime.now(dt.UTC)))


def record_status(session: Session, event_type: str, member_id: str, effective_date: dt.date,
                  status: str | None = None) -> None:
    session.add(StandingChange(member_id=member_id, kind="status",
                               status=status or STATUS_AFTER[event_type],
                               effective_date=effective_date, event_type=event_type))


def record_paid_shares(session: Session, event_type: str, member_id: str, paid_shares: int,
                       effective_date: dt.date, covered_until: dt.date | None = None) -> None:
    session.add(StandingChange(member_id=member_id, kind="shares", paid_shares=paid_shares,
                               covered_until=covered_until, effective_date=effective_date,
                               event_type=event_type))


def standing_on(session: Session, on: dt.date, member_ids=None) -> dict[str, dict]:
    """Each member's status, paid shares and coverage as they stood at the end of ``on``
    (erasure is final, whatever is dated after it)."""
    query = (select(StandingChange.member_id, StandingChange.kind, StandingChange.status,
                    StandingChange.paid_shares, StandingChange.covered_until)
             .where(StandingChange.effective_date <= on)
             .order_by(StandingChange.effective_date, StandingChange.id))
    if member_ids is not None:
        query = query.where(StandingChange.member_id.in_(list(member_ids)))
    standing: dict[str, dict] = {}
    for member_id, kind, status, paid_shares, covered_until in session.execute(query):
        entry = standing.setdefault(member_id, {"status": None, "paid_shares": 0, "covered_until": None})
        if kind == "status":
            if entry["status"] != ERASED:
                entry["status"] = status
        else:
            entry["paid_shares"], entry["covered_until"] = paid_shares, covered_until
    return standing


def in_good_standing(entry: dict, on: dt.date) -> bool:
    """Admitted, not suspended, excluded or gone, with shares paid that cover ``on``."""
    return standing_rule(entry["status"], entry["paid_shares"], entry["covered_until"], on)


def member_in_good_standing(session: Session, member_id: str, on: dt.date) -> bool:
    entry = standing_on(session, on, [member_id]).get(member_id)
    return entry is not None and in_good_standing(entry, on)


def member_standing(session: Session, member_id: str, on: dt.date) -> dict:
    entry = standing_on(session, on, [member_id]).get(
        member_id, {"status": None, "paid_shares": 0, "covered_until": None})
    record = session.get(MemberRecord, member_id)
    return {"member_id": member_id, "on": on.isoformat(), "number": record.number if record else None,
            "status": entry["status"], "paid_shares": entry["paid_shares"],
            "good_standing": in_good_standing(entry, on)}


def vote_weights(paid_shares: dict[str, int], weighting: str, cap_percent: Decimal | None) -> dict[str, int]:
    """One member one vote, or one share one vote capped at ``cap_percent`` of the roll's shares."""
    if weighting == "per_member":
        return {member_id: 1 for member_id in paid_shares}
    total = sum(paid_shares.values())
    cap = None
    if cap_percent is not None:
        cap = max(1, int((Decimal(total) * cap_percent / 100).to_integral_value(ROUND_FLOOR)))
    return {m: (min(s, cap) if cap else s) for m, s in paid_shares.items()}


def _eligible(session: Session, record_date: dt.date) -> dict[str, int]:
    """Paid shares of each member in good standing on the record date, coverage included: the
    roll is fixed at the record date (DOMAIN.md), so a member covered then votes at the meeting
    even if the coverage ends before it, and one whose coverage lapsed by then does not, even
    after buying a share later (that share counts from the next assembly's record date)."""
    standing = standing_on(session, record_date)
    return {m: e["paid_shares"] for m, e in standing.items() if in_good_standing(e, record_date)}


def freeze_roll(session: Session, assembly: Assembly, now: dt.datetime) -> int:
    """Write the assembly's roll from the history at its record date; later events change nothing."""
    eligible = _eligible(session, assembly.record_date)
    weights = vote_weights(eligible, assembly.weighting, assembly.share_cap_percent)
    numbers = dict(session.execute(select(MemberRecord.member_id, MemberRecord.number)).all())
    rows = [{"assembly_id": assembly.id, "member_id": m, "number": numbers.get(m),
             "paid_shares": shares, "weight": weights[m]} for m, shares in eligible.items()]
    for start in range(0, len(rows), 5000):
        session.execute(insert(RollEntry), rows[start:start + 5000])
    assembly.roll_frozen_at = now
    return len(rows)


def ensure_roll(session: Session, assembly_id: str, now: dt.datetime) -> Assembly:
    """The assembly, its roll frozen on first use from the record date on (under a lock, so it
    is frozen once). Before the record date the roll is not known yet."""
    assembly = get(session, Assembly, assembly_id, "assembly")
    if assembly.roll_frozen_at is None:
        if now.date() < assembly.record_date:
            raise PreconditionFailed(f"the electoral roll is fixed on its record date, "
                                     f"{assembly.record_date.isoformat()}")
        assembly = session.execute(select(Assembly).where(Assembly.id == assembly_id)
                                   .with_for_update()).scalar()
        if assembly.roll_frozen_at is None:
            freeze_roll(session, assembly, now)
            session.flush()
    return assembly


def provisional_roll(session: Session, assembly: Assembly, limit: int, offset: int) -> dict:
    """Before the record date: who would be on the roll if it were fixed now."""
    eligible = _eligible(session, assembly.record_date)
    weights = vote_weights(eligible, assembly.weighting, assembly.share_cap_percent)
    numbers = dict(session.execute(select(MemberRecord.member_id, MemberRecord.number)).all())
    entries = sorted(({"member_id": m, "number": numbers.get(m), "paid_shares": s, "weight": weights[m]}
                      for m, s in eligible.items()), key=lambda e: (e["number"] or 0, e["member_id"]))
    return {"members": len(entries), "paid_shares": sum(eligible.values()),
            "weight": sum(weights.values()), "entries": entries[offset:offset + limit]}


def roll_entry(session: Session, assembly_id: str, member_id: str, lock: bool = False) -> RollEntry | None:
    query = select(RollEntry).where(RollEntry.assembly_id == assembly_id,
                                    RollEntry.member_id == member_id)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar()


def roll_totals(session: Session, assembly_id: str) -> dict:
    members, shares, weight = session.execute(
        select(func.count(), func.coalesce(func.sum(RollEntry.paid_shares), 0),
               func.coalesce(func.sum(RollEntry.weight), 0))
        .where(RollEntry.assembly_id == assembly_id)).one()
    return {"members": members, "paid_shares": int(shares), "weight": int(weight)}


def roll_page(session: Session, assembly_id: str, limit: int, offset: int) -> list[RollEntry]:
    return list(session.execute(select(RollEntry).where(RollEntry.assembly_id == assembly_id)
                                .order_by(RollEntry.number, RollEntry.member_id)
                                .limit(limit).offset(offset)).scalars())


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
