"""General assemblies: convocation, agenda, attendance and proxies, and who is present or represented."""
import datetime as dt

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.governance.domain.common import get, new_id
from services.governance.domain.roll import ensure_roll, roll_entry
from services.governance.models import AgendaItem, Assembly, Attendance, Proxy, Recommendation, RollEntry
from shared import parameters
from shared.errors import Conflict, NotFound, rule_broken

QUALIFIED_NEEDS_CAPITAL = ("three_quarters", "four_fifths")


def convene(session: Session, data: dict, today: dt.date, convened_by: str | None) -> Assembly:
    delay = parameters.integer(session, "convocation_delay_days", today)
    earliest = today + dt.timedelta(days=delay)
    if data["meeting_date"] < earliest:
        raise rule_broken("meeting_date", f"a meeting is convened at least {delay} days ahead: "
                                          f"{earliest.isoformat()} at the earliest")
    record_date = data.get("record_date") or today
    if record_date > data["meeting_date"]:
        raise rule_broken("record_date", "the record date cannot be after the meeting")
    weighting = data.get("weighting") or parameters.text(session, "vote_weighting", today)
    cap = data.get("share_cap_percent")
    if weighting == "shares" and cap is None:
        cap = parameters.decimal(session, "share_vote_cap_percent", today)
    agenda = data.get("agenda") or []
    sitting = 1
    if data.get("first_meeting_id"):
        sitting = 2
        agenda = agenda or _items_lacking_quorum(session, data["first_meeting_id"])
    if not agenda:
        raise rule_broken("agenda", "a meeting is convened with an agenda")
    assembly = Assembly(
        id=new_id(), kind=data["kind"], title=data["title"], meeting_date=data["meeting_date"],
        place=data.get("place"), online=data.get("online", False), record_date=record_date,
        convened_on=today, sitting=sitting, first_meeting_id=data.get("first_meeting_id"),
        weighting=weighting, share_cap_percent=cap if weighting == "shares" else None,
        max_proxies=parameters.integer(session, "max_proxies_per_holder", today),
        chair_id=data.get("chair_id"), secretary_id=data.get("secretary_id"),
        convened_by=convened_by)
    session.add(assembly)
    session.flush()
    for position, item in enumerate(agenda, start=1):
        if item.get("recommendation_id"):
            # a working group's recommendation put before the assembly
            get(session, Recommendation, item["recommendation_id"], "recommendation")
        session.add(agenda_item(assembly.id, position, item))
    session.flush()
    return assembly


def agenda_item(assembly_id: str, position: int, item: dict) -> AgendaItem:
    kind = item["kind"]
    majority = quorum = None
    if kind == "resolution":
        majority = item.get("majority") or "simple"
        quorum = item.get("quorum") or ("half_capital" if majority in QUALIFIED_NEEDS_CAPITAL else "none")
    elif kind == "election":
        if not item.get("seats"):
            raise rule_broken("agenda.seats", "an election says how many seats are to be filled")
        quorum = item.get("quorum") or "none"
    return AgendaItem(
        id=new_id(), assembly_id=assembly_id, position=position, kind=kind, title=item["title"],
        text=item.get("text"), majority=majority, quorum=quorum,
        secret=bool(item.get("secret", kind == "election")), seats=item.get("seats"),
        term_years=item.get("term_years") or (3 if kind == "election" else None),
        tie_break=item.get("tie_break") or ("seniority" if kind == "election" else None),
        recommendation_id=item.get("recommendation_id"), status="pending")


def _items_lacking_quorum(session: Session, first_meeting_id: str) -> list[dict]:
    """A second meeting takes up the items on which the first lacked its quorum."""
    first = get(session, Assembly, first_meeting_id, "assembly")
    if first.sitting != 1:
        raise rule_broken("first_meeting_id", "a second meeting follows a first meeting")
    items = session.execute(select(AgendaItem).where(AgendaItem.assembly_id == first.id)
                            .order_by(AgendaItem.position)).scalars()
    lacking = [i for i in items if i.result and i.result.get("quorum_met") is False]
    if not lacking:
        raise rule_broken("first_meeting_id", "the first meeting lacked no quorum")
    return [{"kind": i.kind, "title": i.title, "text": i.text, "majority": i.majority,
             "quorum": i.quorum, "secret": i.secret, "seats": i.seats, "term_years": i.term_years,
             "tie_break": i.tie_break, "recommendation_id": i.recommendation_id} for i in lacking]


def items_of(session: Session, assembly_id: str) -> list[AgendaItem]:
    return list(session.execute(select(AgendaItem).where(AgendaItem.assembly_id == assembly_id)
                                .order_by(AgendaItem.position)).scalars())


def _on_roll(session: Session, assembly_id: str, member_id: str, field: str, lock=False) -> RollEntry:
    entry = roll_entry(session, assembly_id, member_id, lock=lock)
    if entry is None:
        raise rule_broken(field, "not on this assembly's electoral roll")
    return entry


ADD_ATTENDANCE = {"postgresql": postgresql.insert(Attendance.__table__).on_conflict_do_nothing(),
                  "sqlite": sqlite.insert(Attendance.__table__).on_conflict_do_nothing()}


def attend(session: Session, assembly_id: str, member_id: str, registered_by: str | None,
           now: dt.datetime, revoke: bool = True) -> bool:
    """Record a member present in person; their own proxy, if any, is revoked. True if new."""
    statement = ADD_ATTENDANCE[session.get_bind().dialect.name]
    added = session.execute(statement, {"assembly_id": assembly_id, "member_id": member_id,
                                        "registered_by": registered_by}).rowcount
    if revoke:
        session.execute(update(Proxy).where(
            Proxy.assembly_id == assembly_id, Proxy.grantor_id == member_id, Proxy.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason="attends_in_person"))
    return bool(added)


def register_attendance(session: Session, assembly_id: str, member_id: str, registered_by,
                        now: dt.datetime) -> dict:
    ensure_roll(session, assembly_id, now)
    _on_roll(session, assembly_id, member_id, "member_id")
    revoked = active_proxy_of(session, assembly_id, member_id)
    attend(session, assembly_id, member_id, registered_by, now)
    return {"assembly_id": assembly_id, "member_id": member_id,
            "proxy_revoked": revoked.id if revoked else None}


def active_proxy_of(session: Session, assembly_id: str, grantor_id: str, lock=False) -> Proxy | None:
    query = select(Proxy).where(Proxy.assembly_id == assembly_id, Proxy.grantor_id == grantor_id,
                                Proxy.revoked_at.is_(None))
    return session.execute(query.with_for_update(read=True) if lock else query).scalar()


def grant_proxy(session: Session, assembly_id: str, grantor_id: str, holder_id: str,
                now: dt.datetime) -> Proxy:
    assembly = ensure_roll(session, assembly_id, now)
    if grantor_id == holder_id:
        raise rule_broken("holder_id", "a member cannot hold their own proxy")
    # both roll rows locked in a fixed order: concurrent grants around one member serialise
    for member_id in sorted((grantor_id, holder_id)):
        _on_roll(session, assembly_id, member_id,
                 "grantor_id" if member_id == grantor_id else "holder_id", lock=True)
    if session.get(Attendance, (assembly_id, grantor_id)) is not None:
        raise rule_broken("grantor_id", "attends in person and so cannot give a proxy")
    if active_proxy_of(session, assembly_id, grantor_id) is not None:
        raise Conflict("this member already gave a proxy; revoke it first",
                       {"grantor_id": ["already gave a proxy"]})
    if active_proxy_of(session, assembly_id, holder_id) is not None:
        raise rule_broken("holder_id", "gave their own proxy to someone else: proxies do not chain")
    if _held(session, assembly_id, grantor_id):
        raise rule_broken("grantor_id", "carries other members' proxies: proxies do not chain")
    if _held(session, assembly_id, holder_id) >= assembly.max_proxies:
        raise rule_broken("holder_id", f"already carries {assembly.max_proxies} "
                                       f"prox{'y' if assembly.max_proxies == 1 else 'ies'}, the most allowed")
    proxy = Proxy(id=new_id(), assembly_id=assembly_id, grantor_id=grantor_id, holder_id=holder_id,
                  granted_at=now)
    session.add(proxy)
    session.flush()
    return proxy


def _held(session: Session, assembly_id: str, holder_id: str) -> int:
    return session.execute(select(func.count()).where(
        Proxy.assembly_id == assembly_id, Proxy.holder_id == holder_id,
        Proxy.revoked_at.is_(None))).scalar_one()


def revoke_proxy(session: Session, assembly_id: str, grantor_id: str, now: dt.datetime) -> Proxy:
    proxy = active_proxy_of(session, assembly_id, grantor_id)
    if proxy is None:
        raise NotFound(f"member {grantor_id} has no proxy in force for this assembly")
    proxy.revoked_at = now
    proxy.revoked_reason = "revoked"
    return proxy


def proxies_of(session: Session, assembly_id: str) -> list[Proxy]:
    return list(session.execute(select(Proxy).where(Proxy.assembly_id == assembly_id)
                                .order_by(Proxy.granted_at)).scalars())


def presence(session: Session, assembly_id: str) -> dict:
    """Members present, and absent members represented by a present holder, with their shares."""
    present = (select(RollEntry.paid_shares, RollEntry.weight)
               .join(Attendance, and_(Attendance.assembly_id == RollEntry.assembly_id,
                                      Attendance.member_id == RollEntry.member_id))
               .where(RollEntry.assembly_id == assembly_id))
    holder_present = exists().where(Attendance.assembly_id == assembly_id,
                                    Attendance.member_id == Proxy.holder_id)
    grantor_present = exists().where(Attendance.assembly_id == assembly_id,
                                     Attendance.member_id == Proxy.grantor_id)
    represented = (select(RollEntry.paid_shares, RollEntry.weight)
                   .join(Proxy, and_(Proxy.assembly_id == RollEntry.assembly_id,
                                     Proxy.grantor_id == RollEntry.member_id))
                   .where(RollEntry.assembly_id == assembly_id, Proxy.revoked_at.is_(None),
                          holder_present, ~grantor_present))
    out = {}
    for name, query in (("present", present), ("represented", represented)):
        sub = query.subquery()
        count, shares, weight = session.execute(select(
            func.count(), func.coalesce(func.sum(sub.c.paid_shares), 0),
            func.coalesce(func.sum(sub.c.weight), 0))).one()
        out[name] = {"members": count, "paid_shares": int(shares), "weight": int(weight)}
    return out


def get_assembly(session: Session, assembly_id: str) -> Assembly:
    return get(session, Assembly, assembly_id, "assembly")


def get_item(session: Session, item_id: str) -> AgendaItem:
    return get(session, AgendaItem, item_id, "agenda item")
