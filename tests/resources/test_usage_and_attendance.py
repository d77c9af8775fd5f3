"""Cancellation charges, check-in, no-shows, usage and its price, availability and utilisation."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from services.resources import domain
from services.resources.domain.usage import price_of
from services.resources.models import Booking, Usage
from shared.errors import ValidationError
from tests.resources.helpers import NOW, at

MIN = dt.timedelta(minutes=1)


def _usages(db):
    with db.tx() as session:
        return list(session.scalars(select(Usage).order_by(Usage.recorded_at)))


def test_late_cancellation_is_charged_a_share_of_the_price(db, backend):
    room = db.resource(price_per_hour=Decimal("20.00"), cancellation_deadline_hours=24,
                       late_cancellation_share=Decimal("0.5"))
    alice = db.member()
    early = db.book(room, alice, at(3, 9), at(3, 12))
    late = db.book(room, alice, at(1, 9), at(1, 12))
    with db.tx() as session:   # 48 h before: free
        changed, usage = domain.cancel(session, domain.get_booking(session, early.id, lock=True),
                                       at(1, 9))
        assert (changed, usage) == (True, None)
    with db.tx() as session:   # 2 h before, deadline was 24 h before: half of 3 h x 20.00
        booking = domain.get_booking(session, late.id, lock=True)
        changed, usage = domain.cancel(session, booking, at(1, 7))
        assert booking.late_cancellation is True and booking.cancellation_charge == Decimal("30.00")
        assert (usage.amount, usage.hours, usage.reason) == (Decimal("30.00"), Decimal("0.00"),
                                                             "late_cancellation")
    with db.tx() as session:   # cancelling again changes nothing and charges nothing more
        again = domain.get_booking(session, late.id, lock=True)
        assert domain.cancel(session, again, at(1, 8)) == (False, None)
    assert [u.amount for u in _usages(db)] == [Decimal("30.00")]


def test_no_show_is_released_after_n_minutes(db, backend):
    laser = db.resource(kind="machine", no_show_minutes=15)
    alice, bob = db.member(), db.member()
    no_show = db.book(laser, alice, at(1, 9), at(1, 11))
    present = db.book(laser, bob, at(1, 11), at(1, 12))
    with db.tx() as session:
        assert domain.sweep(session, at(1, 9, 14)).released == []
    with db.tx() as session:
        released = domain.sweep(session, at(1, 9, 15)).released
        assert [(b.id, b.status, b.release_reason) for b in released] == [(no_show.id, "released", "no_show")]
    with db.tx() as session:   # the timer running again has no further effect
        again = domain.sweep(session, at(1, 9, 16))
        assert again.released == [] and again.usages == []
    assert db.book(laser, bob, at(1, 9, 30), at(1, 10, 30)).unit == 1   # the slot is free again
    with db.tx() as session, pytest.raises(ValidationError, match="closed"):  # too late to check in
        domain.check_in(session, domain.get_booking(session, present.id, lock=True), at(1, 11, 16))


def test_unapproved_request_is_released_when_its_start_passes(db, backend):
    studio = db.resource(approval_required=True)
    request = db.book(studio, db.member(), at(1, 9), at(1, 10))
    with db.tx() as session:
        released = domain.sweep(session, at(1, 9))
        assert [(b.id, b.release_reason) for b in released.released] == [(request.id, "not_approved")]


def test_check_out_records_usage_once_with_half_up_amount(db, backend):
    printer = db.resource(kind="machine", price_per_hour=Decimal("12.35"), no_show_minutes=15,
                          buffer_minutes=10)
    alice = db.member()
    booking = db.book(printer, alice, at(1, 9), at(1, 12))
    with db.tx() as session:
        row = domain.get_booking(session, booking.id, lock=True)
        with pytest.raises(ValidationError, match="opens 15 minutes"):
            domain.check_in(session, row, at(1, 8, 44))
        assert domain.check_in(session, row, at(1, 8, 50)) is True
        assert domain.check_in(session, row, at(1, 8, 51)) is False
    with db.tx() as session:   # left after 1 h 30: 1.5 x 12.35 = 18.525 -> 18.53
        usage, recorded = domain.check_out(session, domain.get_booking(session, booking.id, lock=True),
                                           at(1, 10, 30))
        assert recorded and (usage.hours, usage.amount) == (Decimal("1.50"), Decimal("18.53"))
        assert (usage.started_at, usage.ended_at) == (at(1, 9), at(1, 10, 30))
    with db.tx() as session:
        again, recorded = domain.check_out(session, domain.get_booking(session, booking.id, lock=True),
                                           at(1, 10, 45))
        assert not recorded and again.id == usage.id
    with db.tx() as session:
        assert domain.sweep(session, at(1, 13)).usages == []
    assert len(_usages(db)) == 1
    # leaving early gave the rest of the slot back (after the buffer)
    assert db.book(printer, db.member(), at(1, 10, 40), at(1, 12)).unit == 1


def test_end_time_passed_records_usage_once(db, backend):
    desk = db.resource(kind="workspace", price_per_hour=Decimal("3.10"))
    booking = db.book(desk, db.member(), at(1, 9), at(1, 11, 20))
    with db.tx() as session:
        assert domain.sweep(session, at(1, 11, 19)).usages == []
    with db.tx() as session:
        [usage] = domain.sweep(session, at(1, 11, 20)).usages
        assert (usage.booking_id, usage.hours, usage.amount) == (booking.id, Decimal("2.33"), Decimal("7.23"))
    with db.tx() as session:
        assert domain.sweep(session, at(1, 12)).usages == []
    assert len(_usages(db)) == 1


def test_database_refuses_a_second_usage_for_a_booking(db, backend):
    booking = db.book(db.resource(), db.member(), at(1, 9), at(1, 10))
    with db.tx() as session:
        domain.sweep(session, at(1, 10))
    with pytest.raises(IntegrityError), db.tx() as session:
        [usage] = session.scalars(select(Usage)).all()
        session.add(Usage(id="x", booking_id=booking.id, resource_id=usage.resource_id,
                          member_id=usage.member_id, activity_id=usage.activity_id, hours=1,
                          amount=1, started_at=at(1, 9), ended_at=at(1, 10), reason="use",
                          recorded_at=NOW))


def test_day_price_applies_to_whole_days_and_caps_the_hours():
    hour, day = Decimal("10.00"), Decimal("60.00")
    assert price_of(at(1, 8), at(1, 12), hour, day) == Decimal("40.00")
    assert price_of(at(1, 8), at(1, 16), hour, day) == Decimal("60.00")    # capped at a day
    assert price_of(at(1, 8), at(2, 10), hour, day) == Decimal("80.00")    # 1 day + 2 h
    assert price_of(at(1, 8), at(2, 10), None, day) == Decimal("120.00")   # each started day
    assert price_of(at(1, 8), at(1, 8, 20), Decimal("0.05"), None) == Decimal("0.02")  # 0.0166..
    assert price_of(at(1, 8), at(1, 9), None, None) == Decimal("0.00")


def test_database_refuses_overlapping_bookings_of_a_unit(db, backend):
    """Even a write that skips every check in code cannot double-book."""
    first = db.book(db.resource(), db.member(), at(1, 9), at(1, 11))
    with pytest.raises(IntegrityError), db.tx() as session:
        row = session.get(Booking, first.id)
        copy = {c.key: getattr(row, c.key) for c in Booking.__mapper__.column_attrs}
        copy.update(id="overlap", starts_at=at(1, 10), blocked_start=at(1, 10),
                    ends_at=at(1, 12), blocked_end=at(1, 12))
        session.add(Booking(**copy))
    with db.tx() as session:   # a released booking no longer holds the slot
        session.execute(text("UPDATE bookings SET status = 'released' WHERE id = :id"), {"id": first.id})
        copy["id"] = "after-release"
        session.add(Booking(**copy))
    with db.tx() as session:
        assert session.scalar(select(func.count()).select_from(Booking)) == 2


def test_availability_lists_free_intervals_per_unit(db, backend):
    cameras = db.resource(kind="equipment", units=2, buffer_minutes=30)
    alice, bob = db.member(), db.member()
    db.book(cameras, alice, at(1, 10), at(1, 12))        # unit 1, blocked until 12:30
    db.book(cameras, bob, at(1, 10), at(1, 11))          # unit 2, blocked until 11:30
    with db.tx() as session:
        domain.add_blackout(session, {"resource_id": cameras, "unit": 2, "start": at(1, 15),
                                      "end": at(1, 16), "reason": "sensor cleaning"}, NOW)
        free = domain.availability(session, cameras, at(1, 8), at(1, 18))
    assert free["units"] == [
        {"unit": 1, "free": [{"start": at(1, 8), "end": at(1, 9, 30)},
                             {"start": at(1, 12, 30), "end": at(1, 18)}]},
        {"unit": 2, "free": [{"start": at(1, 8), "end": at(1, 9, 30)},
                             {"start": at(1, 11, 30), "end": at(1, 14, 30)},
                             {"start": at(1, 16), "end": at(1, 18)}]},
    ]
    with db.tx() as session:   # a window that opens while both bookings run
        free = domain.availability(session, cameras, at(1, 11), at(1, 13))
    assert free["units"] == [{"unit": 1, "free": [{"start": at(1, 12, 30), "end": at(1, 13)}]},
                             {"unit": 2, "free": [{"start": at(1, 11, 30), "end": at(1, 13)}]}]


@pytest.mark.parametrize("units", [1, 17])
def test_availability_sees_a_booking_that_started_before_the_window(db, backend, units):
    desks = db.resource(kind="workspace", units=units)
    db.book(desks, db.member(), at(1, 9), at(3, 9))            # two days on unit 1
    if units > 1:
        db.book(desks, db.member(), at(1, 8), at(1, 10))       # unit 2, over before the window
    with db.tx() as session:
        free = domain.availability(session, desks, at(2, 8), at(2, 12))
    assert free["units"][0] == {"unit": 1, "free": []}
    assert all(u["free"] == [{"start": at(2, 8), "end": at(2, 12)}] for u in free["units"][1:])


def test_utilisation_report_per_resource_and_period(db, backend):
    room = db.resource(units=2, price_per_hour=Decimal("10.00"))
    alice, bob = db.member(), db.member()
    used = db.book(room, alice, at(1, 9), at(1, 13))             # 4 h, used to the end
    db.book(room, bob, at(1, 9), at(1, 11))                      # 2 h, cancelled
    with db.tx() as session:
        domain.add_blackout(session, {"resource_id": room, "unit": 2, "start": at(1, 14),
                                      "end": at(1, 18), "reason": "painting"}, NOW)
        cancelled = domain.member_bookings(session, bob[0], None, None, 10, 0)[0]
        domain.cancel(session, domain.get_booking(session, cancelled.id, lock=True), NOW)
        domain.sweep(session, at(1, 13))
    with db.tx() as session:
        [report] = domain.utilisation_report(session, room, at(1, 8), at(1, 18))
    assert report["capacity_hours"] == Decimal("16.00")   # 2 units x 10 h - 4 h blacked out
    assert report["booked_hours"] == Decimal("4.00")
    assert report["used_hours"] == Decimal("4.00")
    assert report["utilisation"] == Decimal("0.2500")
    assert report["charged"] == Decimal("40.00")
    assert report["bookings_by_status"] == {"completed": 1, "cancelled": 1}
    assert used.id
