"""Resources rules, as the cooperative states them (DOMAIN.md, "Shared production tools").

Plain functions taking a SQLAlchemy session, plain data and the current instant ``now``; they
raise shared.errors types. Events are emitted by the service from what they return.
"""
from services.resources.domain.attendance import check_in, check_out, sweep
from services.resources.domain.booking import approve, book, book_recurring, cancel, get_booking, reject
from services.resources.domain.catalogue import (
    add_blackout,
    add_resource,
    certify_member,
    get_resource,
    list_resources,
    retire_resource,
    update_resource,
)
from services.resources.domain.projections import apply_activity_event, apply_member_event, member_standing
from services.resources.domain.reports import availability, member_bookings, utilisation_report

__all__ = [
    "add_blackout", "add_resource", "apply_activity_event",
    "apply_member_event", "approve", "availability", "book", "book_recurring", "cancel",
    "certify_member", "check_in", "check_out", "get_booking", "get_resource", "list_resources",
    "member_bookings", "member_standing", "reject", "retire_resource", "sweep",
    "update_resource", "utilisation_report",
]
