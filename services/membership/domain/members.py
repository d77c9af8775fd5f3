"""A member's life cycle: application, admission, suspension, exclusion, resignation, erasure."""
import datetime as dt
import uuid

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban
from stdnum.be import nn as stdnum_nn
from stdnum.exceptions import ValidationError as StdnumError

from services.membership.domain import parameters, share_rules, shares
from services.membership.domain.dates import not_before, not_in_future
from services.membership.domain.records import ACTIVE, lock_members, require_not_erased
from services.membership.models import Member, MemberNumberCounter, MemberStatusChange, RoleGrant
from shared.clock import utcnow
from shared.errors import Conflict, ValidationError, rule_broken

PERSONAL_FIELDS = ("first_name", "last_name", "email", "birth_date", "national_number", "iban",
                   "address", "phone", "password_hash")
# which statuses each decision may start from
TRANSITIONS = {
    "admitted": ("applicant",),
    "suspended": ("admitted",),
    "reinstated": ("suspended",),
    "excluded": ACTIVE,
    "resigned": ACTIVE,
}


def check_application(session: Session, data: dict, today: dt.date) -> dict:
    """A class the statutes define; Belgian national number (NISS) and IBAN checksums; a birth
    date in the past."""
    errors = {}
    classes = parameters.member_classes(session, today)
    if data["member_class"] not in classes:
        errors["member_class"] = [f"must be one of: {', '.join(classes)}"]
    if data.get("national_number"):
        try:
            data["national_number"] = stdnum_nn.validate(data["national_number"])
        except StdnumError as exc:
            errors["national_number"] = [f"not a valid Belgian national number (NISS): {exc}"]
    if data.get("iban"):
        try:
            data["iban"] = stdnum_iban.validate(data["iban"])
        except StdnumError as exc:
            errors["iban"] = [f"not a valid IBAN: {exc}"]
    if data.get("birth_date") and data["birth_date"] > today:
        errors["birth_date"] = ["cannot be in the future"]
    if errors:
        raise ValidationError("invalid personal data", errors)
    data["email"] = data["email"].strip().lower()
    return data


def next_member_number(session: Session) -> int:
    # the counter row is locked by the UPDATE until commit, so two applicants never share a number
    session.execute(update(MemberNumberCounter).where(MemberNumberCounter.id == 1)
                    .values(last_number=MemberNumberCounter.last_number + 1))
    return session.execute(select(MemberNumberCounter.last_number)
                           .where(MemberNumberCounter.id == 1)).scalar_one()


def apply(session: Session, data: dict, today: dt.date) -> Member:
    data = check_application(session, dict(data), today)
    applied_on = not_in_future("applied_on", data.pop("applied_on", None) or today, today)
    if session.execute(select(Member.id).where(Member.email == data["email"])).first():
        raise Conflict("a member with this e-mail already exists", {"email": ["already registered"]})
    member = Member(
        id=str(uuid.uuid4()), number=next_member_number(session), status="applicant",
        applied_on=applied_on, created_at=utcnow(), **data,
    )
    session.add(member)
    session.flush()
    return member


def find_members(session: Session, status=None, member_class=None, text=None,
                 limit=50, offset=0) -> tuple[list[Member], int]:
    query = select(Member)
    if status:
        query = query.where(Member.status == status)
    if member_class:
        query = query.where(Member.member_class == member_class)
    text = (text or "").strip()
    if text.isdigit():  # digits are a member number
        query = query.where(Member.number == (int(text) if len(text) <= 9 else -1))
    elif text:
        pattern = "%" + "".join("\\" + c if c in "\\%_" else c for c in text.lower()) + "%"
        query = query.where(or_(*(func.lower(column).like(pattern, escape="\\")
                                  for column in (Member.first_name, Member.last_name, Member.email))))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = session.execute(query.order_by(Member.number).limit(limit).offset(offset)).scalars()
    return list(items), total


def _last_decision_date(session: Session, member: Member) -> dt.date:
    last = session.execute(select(func.max(MemberStatusChange.effective_date))
                           .where(MemberStatusChange.member_id == member.id)).scalar_one()
    return last or member.applied_on


def _decide(session: Session, member_id: str, decision: str, effective_date: dt.date,
            today: dt.date, by: str | None, reason: str | None = None,
            requested_on: dt.date | None = None) -> Member:
    [member] = lock_members(session, member_id)
    require_not_erased(member)
    allowed = TRANSITIONS[decision]
    if member.status not in allowed:
        raise rule_broken("member_id", f"a member who is {member.status} cannot be {decision}; "
                                       f"only a member who is {' or '.join(allowed)}")
    field = "admitted_on" if decision == "admitted" else "effective_date"
    not_in_future(field, effective_date, today)
    not_before(field, effective_date, _last_decision_date(session, member),
               "the member's previous status date")
    new_status = "admitted" if decision == "reinstated" else decision
    session.add(MemberStatusChange(
        member_id=member.id, from_status=member.status, to_status=new_status,
        effective_date=effective_date, requested_on=requested_on, reason=reason,
        recorded_at=utcnow(), recorded_by=by))
    member.status = new_status
    member.status_reason = reason
    if decision == "admitted":
        member.admitted_on = effective_date
    if decision in ("excluded", "resigned"):
        member.left_on = effective_date
    session.flush()
    return member


def admit(session: Session, member_id: str, admitted_on: dt.date, today: dt.date,
          by: str | None = None) -> tuple[Member, int]:
    """The board admits an applicant who has paid at least one share."""
    [member] = lock_members(session, member_id)
    paid = shares.holding(session, member.id, admitted_on).paid_shares
    share_rules.may_be_admitted(member.status, paid, admitted_on)
    return _decide(session, member_id, "admitted", admitted_on, today, by), paid


def suspend(session, member_id, effective_date, today, by=None, reason=None) -> Member:
    return _decide(session, member_id, "suspended", effective_date, today, by, reason)


def reinstate(session, member_id, effective_date, today, by=None, reason=None) -> Member:
    return _decide(session, member_id, "reinstated", effective_date, today, by, reason)


def exclude(session, member_id, effective_date, today, by=None, reason=None) -> Member:
    return _decide(session, member_id, "excluded", effective_date, today, by, reason)


def resign(session, member_id, requested_on, effective_date, today, by=None,
           reason=None) -> Member:
    """A resignation is a dated request; it takes effect on or after the request."""
    not_in_future("requested_on", requested_on, today)
    not_before("effective_date", effective_date, requested_on, "the request date")
    return _decide(session, member_id, "resigned", effective_date, today, by, reason,
                   requested_on=requested_on)


def pseudonym(member: Member) -> str:
    return f"member-{member.number:06d}"


def erase_member(session: Session, member_id: str, today: dt.date) -> Member:
    """Remove personal data; the share register keeps the entries under a pseudonym."""
    [member] = lock_members(session, member_id)
    if member.erased_at is not None:
        raise Conflict("this member's personal data was already erased",
                       {"member_id": ["already erased"]})
    share_rules.may_be_erased(member.status, shares.holding(session, member.id, today).paid_shares)
    for name in PERSONAL_FIELDS:
        setattr(member, name, None)
    member.pseudonym = pseudonym(member)
    member.status_reason = None
    member.erased_at = utcnow()
    session.execute(update(MemberStatusChange).where(MemberStatusChange.member_id == member.id)
                    .values(reason=None))
    session.execute(delete(RoleGrant).where(RoleGrant.member_id == member.id))
    session.flush()
    session.expire(member, ["roles"])
    return member
