"""A small service that consumes membership events in batches, to prove the batch consumer.

Like ``tests/shared/probe.py`` it keeps its inbox and outbox in a membership-shaped database;
its only effect is one ``probe_handled`` event per event, written for the whole batch in one
unit of work, so "one effect" is "one probe_handled event".
"""
import eventlet
import marshmallow as ma

from services.membership.models import Base
from shared.contracts import event_schema
from shared.db import UnitOfWork
from shared.events import handle_event_batch
from shared.schemas import Id
from shared.service import ServiceBase


@event_schema("batch_probe", "probe_handled")
class BatchProbeHandled(ma.Schema):
    member_id = Id(required=True)
    source_event_id = ma.fields.String(required=True)


class BatchProbeService(ServiceBase):
    name = "batch_probe"
    failing: set = set()  # member classes whose events the handler refuses, set by tests
    committed: list = []  # the event ids of each unit of work that committed, set by tests
    started: list = []  # the event ids of each batch as its worker starts, set by tests
    delay: float = 0.0  # seconds a worker takes, set by tests

    uow = UnitOfWork(Base.metadata)

    # a generous linger: the tests queue their events first and expect them in one batch
    @handle_event_batch("membership", "member_applied", batch=50, linger=0.05, max_wait=1.0)
    def on_member_applied(self, events):
        self.started.append([e.event_id for e in events])
        eventlet.sleep(self.delay)
        refused = [e for e in events if e.data["member_class"] in self.failing]
        if refused:
            raise RuntimeError(f"cannot handle class {refused[0].data['member_class']} yet")
        with self.uow() as tx:
            for event in events:
                tx.emit("probe_handled", {"member_id": event.data["member_id"],
                                          "source_event_id": event.event_id})
        self.committed.append([e.event_id for e in events])


def batch_probe_config(**overrides):
    return {"DB_REQUIRE_MIGRATED": False, "config_of": "membership", **overrides}
