"""Membership rules, as the cooperative states them (DOMAIN.md, "Members and shares")."""
import datetime as dt
import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from stdnum import iban as stdnum_iban
from stdnum.be import nn as stdnum_nn
from stdnum.exceptions import ValidationError as StdnumError

from shared.db import utcnow
from shared.errors import Conflict, NotFound, ValidationError
from services.membership.models import Member, MemberNumberCounter


def _check_personal_data(data: dict) -> dict:
    errors = {}
    if data.get("national_number"):
        try:
            data["national_number"] = stdnum_nn.validate(data["national_number"])
        except StdnumError as exc:
            errors["national_number"] = [f"not a valid Belgian national number: {exc}"]
    if data.get("iban"):
        try:
            data["iban"] = stdnum_iban.validate(data["iban"])
        except StdnumError as exc:
            errors["iban"] = [f"not a valid IBAN: {exc}"]
    if data.get("birth_date") and data["birth_date"] > dt.date.today():
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
    data = _check_personal_data(dict(data))
    if session.execute(select(Member.id).where(Member.email == data["email"])).first():
        raise Conflict("a member with this e-mail already exists", {"email": ["already registered"]})
    member = Member(
        id=str(uuid.uuid4()), number=next_member_number(session), status="applicant",
        applied_on=today, created_at=utcnow(), **data,
    )
    session.add(member)
    session.flush()
    return member


def get_member(session: Session, member_id: str) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(f"no member {member_id}")
    return member
