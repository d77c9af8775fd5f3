"""Local projections of other services' events: who may book, and whose activity is whose."""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.resources.models import ActivityOwner, MemberStanding

MEMBER_STATUS_BY_EVENT = {
    "member_admitted": "admitted",
    "member_suspended": "suspended",
    "member_reinstated": "admitted",
    "member_excluded": "excluded",
    "member_resigned": "resigned",
    "member_erased": "erased",
}
GOOD_STANDING = "admitted"


def apply_member_event(session: Session, event_type: str, member_id: str,
                       occurred_at: dt.datetime) -> MemberStanding:
    """Record a life-cycle event unless a newer one already did (erasure is final)."""
    status = MEMBER_STATUS_BY_EVENT[event_type]
    standing = session.get(MemberStanding, member_id, with_for_update=True)
    if standing is None:
        standing = MemberStanding(member_id=member_id, status=status, status_at=occurred_at)
        session.add(standing)
    elif status == "erased" or (standing.status != "erased" and occurred_at >= standing.status_at):
        standing.status, standing.status_at = status, occurred_at
    session.flush()
    return standing


def apply_activity_event(session: Session, activity_id: str, member_id: str, is_open: bool,
                         occurred_at: dt.datetime) -> ActivityOwner:
    activity = session.get(ActivityOwner, activity_id, with_for_update=True)
    if activity is None:
        activity = ActivityOwner(activity_id=activity_id, member_id=member_id, open=is_open,
                                 changed_at=occurred_at)
        session.add(activity)
    elif occurred_at >= activity.changed_at:
        activity.member_id, activity.open, activity.changed_at = member_id, is_open, occurred_at
    session.flush()
    return activity


def member_standing(session: Session, member_id: str) -> dict:
    """What this service knows of a member: status and open activities (a projection read)."""
    standing = session.get(MemberStanding, member_id)
    activities = session.scalars(select(ActivityOwner.activity_id).where(
        ActivityOwner.member_id == member_id, ActivityOwner.open.is_(True))).all()
    return {
        "member_id": member_id,
        "status": standing.status if standing else "unknown",
        "good_standing": standing is not None and standing.status == GOOD_STANDING,
        "open_activities": sorted(activities),
    }


def lock_member_in_good_standing(session: Session, member_id: str) -> MemberStanding | None:
    """The member's projection row, locked so one member's bookings are checked one at a time."""
    standing = session.execute(select(MemberStanding).where(
        MemberStanding.member_id == member_id).with_for_update()).scalar_one_or_none()
    if standing is None or standing.status != GOOD_STANDING:
        return None
    return standing
