"""The catalogue and the reports over RPC: staff-only changes, statuses, retirement, reports."""
import uuid

import pytest

from services.resources.service import ResourcesService
from shared.errors import Conflict, Forbidden, NotFound, ValidationError
from tests.resources.test_service import ROOM, iso, known_member, slot, soon


@pytest.fixture
def resources(start_service, cluster):
    start_service(ResourcesService)
    return cluster.resources


def test_catalogue_is_listed_filtered_and_changed_by_staff(resources, member_cluster, backend):
    room = resources.add_resource(ROOM)
    laser = resources.add_resource({"name": "Laser cutter", "kind": "machine", "training": "laser",
                                    "price_per_hour": "15.00", "units": 2})
    assert (laser["training_required"], laser["price_per_hour"], laser["late_cancellation_share"]) == (
        True, "15.00", "0.0000")
    assert [r["id"] for r in resources.list_resources({"kind": "machine"})] == [laser["id"]]
    with pytest.raises(ValidationError) as refused:
        resources.update_resource(room["id"], {"status": "maintenance"})
    assert refused.value.fields == {"status_reason": ["say why the resource is unavailable"]}
    changed = resources.update_resource(room["id"], {"status": "maintenance", "status_reason": "paint",
                                                     "buffer_minutes": 10})
    assert (changed["status"], changed["status_reason"], changed["buffer_minutes"]) == ("maintenance", "paint", 10)
    assert resources.update_resource(room["id"], {"status": "available"})["status_reason"] is None
    with pytest.raises(ValidationError) as refused:
        resources.update_resource(room["id"], {"min_duration_minutes": 60, "max_duration_minutes": 30})
    assert "max_duration_minutes" in refused.value.fields
    as_member = member_cluster({"member_id": str(uuid.uuid4()), "roles": ["member"]})
    with pytest.raises(Forbidden):
        as_member.resources.update_resource(room["id"], {"units": 3})
    with pytest.raises(NotFound):
        resources.get_resource(str(uuid.uuid4()))
    assert len(as_member.resources.list_resources()) == 2   # members see the catalogue


def test_retiring_cancels_bookings_to_come_free_of_charge(resources, cluster, publish_event,
                                                          record_events, backend):
    events = record_events("resources")
    member = known_member(publish_event, cluster)
    cameras = resources.add_resource({"name": "Camera", "kind": "equipment", "units": 2,
                                      "cancellation_deadline_hours": 240, "price_per_day": "40.00",
                                      "late_cancellation_share": "1"})
    booking = resources.book(slot(cameras["id"], member, soon(9), soon(18)))
    second = resources.book(slot(cameras["id"], member, soon(9, days=3), soon(18, days=3)))
    assert (booking["unit"], second["unit"]) == (1, 1)
    other = known_member(publish_event, cluster)
    resources.book(slot(cameras["id"], other, soon(10), soon(11)))   # unit 2
    with pytest.raises(Conflict) as refused:
        resources.update_resource(cameras["id"], {"units": 1})
    assert refused.value.fields == {"units": ["unit 2 is still booked"]}
    retired = resources.retire_resource(cameras["id"], "stolen")
    assert (retired["status"], retired["status_reason"]) == ("retired", "stolen")
    cancelled = events.wait_for("booking_cancelled", 3)
    assert {e["data"]["booking_id"] for e in cancelled} >= {booking["id"], second["id"]}
    assert {(e["data"]["late"], e["data"]["charge"]) for e in cancelled} == {(False, "0.00")}
    assert resources.list_resources() == []
    assert [r["id"] for r in resources.list_resources({"include_retired": True})] == [cameras["id"]]
    with pytest.raises(ValidationError, match="retired"):
        resources.book(slot(cameras["id"], member, soon(9), soon(18)))


def test_blackouts_trainings_rejections_and_reports_over_rpc(resources, cluster, member_cluster,
                                                             publish_event, record_events, backend):
    events = record_events("resources")
    alice, bob = known_member(publish_event, cluster), known_member(publish_event, cluster)
    laser = resources.add_resource({"name": "Laser cutter", "kind": "machine", "training": "laser",
                                    "approval_required": True})
    blackout = resources.add_blackout({"resource_id": laser["id"], "start": iso(soon(8)),
                                       "end": iso(soon(10)), "reason": "new lens"})
    assert (blackout["unit"], blackout["start"]) == (None, iso(soon(8)))
    with pytest.raises(ValidationError, match="training 'laser'"):
        resources.book(slot(laser["id"], alice, soon(12), soon(13)))
    assert resources.certify_member(alice[0], "laser")["training"] == "laser"
    with pytest.raises(ValidationError, match="blacked out"):
        resources.book(slot(laser["id"], alice, soon(9), soon(11)))
    pending = resources.book(slot(laser["id"], alice, soon(12), soon(13)))
    as_bob = member_cluster({"member_id": bob[0], "roles": ["member"]})
    with pytest.raises(Forbidden):
        as_bob.resources.get_booking(pending["id"])
    with pytest.raises(Forbidden):
        as_bob.resources.utilisation_report(laser["id"], iso(soon(0)), iso(soon(24)))
    rejected = resources.reject_booking(pending["id"], "lens not calibrated")
    assert (rejected["status"], rejected["release_reason"]) == ("rejected", "lens not calibrated")
    [released] = events.wait_for("booking_released")
    assert released["data"]["booking_id"] == pending["id"]
    [report] = resources.utilisation_report(laser["id"], iso(soon(0)), iso(soon(24)))
    assert (report["capacity_hours"], report["booked_hours"], report["utilisation"]) == ("22.00", "0.00", "0.0000")
    assert report["bookings_by_status"] == {"rejected": 1}
    everything = resources.utilisation_report(None, iso(soon(0)), iso(soon(24)))
    assert [r["resource_id"] for r in everything] == [laser["id"]]
    with pytest.raises(ValidationError) as refused:
        resources.availability(laser["id"], iso(soon(24)), iso(soon(0)))
    assert refused.value.fields == {"to": ["must be after from"]}
