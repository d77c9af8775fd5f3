"""A small service that consumes membership events, used to prove the delivery guarantees.

It keeps its inbox and outbox in a membership-shaped database; its only effect is the
``probe_handled`` event it emits, so "one effect" is "one probe_handled event".
"""
import eventlet
import marshmallow as ma
from sqlalchemy import func, select

from services.membership.models import Base
from shared.contracts import event_schema
from shared.db import UnitOfWork, outbox_table
from shared.events import handle_event
from shared.schemas import Id
from shared.service import ServiceBase


@event_schema("probe", "probe_handled")
class ProbeHandled(ma.Schema):
    member_id = Id(required=True)
    source_event_id = ma.fields.String(required=True)


class ProbeService(ServiceBase):
    name = "probe"
    failing: set = set()  # member classes whose events the handler refuses, set by tests
    delay: float = 0.0  # seconds the handler takes, set by tests
    started: list = []
    fail_once_after_reading: set = set()  # member classes whose first attempt reads, then fails

    uow = UnitOfWork(Base.metadata)

    @handle_event("membership", "member_applied")
    def on_member_applied(self, event):
        self.started.append(event.event_id)
        eventlet.sleep(self.delay)
        if event.data["member_class"] in self.fail_once_after_reading:
            with self.uow() as tx:
                tx.session.execute(select(func.count()).select_from(outbox_table(Base.metadata)))
            self.fail_once_after_reading.discard(event.data["member_class"])
            raise RuntimeError("failed after a read-only transaction")
        if event.data["member_class"] in self.failing:
            raise RuntimeError(f"cannot handle class {event.data['member_class']} yet")
        with self.uow() as tx:
            tx.emit("probe_handled", {"member_id": event.data["member_id"],
                                      "source_event_id": event.event_id})


def probe_config(**overrides):
    return {"DB_REQUIRE_MIGRATED": False, "config_of": "membership", **overrides}
