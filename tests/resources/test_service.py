"""The resources service over RPC and events: projections fed by membership and billing
events, the events it publishes, bad input, identities, and the timer."""
import datetime as dt
import uuid
from decimal import Decimal

import eventlet
import pytest

from services.resources import domain
from services.resources.domain.usage import price_of
from services.resources.service import ResourcesService
from shared.clock import utcnow
from shared.errors import Conflict, Forbidden, NotInGoodStanding, ValidationError
from shared.testing import wait_until
from tests.resources.helpers import Db, admit, request

ROOM = {"name": "Meeting room", "kind": "room", "location": "Brussels", "capacity": 12}


def iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat()


def soon(hours: float = 0, days: int = 2) -> dt.datetime:
    """An instant in the coming days, on a whole hour."""
    base = utcnow().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=days)
    return base + dt.timedelta(hours=hours)


def known_member(publish_event, cluster, member_id=None, activity_id=None):
    """Admit a member and open an activity by events; wait until the projection has both."""
    member_id, activity_id = member_id or str(uuid.uuid4()), activity_id or str(uuid.uuid4())
    admit(publish_event, member_id, activity_id)
    wait_until(lambda: cluster.resources.member_standing(member_id)["open_activities"] == [activity_id],
               20, message=f"projection never saw member {member_id}")
    return member_id, activity_id


def slot(resource_id, member, start, end, **extra):
    return {"resource_id": resource_id, "member_id": member[0], "activity_id": member[1],
            "start": iso(start), "end": iso(end), **extra}


def test_booking_publishes_booking_confirmed_with_the_slot(start_service, cluster, publish_event,
                                                           record_events, backend):
    events = record_events("resources")
    start_service(ResourcesService)
    member = known_member(publish_event, cluster)
    room = cluster.resources.add_resource(ROOM)
    booked = cluster.resources.book(slot(room["id"], member, soon(9), soon(11)))
    assert (booked["status"], booked["unit"]) == ("confirmed", 1)
    [added] = events.wait_for("resource_added")
    assert added["data"] == {"resource_id": room["id"], "kind": "room", "units": 1}
    [confirmed] = events.wait_for("booking_confirmed")
    assert confirmed["data"] == {"booking_id": booked["id"], "resource_id": room["id"],
                                 "member_id": member[0], "activity_id": member[1],
                                 "start": iso(soon(9)), "end": iso(soon(11))}
    free = cluster.resources.availability(room["id"], iso(soon(8)), iso(soon(12)))
    assert free["units"] == [{"unit": 1, "free": [{"start": iso(soon(8)), "end": iso(soon(9))},
                                                  {"start": iso(soon(11)), "end": iso(soon(12))}]}]
    assert [b["id"] for b in cluster.resources.member_bookings(member[0])] == [booked["id"]]


def test_bad_input_is_refused_field_by_field_and_nothing_is_written(start_service, cluster,
                                                                    publish_event, backend):
    start_service(ResourcesService)
    member = known_member(publish_event, cluster)
    room = cluster.resources.add_resource(ROOM)
    good = slot(room["id"], member, soon(9), soon(10))
    cases = {
        "start": dict(good, start=soon(9).replace(tzinfo=None).isoformat()),   # naive
        "end": dict(good, end=good["start"]),                                   # end == start
        "resource_id": dict(good, resource_id="not-a-uuid"),
        "colour": dict(good, colour="blue"),
    }
    for field, payload in cases.items():
        with pytest.raises(ValidationError) as refused:
            cluster.resources.book(payload)
        assert field in refused.value.fields, (field, refused.value.fields)
    with pytest.raises(ValidationError) as refused:
        cluster.resources.book(dict(good, start="2026-02-30T10:00:00Z"))
    assert "start" in refused.value.fields
    with pytest.raises(ValidationError) as refused:
        cluster.resources.add_resource(dict(ROOM, late_cancellation_share=0.5, units=0))
    assert set(refused.value.fields) == {"late_cancellation_share", "units"}
    assert cluster.resources.member_bookings(member[0]) == []


def test_suspended_member_is_refused_once_the_suspension_is_processed(start_service, cluster,
                                                                      publish_event, backend):
    start_service(ResourcesService)
    member = known_member(publish_event, cluster)
    room = cluster.resources.add_resource(ROOM)
    assert cluster.resources.book(slot(room["id"], member, soon(9), soon(10)))["status"] == "confirmed"
    publish_event("membership", "member_suspended", {"member_id": member[0], "effective_date": "2026-11-26"})
    wait_until(lambda: cluster.resources.member_standing(member[0])["status"] == "suspended", 20)
    with pytest.raises(NotInGoodStanding) as refused:  # a ValidationError across the wire
        cluster.resources.book(slot(room["id"], member, soon(11), soon(12)))
    assert refused.value.fields["member_id"][0].endswith("the member is suspended, not admitted")
    publish_event("membership", "member_reinstated", {"member_id": member[0], "effective_date": "2026-11-27"})
    wait_until(lambda: cluster.resources.member_standing(member[0])["good_standing"], 20)
    assert cluster.resources.book(slot(room["id"], member, soon(11), soon(12)))["status"] == "confirmed"


def test_members_book_only_for_themselves_and_staff_approve(start_service, cluster, member_cluster,
                                                            publish_event, record_events, backend):
    events = record_events("resources")
    start_service(ResourcesService)
    alice, bob = known_member(publish_event, cluster), known_member(publish_event, cluster)
    studio = cluster.resources.add_resource(dict(ROOM, approval_required=True))
    as_alice = member_cluster({"member_id": alice[0], "roles": ["member"]})
    as_staff = member_cluster({"member_id": str(uuid.uuid4()), "roles": ["member", "staff"]})
    with pytest.raises(Forbidden):
        as_alice.resources.book(slot(studio["id"], bob, soon(9), soon(10)))
    with pytest.raises(Forbidden):
        as_alice.resources.add_resource(ROOM)
    pending = as_alice.resources.book(slot(studio["id"], alice, soon(9), soon(10)))
    assert pending["status"] == "pending"
    events.wait_for("booking_requested")
    with pytest.raises(Forbidden):
        as_alice.resources.approve_booking(pending["id"])
    with pytest.raises(Forbidden):
        member_cluster({"member_id": bob[0], "roles": ["member"]}).resources.cancel_booking(pending["id"])
    assert as_staff.resources.approve_booking(pending["id"])["status"] == "confirmed"
    [confirmed] = events.wait_for("booking_confirmed")
    assert confirmed["data"]["booking_id"] == pending["id"]


def test_late_cancellation_publishes_the_charge_and_its_usage(start_service, cluster, publish_event,
                                                              record_events, backend):
    events = record_events("resources")
    start_service(ResourcesService)
    member = known_member(publish_event, cluster)
    room = cluster.resources.add_resource(dict(ROOM, price_per_hour="20.00", cancellation_deadline_hours=72,
                                               late_cancellation_share="0.25"))
    booking = cluster.resources.book(slot(room["id"], member, soon(9), soon(11)))
    cancelled = cluster.resources.cancel_booking(booking["id"])
    assert (cancelled["late_cancellation"], cancelled["cancellation_charge"]) == (True, "10.00")
    assert cluster.resources.cancel_booking(booking["id"])["status"] == "cancelled"
    [event] = events.wait_for("booking_cancelled")
    assert event["data"] == {"booking_id": booking["id"], "resource_id": room["id"],
                             "member_id": member[0], "late": True, "charge": "10.00"}
    [usage] = events.wait_for("usage_recorded")
    assert (usage["data"]["activity_id"], usage["data"]["amount"], usage["data"]["hours"]) == (
        member[1], "10.00", "0.00")
    eventlet.sleep(0.5)   # the second cancel published nothing more
    assert len(events.of_type("booking_cancelled")) == 1 and len(events.of_type("usage_recorded")) == 1


def test_usage_recorded_once_when_check_out_is_called_twice_and_the_timer_runs(
        start_service, cluster, publish_event, record_events, backend):
    events = record_events("resources")
    start_service(ResourcesService, SWEEP_INTERVAL=0.1)
    member = known_member(publish_event, cluster)
    printer = cluster.resources.add_resource({"name": "3D printer", "kind": "machine",
                                              "price_per_hour": "36.00", "no_show_minutes": 5})
    start = utcnow() + dt.timedelta(seconds=3)   # room for a slow machine to book first
    booking = cluster.resources.book(slot(printer["id"], member, start, start + dt.timedelta(seconds=3)))
    assert cluster.resources.check_in(booking["id"])["status"] == "checked_in"
    wait_until(lambda: utcnow() > start, 5)
    first = cluster.resources.check_out(booking["id"])
    second = cluster.resources.check_out(booking["id"])
    assert first["usage"] == second["usage"]
    [usage] = events.wait_for("usage_recorded")
    wait_until(lambda: utcnow() > start + dt.timedelta(seconds=4), 10)   # the timer ran ~40 times
    assert len(events.of_type("usage_recorded")) == 1
    data = usage["data"]
    started, ended = (dt.datetime.fromisoformat(data[k]) for k in ("started_at", "ended_at"))
    assert data["usage_id"] == first["usage"]["id"] and data["activity_id"] == member[1]
    assert Decimal(data["amount"]) == price_of(started, ended, Decimal("36.00"), None)


def test_timer_releases_no_shows_once(start_service, make_db, cluster, record_events, backend):
    """A booking whose check-in window closed while the service was down is released."""
    db = Db(make_db("resources"))
    laser = db.resource(kind="machine", no_show_minutes=1)
    member = db.member()
    now = utcnow()
    with db.tx() as session:
        booking = domain.book(session, request(laser, member, now - dt.timedelta(minutes=5),
                                               now + dt.timedelta(hours=1)), now - dt.timedelta(minutes=10))
    events = record_events("resources")
    start_service(ResourcesService, db_uri=db.uri, SWEEP_INTERVAL=0.1)
    [released] = events.wait_for("booking_released")
    assert released["data"] == {"booking_id": booking.id, "resource_id": laser, "member_id": member[0]}
    wait_until(lambda: utcnow() > now + dt.timedelta(seconds=1.5), 5)
    assert len(events.of_type("booking_released")) == 1
    db.dispose()


def test_recurring_booking_over_rpc_is_all_or_nothing(start_service, cluster, publish_event,
                                                      record_events, backend):
    events = record_events("resources")
    start_service(ResourcesService)
    alice, bob = known_member(publish_event, cluster), known_member(publish_event, cluster)
    room = cluster.resources.add_resource(ROOM)
    blocker = cluster.resources.book(slot(room["id"], bob, soon(9, days=16), soon(10, days=16)))
    with pytest.raises(Conflict) as refused:
        cluster.resources.book_recurring(slot(room["id"], alice, soon(9), soon(11), weeks=4))
    assert "occurrences.2.start" in refused.value.fields
    assert cluster.resources.member_bookings(alice[0]) == []
    series = cluster.resources.book_recurring(slot(room["id"], alice, soon(11), soon(12), weeks=4))
    assert [b["start"] for b in series] == [iso(soon(11, days=2 + 7 * w)) for w in range(4)]
    confirmed = events.wait_for("booking_confirmed", 5)
    assert {e["data"]["booking_id"] for e in confirmed} == {b["id"] for b in series} | {blocker["id"]}
    eventlet.sleep(0.3)
    assert len(events.of_type("booking_confirmed")) == 5   # nothing from the refused series
