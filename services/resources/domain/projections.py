"""Local projections of other services' events: who may book (``shared.standing``), and whose
activity is whose."""
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.resources.models import ActivityOwner, MemberStanding
from shared import clock
from shared import standing as projection


def apply_member_event(session: Session, event_type: str, member_id: str,
                       occurred_at: dt.datetime, data: dict | None = None) -> MemberStanding:
    """Apply a membership event as the handlers do (for seeding and tests)."""
    for fact in projection.facts_of(event_type, {**(data or {}), "member_id": member_id}, occurred_at):
        projection.project(session, MemberStanding, fact)
    return session.get(MemberStanding, member_id)


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


def member_standing(session: Session, member_id: str, today: dt.date | None = None) -> dict:
    """What this service knows of a member: status and open activities (a projection read)."""
    standing = session.get(MemberStanding, member_id)
    today = today or clock.today()
    activities = session.scalars(select(ActivityOwner.activity_id).where(
        ActivityOwner.member_id == member_id, ActivityOwner.open.is_(True))).all()
    return {
        "member_id": member_id,
        "status": standing.status if standing else "unknown",
        "good_standing": standing is not None and standing.good_standing_on(today),
        "open_activities": sorted(activities),
    }


def lock_member_in_good_standing(session: Session, member_id: str, on: dt.date) -> MemberStanding:
    """The member's projection row, locked so one member's bookings are checked one at a time;
    ``NotInGoodStanding`` unless the member is in good standing on ``on``."""
    return projection.require_good_standing(session, MemberStanding, member_id, on, lock=True)
