"""No double booking, ever: fifty members book the same slot at the same moment."""
import datetime as dt
import uuid

import eventlet
import pytest
import requests
from sqlalchemy import text

from services.resources import domain
from shared.clock import utcnow
from shared.db import make_engine
from shared.errors import Conflict
from shared.testing import wait_until
from tests.resources.helpers import NOW, admit, at, request
from tests.resources.test_service import iso, slot, soon

MEMBERS = 50


def _count_holding(db_uri: str) -> list:
    engine = make_engine(db_uri, pool_size=1)
    try:
        with engine.connect() as connection:
            return connection.execute(text(
                "SELECT member_id, unit FROM bookings WHERE status IN "
                "('pending', 'confirmed', 'checked_in', 'completed')")).all()
    finally:
        engine.dispose()


def _book_calls(process) -> int:
    """How many ``book`` calls a service process answered, from its /metrics."""
    metrics = requests.get(f"http://127.0.0.1:{process.metrics_port}/metrics", timeout=5).text
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in metrics.splitlines()
               if line.startswith("resources_rpc_requests_total{") and 'method_name="book"' in line)


@pytest.mark.slow
def test_fifty_concurrent_bookings_of_one_slot_exactly_one_wins(
        make_db, service_process, cluster, publish_event, record_events, backend):
    db_uri = make_db("resources")
    # two service processes sharing the PostgreSQL database; SQLite has one writer: one process
    processes = [service_process("resources", db_uri) for _ in range(2 if backend == "postgresql" else 1)]
    for process in processes:
        process.wait_ready()
    events = record_events("resources")
    members = [(str(uuid.uuid4()), str(uuid.uuid4())) for _ in range(MEMBERS)]
    for member_id, activity_id in members:
        admit(publish_event, member_id, activity_id)
    wait_until(lambda: all(cluster.resources.member_standing(m)["open_activities"] == [a]
                           for m, a in members), 30, 0.2, "the projections never saw every member")
    room = cluster.resources.add_resource({"name": "Recording studio", "kind": "room", "buffer_minutes": 15})

    # every call is on the wire before the first answer is read
    replies = [cluster.resources.book.call_async(slot(room["id"], member, soon(9), soon(12)))
               for member in members]
    won, conflicts = [], 0
    for reply in replies:
        try:
            won.append(reply.result())
        except Conflict:
            conflicts += 1

    assert (len(won), conflicts) == (1, MEMBERS - 1)
    assert _count_holding(db_uri) == [(won[0]["member_id"], 1)]
    events.wait_for("booking_confirmed")
    free = cluster.resources.availability(room["id"], iso(soon(8)), iso(soon(13)))
    assert free["units"][0]["free"] == [{"start": iso(soon(8)), "end": iso(soon(8.75))},
                                         {"start": iso(soon(12.25)), "end": iso(soon(13))}]
    served = [_book_calls(process) for process in processes]
    assert sum(served) == MEMBERS and all(served), served   # each process took part in the race
    assert len(events.of_type("booking_confirmed")) == 1


def test_the_database_arbitrates_a_race_for_a_unit(db, backend):
    """Two transactions both see a unit free; the exclusion constraint lets one have it and
    sends the other to the next unit, or to Conflict when none is left."""
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): the second never sees a stale check")
    cameras, room = db.resource(kind="equipment", units=2), db.resource()
    alice, bob, carol = db.member(), db.member(), db.member()
    with db.sessions() as first:
        with first.begin():
            held = domain.book(first, request(cameras, alice, at(1, 9), at(1, 12)), NOW)
            assert held.unit == 1
            racer = eventlet.spawn(db.book, cameras, bob, at(1, 10), at(1, 11))
            eventlet.sleep(0.5)
            assert not racer.dead, "the second booking waits on the constraint for unit 1"
        assert racer.wait().unit == 2
    with db.sessions() as first:
        with first.begin():
            domain.book(first, request(room, alice, at(1, 9), at(1, 12)), NOW)
            racer = eventlet.spawn(db.book, room, carol, at(1, 11), at(1, 13))
            eventlet.sleep(0.5)
            assert not racer.dead
        with pytest.raises(Conflict):
            racer.wait()


@pytest.mark.slow
def test_two_processes_sweeping_record_each_usage_once(
        make_db, service_process, cluster, publish_event, record_events, backend):
    db_uri = make_db("resources")
    processes = [service_process("resources", db_uri, env={"RESOURCES_SWEEP_INTERVAL": "0.05"})
                 for _ in range(2)]
    for process in processes:
        process.wait_ready()
    events = record_events("resources")
    members = [(str(uuid.uuid4()), str(uuid.uuid4())) for _ in range(10)]
    for member_id, activity_id in members:
        admit(publish_event, member_id, activity_id)
    wait_until(lambda: all(cluster.resources.member_standing(m)["open_activities"] == [a]
                           for m, a in members), 30, 0.2)
    cameras = cluster.resources.add_resource({"name": "Camera", "kind": "equipment", "units": 10,
                                              "price_per_hour": "36.00"})
    start = utcnow() + dt.timedelta(seconds=5)   # room for a slow machine to book all ten
    booked = [cluster.resources.book(slot(cameras["id"], member, start, start + dt.timedelta(seconds=2)))
              for member in members]
    assert sorted(b["unit"] for b in booked) == list(range(1, 11))
    usages = events.wait_for("usage_recorded", 10, timeout=15)
    wait_until(lambda: utcnow() > start + dt.timedelta(seconds=4), 10)   # ~40 more sweeps each
    usages = events.of_type("usage_recorded")
    assert sorted(u["data"]["booking_id"] for u in usages) == sorted(b["id"] for b in booked)
    assert {(u["data"]["hours"], u["data"]["amount"]) for u in usages} == {("0.00", "0.02")}
