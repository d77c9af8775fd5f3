"""Resources' member standing (shared.standing) includes share coverage: a member is booked
only for days their paid shares cover (one share for each year of use)."""
import datetime as dt
import uuid

import pytest

from services.resources import domain
from services.resources.service import ResourcesService
from shared.errors import NotInGoodStanding
from shared.testing import wait_until
from tests.resources.helpers import NOW, admit, at, request
from tests.resources.test_service import ROOM, slot, soon


def test_member_whose_coverage_lapsed_cannot_book_until_they_buy_a_share(start_service, cluster,
                                                                          publish_event, backend):
    start_service(ResourcesService)
    member = (str(uuid.uuid4()), str(uuid.uuid4()))
    lapsed_on = dt.date.today() - dt.timedelta(days=1)
    admit(publish_event, *member, covered_until=lapsed_on)
    wait_until(lambda: cluster.resources.member_standing(member[0])["open_activities"] == [member[1]], 20)
    room = cluster.resources.add_resource(ROOM)
    start = soon(9)
    with pytest.raises(NotInGoodStanding) as refused:
        cluster.resources.book(slot(room["id"], member, start, soon(10)))
    assert refused.value.fields == {"member_id": [
        f"member {member[0]} is not in good standing on {start.date()}: the member's shares covered "
        f"use until {lapsed_on}, not {start.date()}: one more share extends the coverage"]}
    assert cluster.resources.member_bookings(member[0]) == []

    # the member buys a share: membership publishes the holdings and the coverage they give
    publish_event("membership", "shares_paid", {
        "member_id": member[0], "shares": 1, "amount": "30.00", "reference": "+++000001/0002/00095+++",
        "effective_date": dt.date.today().isoformat(), "paid_shares": 2,
        "covered_until": lapsed_on.replace(year=lapsed_on.year + 1).isoformat()})
    wait_until(lambda: cluster.resources.member_standing(member[0])["good_standing"], 20)
    assert cluster.resources.book(slot(room["id"], member, start, soon(10)))["status"] == "confirmed"


def test_a_weekly_series_is_booked_only_as_far_as_the_coverage_goes(db, backend):
    room = db.resource()
    member = (str(uuid.uuid4()), str(uuid.uuid4()))
    with db.tx() as session:
        domain.apply_member_event(session, "member_admitted", member[0], NOW,
                                  {"paid_shares": 1, "covered_until": "2026-12-20"})
        domain.apply_activity_event(session, member[1], member[0], True, NOW)
    # 1, 8 and 15 December are covered; a fourth week (the 22nd) is not: the series is refused
    refused = pytest.raises(NotInGoodStanding, match="covered use until 2026-12-20, not 2026-12-22")
    with refused, db.tx() as session:
        domain.book_recurring(session, request(room, member, at(1, 9), at(1, 10), weeks=4), NOW)
    with db.tx() as session:
        series = domain.book_recurring(session, request(room, member, at(1, 9), at(1, 10), weeks=3), NOW)
    assert [b.starts_at.date().isoformat() for b in series] == ["2026-12-01", "2026-12-08", "2026-12-15"]
