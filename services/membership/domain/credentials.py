"""Credentials and roles: argon2 password hashes, role grants.

Hashing and verifying take a large fraction of a second of CPU by design; they are pure
functions here so that the service runs them off the event loop and outside any transaction.
"""
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.membership.domain.records import lock_members, require_not_erased
from services.membership.models import Member, RoleGrant
from shared.clock import utcnow
from shared.errors import Conflict, Unauthorized

HASHER = PasswordHasher()
# verified against when the e-mail is unknown, so both failures take the same time
_DUMMY_HASH = HASHER.hash("no such member")


@dataclass(frozen=True)
class LoginRecord:
    member_id: str
    password_hash: str | None
    roles: tuple[str, ...]


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def set_password(session: Session, member_id: str, password_hash: str) -> Member:
    [member] = lock_members(session, member_id)
    require_not_erased(member)
    member.password_hash = password_hash
    session.flush()
    return member


def login_record(session: Session, email: str) -> LoginRecord | None:
    member = session.execute(
        select(Member).where(Member.email == email.strip().lower())).scalar_one_or_none()
    if member is None:
        return None
    return LoginRecord(member.id, member.password_hash, tuple(g.role for g in member.roles))


def check_login(record: LoginRecord | None, password: str) -> dict:
    """The identity the gateway puts in its tokens, or Unauthorized (same answer, same time,
    for an unknown e-mail, a member without password and a wrong password)."""
    stored = record.password_hash if record is not None else None
    try:
        HASHER.verify(stored or _DUMMY_HASH, password)
        if stored is None:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        raise Unauthorized("wrong e-mail or password") from None
    return {"member_id": record.member_id, "roles": sorted(set(record.roles) | {"member"})}


def grant_role(session: Session, member_id: str, role: str, by: str | None = None) -> RoleGrant:
    [member] = lock_members(session, member_id)
    require_not_erased(member)
    if any(grant.role == role for grant in member.roles):
        raise Conflict(f"the member already has the role {role}", {"role": ["already granted"]})
    grant = RoleGrant(member_id=member.id, role=role, granted_at=utcnow(), granted_by=by)
    session.add(grant)
    session.flush()
    session.expire(member, ["roles"])
    return grant
