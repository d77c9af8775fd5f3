"""Finding and locking a member's record."""
from types import SimpleNamespace

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from services.membership.domain.share_rules import ACTIVE, LEFT  # noqa: F401 (read from here too)
from services.membership.models import Member, RoleGrant
from shared.errors import NotFound, rule_broken


def get_member(session: Session, member_id: str) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(f"no member {member_id}", {"member_id": ["unknown member"]})
    return member


# the member and their roles in one round trip: the hottest read of the platform
_VIEW = (select(Member.__table__, RoleGrant.role.label("granted_role"))
         .outerjoin(RoleGrant, RoleGrant.member_id == Member.id)
         .where(Member.id == bindparam("member_id")))


def member_view(connection, member_id: str) -> SimpleNamespace:
    """A read-only view of a member, shaped like the model for the output schema."""
    rows = connection.execute(_VIEW, {"member_id": member_id}).mappings().all()
    if not rows:
        raise NotFound(f"no member {member_id}", {"member_id": ["unknown member"]})
    view = SimpleNamespace(**{k: v for k, v in rows[0].items() if k != "granted_role"})
    view.roles = [SimpleNamespace(role=row["granted_role"]) for row in rows if row["granted_role"]]
    return view


def lock_members(session: Session, *member_ids: str) -> list[Member]:
    """Load members FOR UPDATE (in id order, so two transfers never deadlock); every change to
    a member's shares or status holds this lock, so concurrent movements are serialised."""
    found = {}
    for member_id in sorted(set(member_ids)):
        member = session.execute(
            select(Member).where(Member.id == member_id).with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if member is None:
            raise NotFound(f"no member {member_id}", {"member_id": ["unknown member"]})
        found[member_id] = member
    return [found[member_id] for member_id in member_ids]


def require_not_erased(member: Member, field: str = "member_id") -> None:
    if member.erased_at is not None:
        raise rule_broken(field, "this member's personal data was erased; the record is closed")
