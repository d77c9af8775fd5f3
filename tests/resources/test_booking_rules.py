"""Each booking rule, checked on the domain against a real database (both backends)."""
import datetime as dt
from decimal import Decimal

import pytest

from services.resources import domain
from shared.errors import Conflict, NotInGoodStanding, ValidationError
from tests.resources.helpers import NOW, at, request


def test_buffer_keeps_a_gap_after_each_booking(db, backend):
    room = db.resource(buffer_minutes=15)
    alice, bob = db.member(), db.member()
    first = db.book(room, alice, at(1, 10), at(1, 11))
    assert (first.blocked_start, first.blocked_end) == (at(1, 10), at(1, 11, 15))
    with pytest.raises(Conflict):
        db.book(room, bob, at(1, 11), at(1, 12))          # starts inside the buffer
    with pytest.raises(Conflict):
        db.book(room, bob, at(1, 9), at(1, 9, 50))        # its own buffer reaches 10:05
    assert db.book(room, bob, at(1, 11, 15), at(1, 12)).unit == 1
    assert db.book(room, bob, at(1, 8), at(1, 9, 45)).unit == 1


def test_blackout_blocks_the_slot_and_cannot_cover_a_booking(db, backend):
    laser = db.resource(kind="machine", units=2)
    alice = db.member()
    with db.tx() as session:
        domain.add_blackout(session, {"resource_id": laser, "unit": None, "start": at(2, 14),
                                      "end": at(2, 16), "reason": "maintenance"}, NOW)
    with pytest.raises(ValidationError) as refused:
        db.book(laser, alice, at(2, 15), at(2, 17))
    assert "blacked out" in refused.value.message
    booked = db.book(laser, alice, at(3, 9), at(3, 10))
    with pytest.raises(Conflict) as clash, db.tx() as session:
        domain.add_blackout(session, {"resource_id": laser, "unit": booked.unit, "start": at(3, 9, 30),
                                      "end": at(3, 12), "reason": "repair"}, NOW)
    assert clash.value.fields == {"booking_ids": [booked.id]}
    with db.tx() as session:   # one unit out of order: the other one is still bookable
        domain.add_blackout(session, {"resource_id": laser, "unit": 1, "start": at(4, 8),
                                      "end": at(4, 18), "reason": "repair"}, NOW)
    assert db.book(laser, alice, at(4, 9), at(4, 10)).unit == 2


def test_weekly_quota_caps_hours_per_member_per_week(db, backend):
    desk = db.resource(kind="workspace", weekly_quota_hours=Decimal("4.00"))
    alice, bob = db.member(), db.member()
    db.book(desk, alice, at(1, 9), at(1, 12))                     # 3 h in the week of 30 Nov
    with pytest.raises(ValidationError) as refused:
        db.book(desk, alice, at(2, 9), at(2, 11))                 # 5 h > 4 h
    assert "5.00 hours in the week of 2026-11-30" in refused.value.message
    assert db.book(desk, alice, at(2, 9), at(2, 10)).status == "confirmed"   # exactly 4 h
    assert db.book(desk, bob, at(2, 10), at(2, 14)).status == "confirmed"    # bob's own quota
    assert db.book(desk, alice, at(7, 9), at(7, 13)).status == "confirmed"   # next week (Mon 7 Dec)


def test_cancelled_bookings_do_not_count_against_the_quota(db, backend):
    desk = db.resource(kind="workspace", weekly_quota_hours=Decimal("2"))
    alice = db.member()
    booking = db.book(desk, alice, at(1, 9), at(1, 11))
    with db.tx() as session:
        domain.cancel(session, domain.get_booking(session, booking.id, lock=True), NOW)
    assert db.book(desk, alice, at(1, 13), at(1, 15)).status == "confirmed"


def test_minimum_and_maximum_notice(db, backend):
    van = db.resource(kind="vehicle", min_notice_minutes=120, max_notice_days=14)
    alice = db.member()
    with pytest.raises(ValidationError) as too_soon:
        db.book(van, alice, NOW + dt.timedelta(minutes=119), NOW + dt.timedelta(hours=5))
    assert too_soon.value.fields == {"start": ["book at least 120 minutes ahead"]}
    with pytest.raises(ValidationError) as too_far:
        db.book(van, alice, NOW + dt.timedelta(days=14, minutes=1), NOW + dt.timedelta(days=15))
    assert too_far.value.fields == {"start": ["book at most 14 days ahead"]}
    assert db.book(van, alice, NOW + dt.timedelta(minutes=120), NOW + dt.timedelta(hours=5)).unit == 1
    with pytest.raises(ValidationError):   # the past is never bookable
        db.book(db.resource(), alice, NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1))


def test_minimum_and_maximum_duration(db, backend):
    printer = db.resource(kind="machine", min_duration_minutes=30, max_duration_minutes=240)
    alice = db.member()
    with pytest.raises(ValidationError) as short:
        db.book(printer, alice, at(1, 9), at(1, 9, 29))
    assert short.value.fields == {"end": ["a booking lasts at least 30 minutes"]}
    with pytest.raises(ValidationError) as long:
        db.book(printer, alice, at(1, 9), at(1, 13, 1))
    assert long.value.fields == {"end": ["a booking lasts at most 240 minutes"]}
    assert db.book(printer, alice, at(1, 9), at(1, 13)).status == "confirmed"


def test_training_required_before_booking(db, backend):
    laser = db.resource(kind="machine", training="laser-cutter")
    alice = db.member()
    with pytest.raises(ValidationError) as refused:
        db.book(laser, alice, at(1, 9), at(1, 10))
    assert "training 'laser-cutter'" in refused.value.message
    with db.tx() as session:
        domain.certify_member(session, alice[0], "laser-cutter", None, NOW)
        domain.certify_member(session, alice[0], "laser-cutter", None, NOW)   # twice is harmless
    assert db.book(laser, alice, at(1, 9), at(1, 10)).status == "confirmed"


def test_approval_required_keeps_the_booking_pending_until_staff_approve(db, backend):
    studio = db.resource(approval_required=True)
    alice, bob = db.member(), db.member()
    pending = db.book(studio, alice, at(1, 9), at(1, 12))
    assert pending.status == "pending"
    with pytest.raises(Conflict):   # a request holds its slot while it waits
        db.book(studio, bob, at(1, 10), at(1, 11))
    with db.tx() as session:
        booking = domain.get_booking(session, pending.id, lock=True)
        assert domain.approve(session, booking, "staff-id", NOW) is True
        assert domain.approve(session, booking, "staff-id", NOW) is False
        assert booking.status == "confirmed"
    rejected = db.book(studio, bob, at(2, 9), at(2, 12))
    with db.tx() as session:
        domain.reject(session, domain.get_booking(session, rejected.id, lock=True), "staff-id", None, NOW)
    assert db.book(studio, alice, at(2, 9), at(2, 12)).status == "pending"   # the slot is free again


def test_recurring_weekly_booking_is_all_or_nothing(db, backend):
    room = db.resource()
    alice, bob = db.member(), db.member()
    db.book(room, bob, at(15, 9, 30), at(15, 10, 30))   # the third Tuesday is taken
    weekly = request(room, alice, at(1, 9), at(1, 11), weeks=4)
    with pytest.raises(Conflict) as refused, db.tx() as session:
        domain.book_recurring(session, weekly, NOW)
    assert refused.value.message.startswith("occurrence of 2026-12-15")
    assert "occurrences.2.start" in refused.value.fields
    with db.tx() as session:
        assert domain.member_bookings(session, alice[0], None, None, 100, 0) == []
    with db.tx() as session:
        series = domain.book_recurring(session, request(room, alice, at(1, 11), at(1, 12), weeks=4), NOW)
    assert [b.starts_at for b in series] == [at(d, 11) for d in (1, 8, 15, 22)]
    assert len({b.series_id for b in series}) == 1


def test_pool_of_identical_units_gives_each_booking_its_own_unit(db, backend):
    cameras = db.resource(kind="equipment", units=3)
    members = [db.member() for _ in range(4)]
    units = [db.book(cameras, m, at(1, 9), at(1, 17)).unit for m in members[:3]]
    assert sorted(units) == [1, 2, 3]
    with pytest.raises(Conflict):
        db.book(cameras, members[3], at(1, 12), at(1, 13))


def test_member_must_be_in_good_standing_with_an_open_activity_of_their_own(db, backend):
    room = db.resource()
    suspended = db.member("member_suspended")
    with pytest.raises(NotInGoodStanding) as refused:
        db.book(room, suspended, at(1, 9), at(1, 10))
    assert refused.value.fields == {"member_id": [
        f"member {suspended[0]} is not in good standing on {at(1, 9).date().isoformat()}: "
        "the member is suspended, not admitted"]}
    alice, bob = db.member(), db.member()
    with pytest.raises(ValidationError) as not_hers:
        db.book(room, (alice[0], bob[1]), at(1, 9), at(1, 10))
    assert not_hers.value.fields == {"activity_id": ["the activity does not belong to the member"]}
    with db.tx() as session:
        domain.apply_activity_event(session, alice[1], alice[0], False, NOW)
    with pytest.raises(ValidationError, match="closed"):
        db.book(room, alice, at(1, 9), at(1, 10))


def test_resource_under_maintenance_or_retired_is_not_bookable(db, backend):
    room = db.resource()
    alice = db.member()
    upcoming = db.book(room, alice, at(3, 9), at(3, 10))
    with db.tx() as session:
        domain.update_resource(session, room, {"status": "maintenance", "status_reason": "leak"}, NOW)
    with pytest.raises(ValidationError, match="maintenance: leak"):
        db.book(room, alice, at(1, 9), at(1, 10))
    with db.tx() as session:
        resource, cancelled = domain.retire_resource(session, room, "sold", NOW)
    assert resource.status == "retired" and [b.id for b in cancelled] == [upcoming.id]
    assert cancelled[0].cancellation_charge == 0


def test_projection_keeps_the_newest_status_whatever_the_order_of_arrival(db, backend):
    member_id = "3b0c6a1e-8f7e-4c53-9a59-4a8f4f3f0001"
    with db.tx() as session:
        domain.apply_member_event(session, "member_suspended", member_id, NOW)
        # admitted earlier, delivered later (another queue): the suspension stands
        domain.apply_member_event(session, "member_admitted", member_id, NOW - dt.timedelta(days=3))
        assert domain.member_standing(session, member_id)["status"] == "suspended"
        domain.apply_member_event(session, "member_reinstated", member_id, NOW + dt.timedelta(days=1))
        assert domain.member_standing(session, member_id)["good_standing"] is True
        domain.apply_member_event(session, "member_erased", member_id, NOW + dt.timedelta(days=2))
        domain.apply_member_event(session, "member_reinstated", member_id, NOW + dt.timedelta(days=9))
        assert domain.member_standing(session, member_id)["status"] == "erased"   # erasure is final
