"""Group commit (shared/batching.py): concurrent requests share transactions, each request gets
its own outcome, refusals leave no trace, and a batch that fails as a whole is written again
one request at a time so that only the bad request fails.

The service below writes one outbox row per accepted request (its only effect), so "written
once" is "one row in the outbox"."""
import eventlet
import marshmallow as ma
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from services.membership.models import Base
from shared.batching import GroupCommit
from shared.contracts import event_schema
from shared.db import UnitOfWork, make_engine
from shared.errors import Conflict, ValidationError
from shared.schemas import Id
from shared.service import ServiceBase, rpc
from tests.shared.probe import probe_config

POISON = "00000000-0000-4000-8000-00000000dead"
REFUSED = "00000000-0000-4000-8000-0000000000ff"
SLOW = "00000000-0000-4000-8000-00000000510e"  # its write takes a while: the next requests queue up


@event_schema("grouped", "written")
class Written(ma.Schema):
    member_id = Id(required=True)


def _effect(tx, member_id):
    tx.emit("written", {"member_id": member_id}, aggregate_id=member_id)
    return {"member_id": member_id}


def _many(session, requests, tx):
    if SLOW in requests:
        eventlet.sleep(0.5)
    if POISON in requests:
        # write something first: the failed batch's transaction must leave nothing behind
        for member_id in requests:
            _effect(tx, member_id)
        session.execute(text("SELECT 1"))
        raise RuntimeError("this batch cannot be written")
    outcomes = []
    for member_id in requests:
        if member_id == REFUSED:
            outcomes.append(Conflict("refused by the rules", {"member_id": ["refused"]}))
        else:
            outcomes.append(_effect(tx, member_id))
    return outcomes


def _one(session, member_id, tx):
    if member_id == SLOW:
        eventlet.sleep(0.5)
    if member_id == POISON:
        raise ValidationError("this request is malformed", {"member_id": ["poison"]})
    if member_id == REFUSED:
        raise Conflict("refused by the rules", {"member_id": ["refused"]})
    return _effect(tx, member_id)


class GroupedService(ServiceBase):
    name = "grouped"

    uow = UnitOfWork(Base.metadata)
    writes = GroupCommit(batch=_many, single=_one)

    @rpc
    def write(self, member_id):
        return self.writes.submit(member_id)


def _member(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def _sample(name, outcome=None, suffix="_total"):
    labels = {"service": "grouped", "writer": "writes"}
    if outcome:
        labels["outcome"] = outcome
    return REGISTRY.get_sample_value(name + suffix, labels) or 0


def _written(db_uri, member_ids=None):
    engine = make_engine(db_uri)
    with engine.connect().execution_options(read_only=True) as connection:
        rows = connection.execute(text("SELECT aggregate_id FROM outbox WHERE event_type = 'written'"))
        written = [str(r[0]) for r in rows]
    engine.dispose()
    return written


def _all_at_once(cluster, member_ids):
    """Every request in flight together, queued behind a slow one so that they meet in the
    writer's queue whatever the machine's speed; returns their outcomes, the slow one's aside."""
    slow = cluster.grouped.write.call_async(SLOW)
    eventlet.sleep(0.2)  # the writer is busy with it
    replies = [cluster.grouped.write.call_async(m) for m in member_ids]
    assert slow.result() == {"member_id": SLOW}
    outcomes = []
    for reply in replies:
        try:
            outcomes.append(reply.result())
        except Exception as error:  # each caller gets its own outcome
            outcomes.append(error)
    return outcomes


@pytest.fixture
def grouped(start_service, make_db):
    db_uri = make_db("membership")
    start_service(GroupedService, db_uri=db_uri, **probe_config(GROUP_COMMIT_MAX_BATCH=50, max_workers=50))
    return db_uri


def test_concurrent_requests_share_transactions_and_each_gets_its_own_result(grouped, cluster, backend):
    batches_before = _sample("coop_group_commit_batch_size", suffix="_count")
    members = [_member(n) for n in range(1, 41)]
    outcomes = _all_at_once(cluster, members)
    assert [o["member_id"] for o in outcomes] == members
    assert sorted(_written(grouped)) == sorted(members + [SLOW])
    transactions = _sample("coop_group_commit_batch_size", suffix="_count") - batches_before
    assert transactions <= 3, f"40 requests queued together took {transactions} transactions"


def test_a_refused_request_gets_its_error_and_the_rest_of_its_batch_is_written(grouped, cluster, backend):
    members = [_member(n) for n in range(101, 121)]
    outcomes = _all_at_once(cluster, members[:10] + [REFUSED] + members[10:])
    refused = outcomes.pop(10)
    assert isinstance(refused, Conflict)
    assert [o["member_id"] for o in outcomes] == members
    written = _written(grouped)
    assert sorted(written) == sorted(members + [SLOW]) and REFUSED not in written


def test_a_batch_that_fails_as_a_whole_is_written_again_one_request_at_a_time(grouped, cluster, backend):
    fallbacks_before = _sample("coop_group_commit_batches", "fallback")
    members = [_member(n) for n in range(201, 231)]
    outcomes = _all_at_once(cluster, members[:15] + [POISON] + members[15:])
    poisoned = outcomes.pop(15)
    assert isinstance(poisoned, ValidationError)
    assert [o["member_id"] for o in outcomes] == members
    # every good request written exactly once: nothing of the failed batch's transaction stayed
    written = _written(grouped)
    assert sorted(written) == sorted(members + [SLOW])
    assert _sample("coop_group_commit_batches", "fallback") == fallbacks_before + 1


def test_a_lone_request_is_written_alone(grouped, cluster, backend):
    singles_before = _sample("coop_group_commit_batches", "single")
    assert cluster.grouped.write(_member(999)) == {"member_id": _member(999)}
    assert _written(grouped) == [_member(999)]
    assert _sample("coop_group_commit_batches", "single") == singles_before + 1
