"""Governance test helpers: members fed as membership events, assemblies convened over RPC.

Policy as everywhere: real RabbitMQ, real databases (SQLite and PostgreSQL). Membership is
outside this bounded context, so its events are published as it would publish them.
"""
import datetime as dt
import uuid

import pytest
from sqlalchemy import text

from services.governance.domain import roll
from services.governance.service import GovernanceService
from shared.db import make_engine
from shared.testing import wait_until

TODAY = dt.date.today()
MEETING = TODAY + dt.timedelta(days=20)
RECORD = TODAY - dt.timedelta(days=3)  # effective dates after it are still in the past
LONG_AGO = dt.date(2026, 1, 5)


def new_id() -> str:
    return str(uuid.uuid4())


class Governance:
    """A running governance service, its database, and the means to feed it membership events."""

    def __init__(self, cluster, publish_event, db_uri):
        self.rpc = cluster.governance
        self.publish = publish_event
        self.db_uri = db_uri
        self.engine = make_engine(db_uri)
        self.numbers = iter(range(1, 10**6))
        self.handled = 0

    def reader(self):
        """A read-only connection: on SQLite it takes no write lock, so the service in this
        process never waits for the test (a blocked SQLite call would stall the whole hub)."""
        return self.engine.connect().execution_options(read_only=True)

    def count(self, sql: str, **params) -> int:
        with self.reader() as connection:
            return connection.execute(text(sql), params).scalar_one()

    def wait_handled(self, timeout=20):
        expected = self.handled
        wait_until(lambda: self.count("SELECT count(*) FROM inbox") >= expected, timeout,
                   message=f"governance did not handle {expected} events")

    def event(self, event_type: str, data: dict) -> None:
        self.publish("membership", event_type, data)
        self.handled += 1

    def admit(self, admitted_on=LONG_AGO, paid_shares=1, number=None, wait=False,
              covered_until: dt.date | None = None) -> str:
        member_id = new_id()
        coverage = {"covered_until": covered_until.isoformat()} if covered_until else {}
        self.event("member_admitted", {"member_id": member_id, "number": number or next(self.numbers),
                                       "member_class": "A", "admitted_on": admitted_on.isoformat(),
                                       "paid_shares": paid_shares, **coverage})
        if wait:
            self.wait_handled()
        return member_id

    def members(self, count: int, **kwargs) -> list[str]:
        ids = [self.admit(**kwargs) for _ in range(count)]
        self.wait_handled()
        return ids

    def convene(self, agenda, **fields) -> dict:
        payload = {"kind": "ordinary", "title": "Ordinary general assembly",
                   "meeting_date": MEETING.isoformat(), "record_date": RECORD.isoformat(),
                   "place": "Brussels", "online": True, "agenda": agenda}
        payload.update(fields)
        return self.rpc.convene_assembly(payload)


@pytest.fixture
def governance(start_service, cluster, publish_event, make_db):
    db_uri = make_db("governance")
    start_service(GovernanceService, db_uri=db_uri)
    gov = Governance(cluster, publish_event, db_uri)
    yield gov
    gov.engine.dispose()


@pytest.fixture
def session(db_session):
    """A session on a fresh migrated database, for rules that need no broker."""
    return db_session("governance")


def seed_member(session, number, paid_shares=1, admitted_on=LONG_AGO) -> str:
    member_id = new_id()
    roll.record_admission(session, {"member_id": member_id, "number": number, "member_class": "A",
                                    "admitted_on": admitted_on, "paid_shares": paid_shares})
    return member_id


RESOLUTION = {"kind": "resolution", "title": "Approve the annual accounts"}
