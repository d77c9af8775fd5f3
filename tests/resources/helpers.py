"""Helpers for the resources tests: a migrated database for domain rules, and feeding the
membership and billing projections the way those services' events do."""
import datetime as dt
import uuid

from services.resources import domain
from shared.testing import MigratedDatabase

UTC = dt.UTC
# a Monday: weeks for quotas start on Mondays at 00:00 UTC
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """An instant in December 2026 (1 December is a Tuesday)."""
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=UTC)


class Db(MigratedDatabase):
    """The resources database with the domain's helpers."""

    def resource(self, **overrides) -> str:
        data = {"name": "Room", "kind": "room", "location": "Brussels", "capacity": 1, "units": 1,
                "price_per_hour": None, "price_per_day": None, "min_duration_minutes": None,
                "max_duration_minutes": None, "buffer_minutes": 0, "min_notice_minutes": 0,
                "max_notice_days": None, "approval_required": False, "training": None,
                "weekly_quota_hours": None, "cancellation_deadline_hours": None,
                "late_cancellation_share": 0, "no_show_minutes": None}
        data.update(overrides)
        with self.tx() as session:
            return domain.add_resource(session, data, NOW).id

    def member(self, status_event: str = "member_admitted") -> tuple[str, str]:
        """A member in the projection with one open activity: (member_id, activity_id)."""
        member_id, activity_id = str(uuid.uuid4()), str(uuid.uuid4())
        with self.tx() as session:
            domain.apply_member_event(session, status_event, member_id, NOW - dt.timedelta(days=30))
            domain.apply_activity_event(session, activity_id, member_id, True, NOW - dt.timedelta(days=30))
        return member_id, activity_id

    def book(self, resource_id, member, start, end, now=NOW):
        with self.tx() as session:
            return domain.book(session, request(resource_id, member, start, end), now)

def request(resource_id, member, start, end, **extra) -> dict:
    return {"resource_id": resource_id, "member_id": member[0], "activity_id": member[1],
            "start": start, "end": end, **extra}


def admit(publish_event, member_id: str, activity_id: str | None = None,
          covered_until: dt.date | None = None) -> None:
    """Publish what membership and billing publish when a member starts working with us."""
    coverage = {"covered_until": covered_until.isoformat()} if covered_until else {}
    publish_event("membership", "member_admitted", {
        "member_id": member_id, "number": 1, "member_class": "A", "admitted_on": "2026-01-05",
        "paid_shares": 1, **coverage})
    if activity_id:
        publish_event("billing", "activity_opened", {
            "activity_id": activity_id, "member_id": member_id, "opened_on": "2026-01-05"})
