"""The clock (shared.clock): real by default, fixed and advanced by tests, one value for every
greenlet of the process and for the services' own code."""
import datetime as dt

import eventlet
import pytest
from nameko.testing.services import worker_factory

from services.membership.service import MembershipService
from shared import clock
from shared.clock import CLOCK, Clock

UTC = dt.UTC


def test_the_real_clock_gives_an_aware_utc_instant_and_the_calendar_day():
    before = dt.datetime.now(UTC)
    now = clock.utcnow()
    assert now.tzinfo is not None and now.utcoffset() == dt.timedelta(0)
    assert before <= now <= dt.datetime.now(UTC)
    assert clock.today() in (dt.date.today(), dt.date.today() - dt.timedelta(days=1))


def test_a_fixed_clock_holds_its_instant_and_advances_only_when_told():
    fixed = Clock()
    fixed.fix(dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert fixed.now() == dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert fixed.today() == dt.date(2026, 12, 31)
    fixed.advance(dt.timedelta(minutes=45))
    assert fixed.now() == dt.datetime(2027, 1, 1, 0, 15, tzinfo=UTC)
    assert fixed.today() == dt.date(2027, 1, 1)
    fixed.release()
    assert not fixed.is_fixed


def test_a_date_fixes_its_midnight_utc_and_an_other_zone_is_converted():
    fixed = Clock()
    fixed.fix(dt.date(2026, 3, 1))
    assert fixed.now() == dt.datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    brussels_summer = dt.timezone(dt.timedelta(hours=2))
    fixed.fix(dt.datetime(2026, 7, 1, 1, 0, tzinfo=brussels_summer))
    assert fixed.now() == dt.datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert fixed.today() == dt.date(2026, 6, 30)


def test_a_naive_instant_is_refused_and_a_real_clock_cannot_be_advanced():
    with pytest.raises(ValueError, match="aware"):
        Clock().fix(dt.datetime(2026, 1, 1, 12, 0))
    with pytest.raises(RuntimeError):
        Clock().advance(dt.timedelta(days=1))


def test_the_fixture_fixes_the_clock_for_every_greenlet_and_the_service_code(fixed_clock):
    fixed_clock.fix(dt.datetime(2027, 2, 28, 10, 0, tzinfo=UTC))
    seen = eventlet.spawn(lambda: (clock.utcnow(), clock.today())).wait()
    assert seen == (dt.datetime(2027, 2, 28, 10, 0, tzinfo=UTC), dt.date(2027, 2, 28))
    # a service takes "today" from the clock: membership's dated decisions follow it
    assert worker_factory(MembershipService).today() == dt.date(2027, 2, 28)


def test_after_the_fixture_the_clock_is_real_again():
    assert not CLOCK.is_fixed
