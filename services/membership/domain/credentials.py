"""Credentials and roles: argon2 password hashes, role grants."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.membership.domain.records import lock_members, require_not_erased
from services.membership.models import Member, RoleGrant
from shared.db import utcnow
from shared.errors import Conflict, Unauthorized

HASHER = PasswordHasher()
# verified against when the e-mail is unknown, so both failures take the same time
_DUMMY_HASH = HASHER.hash("no such member")


def set_password(session: Session, member_id: str, password: str) -> Member:
    [member] = lock_members(session, member_id)
    require_not_erased(member)
    member.password_hash = HASHER.hash(password)
    session.flush()
    return member


def authenticate(session: Session, email: str, password: str) -> dict:
    member = session.execute(
        select(Member).where(Member.email == email.strip().lower())).scalar_one_or_none()
    stored = member.password_hash if member is not None else None
    try:
        HASHER.verify(stored or _DUMMY_HASH, password)
        if stored is None:
            raise VerificationError()
    except (VerificationError, InvalidHashError):
        raise Unauthorized("wrong e-mail or password") from None
    if HASHER.check_needs_rehash(stored):
        member.password_hash = HASHER.hash(password)
    roles = {grant.role for grant in member.roles} | {"member"}
    return {"member_id": member.id, "roles": sorted(roles)}


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
