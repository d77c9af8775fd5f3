"""A governance process killed after committing a batch of ballots, before answering anyone:
the requests it held go back to the queue, the restarted process answers them, and every
member's ballot is in the box exactly once (those already committed are refused as already
cast, never counted twice; those not yet committed are cast)."""
import datetime as dt
import uuid

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import insert, text

from services.governance.models import MemberRecord, StandingChange
from shared.db import make_engine
from shared.errors import Conflict
from shared.testing import wait_until

STAFF = {"member_id": str(uuid.uuid4()), "roles": ["staff"]}
VOTERS = 150


def seed_members(db_uri: str, count: int) -> list[str]:
    """Members admitted long ago with one paid share, as the roll's projection holds them."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    admitted = dt.date(2025, 1, 6)
    engine = make_engine(db_uri)
    with engine.begin() as connection:
        connection.execute(insert(MemberRecord), [
            {"member_id": m, "number": n, "member_class": "A", "admitted_on": admitted}
            for n, m in enumerate(ids, start=1)])
        connection.execute(insert(StandingChange), [
            {"member_id": m, "kind": kind, "status": status, "paid_shares": shares,
             "effective_date": admitted, "event_type": "member_admitted"}
            for m in ids for kind, status, shares in (("status", "admitted", None), ("shares", None, 1))])
    engine.dispose()
    return ids


def count(db_uri: str, sql: str) -> int:
    engine = make_engine(db_uri)
    with engine.connect().execution_options(read_only=True) as connection:
        value = connection.execute(text(sql)).scalar_one()
    engine.dispose()
    return value


@pytest.mark.slow
def test_ballots_of_a_killed_instance_are_counted_once_and_the_rest_are_cast(
        backend, make_db, service_process, rabbit_config):
    uri = make_db("governance")
    voters = seed_members(uri, VOTERS)
    env = {"GOVERNANCE_MAX_WORKERS": "32"}
    victim = service_process("governance", uri, {**env, "COOP_FAILPOINTS": "group_commit_before_reply"})
    victim.wait_ready()
    with ClusterRpcProxy(rabbit_config, timeout=60, context_data={"auth": STAFF}) as rpc:
        meeting = (dt.date.today() + dt.timedelta(days=30)).isoformat()
        assembly = rpc.governance.convene_assembly({
            "kind": "ordinary", "title": "Assembly", "meeting_date": meeting, "online": True,
            "agenda": [{"kind": "resolution", "title": "Approve the accounts"}]})
        item_id = assembly["agenda"][0]["id"]
        rpc.governance.open_vote(item_id)

        replies = [rpc.governance.cast_vote.call_async({"item_id": item_id, "voter_id": v, "choice": "for"})
                   for v in voters]
        # the victim kills itself as soon as it has committed its first ballots
        wait_until(lambda: victim.process.poll() is not None, 30, message="the failpoint was not reached")
        committed_by_victim = count(uri, "SELECT count(*) FROM ballots")
        assert 0 < committed_by_victim < VOTERS
        service_process("governance", uri, env).wait_ready()  # the restart

        receipts, refused = [], []
        for reply in replies:
            try:
                receipts.append(reply.result())
            except Conflict:
                refused.append(reply)
        # the restarted process answered every request: those the victim had committed are
        # refused as already cast (their receipts died with it), all others got a receipt
        assert len(receipts) + len(refused) == VOTERS
        assert len(refused) == committed_by_victim
        assert len({r["member_id"] for r in receipts}) == len(receipts)
        assert count(uri, "SELECT count(*) FROM participations") == VOTERS
        assert count(uri, "SELECT count(DISTINCT member_id) FROM participations") == VOTERS
        assert count(uri, "SELECT count(*) FROM ballots") == VOTERS
        result = rpc.governance.close_vote(item_id)["result"]
        assert result["ballots_total"] == VOTERS and result["tally"]["for"] == VOTERS
