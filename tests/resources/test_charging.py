"""End to end with billing: a finished booking debits the member's activity exactly once, even
when usage_recorded reaches billing twice."""
import datetime as dt
import uuid

import eventlet

from services.billing.service import BillingService
from services.resources.service import ResourcesService
from shared.clock import utcnow
from shared.errors import NotFound
from shared.testing import wait_until
from tests.resources.test_service import slot


def _usage_entries(cluster, activity_id):
    today = dt.date.today()
    statement = cluster.billing.activity_statement({
        "activity_id": activity_id, "start": (today - dt.timedelta(days=1)).isoformat(),
        "end": (today + dt.timedelta(days=1)).isoformat()})
    return [e for e in statement["entries"] if e["kind"] == "resource_usage"]


def _billing_knows(cluster, member_id) -> bool:
    try:
        return cluster.billing.member_standing(member_id)["good_standing"]
    except NotFound:   # billing has not handled member_admitted yet
        return False


def test_finished_booking_charges_the_activity_once_even_when_delivered_twice(
        start_service, cluster, publish_event, record_events, backend):
    billing_events = record_events("billing")
    resource_events = record_events("resources")
    start_service(BillingService)
    start_service(ResourcesService)
    member_id = str(uuid.uuid4())
    publish_event("membership", "member_admitted", {
        "member_id": member_id, "number": 7, "member_class": "A", "admitted_on": "2026-01-05",
        "paid_shares": 1})
    wait_until(lambda: _billing_knows(cluster, member_id), 20)
    # billing opens the activity and tells resources by its activity_opened event
    activity = cluster.billing.open_activity({"member_id": member_id, "name": "Ceramics"})
    wait_until(lambda: cluster.resources.member_standing(member_id)["open_activities"] == [activity["id"]],
               20)

    kiln = cluster.resources.add_resource({"name": "Kiln", "kind": "machine", "price_per_hour": "36.00"})
    start = utcnow() + dt.timedelta(seconds=3)   # room for a slow machine to book first
    booking = cluster.resources.book(slot(kiln["id"], (member_id, activity["id"]),
                                          start, start + dt.timedelta(minutes=50)))
    cluster.resources.check_in(booking["id"])
    wait_until(lambda: utcnow() > start + dt.timedelta(seconds=1), 10)
    checked_out = cluster.resources.check_out(booking["id"])
    [usage] = resource_events.wait_for("usage_recorded")
    [charged] = billing_events.wait_for("activity_charged")
    assert charged["data"]["reference"] == checked_out["usage"]["id"]
    assert charged["data"]["amount"] == checked_out["usage"]["amount"]

    # the same event delivered again, and the same usage in a fresh envelope
    publish_event("resources", "usage_recorded", usage["data"], event_id=usage["event_id"])
    publish_event("resources", "usage_recorded", usage["data"])
    cluster.resources.check_out(booking["id"])
    eventlet.sleep(1.0)
    [entry] = _usage_entries(cluster, activity["id"])
    assert entry["amount"] == "-" + checked_out["usage"]["amount"]
    assert len(billing_events.of_type("activity_charged")) == 1
    assert len(resource_events.of_type("usage_recorded")) == 3   # ours once, the two replays
