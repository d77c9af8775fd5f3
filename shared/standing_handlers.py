"""The one set of handlers that keeps a service's member-standing projection (``shared.standing``).

A service declares it by deriving from ``MemberStandingHandlers`` and naming its model::

    from shared import standing_handlers

    class BillingService(standing_handlers.MemberStandingHandlers, ServiceBase):
        member_standing_model = MemberStanding

(through the module: ``nameko run`` takes every class of the service module that has
entrypoints for a service, so the mixin must not be a name of that module).

It then handles every membership event of ``STANDING_EVENTS`` as ``on_<event_type>``, the names
``shared.topology.subscribe_member_standing`` lists (so the queues are the ones declared ahead).
A service that keeps more than the current row (governance's dated roll history) overrides
``keep_member_standing``.
"""
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from shared.events import Event, handle_event
from shared.standing import STANDING_EVENTS, StandingFact, facts_of, project


class MemberStandingHandlers:
    """Mixin for a service class that has a ``uow`` (``shared.db.UnitOfWork``)."""

    member_standing_model: type | None = None
    uow: Any  # the service's shared.db.UnitOfWork

    def keep_member_standing(self, session: Session, event: Event, facts: list[StandingFact]) -> None:
        """Write the facts of one event (in the handler's unit of work)."""
        if self.member_standing_model is None:
            raise TypeError(f"{type(self).__name__} names no member_standing_model")
        for fact in facts:
            project(session, self.member_standing_model, fact)

    def _member_standing_event(self, event: Event) -> None:
        facts = facts_of(event.event_type, event.data, event.occurred_at)
        with self.uow() as tx:
            self.keep_member_standing(tx.session, event, facts)


def _handler(event_type: str) -> Callable[[MemberStandingHandlers, Event], None]:
    def handle(self: MemberStandingHandlers, event: Event) -> None:
        self._member_standing_event(event)

    handle.__name__ = handle.__qualname__ = f"on_{event_type}"
    handle.__doc__ = f"Membership's {event_type}: the member-standing projection."
    return handle_event("membership", event_type)(handle)


for _event_type in STANDING_EVENTS:
    setattr(MemberStandingHandlers, f"on_{_event_type}", _handler(_event_type))
