"""The resources service: shared workspaces, machines and equipment, booked without conflicts
and charged to the members' activities."""
import datetime as dt

from nameko.dependency_providers import Config

from services.resources import domain, schemas
from services.resources.models import Base, MemberStanding
from shared import standing_handlers
from shared.clock import utcnow
from shared.contracts import resources as contract
from shared.db import UnitOfWork
from shared.events import handle_event
from shared.metrics import counter
from shared.schemas import load
from shared.service import ServiceBase, rpc
from shared.timers import configured_timer

BOOKINGS = counter("coop_bookings_total", "Bookings placed", ["status"])
USAGE_RECORDED = counter("coop_resource_usage_recorded_total", "Usages recorded for billing", ["reason"])


class ResourcesService(standing_handlers.MemberStandingHandlers, ServiceBase):
    name = "resources"
    member_standing_model = MemberStanding

    uow = UnitOfWork(Base.metadata)
    config = Config()

    # ---- catalogue ----

    @rpc
    def add_resource(self, resource):
        data = load(schemas.ResourceIn(), resource)
        self.caller.require_role("staff")
        with self.uow() as tx:
            added = domain.add_resource(tx.session, data, utcnow())
            tx.emit("resource_added", {"resource_id": added.id, "kind": added.kind,
                                       "units": added.units}, aggregate_id=added.id)
            return contract.ResourceOut().dump(added)

    @rpc
    def update_resource(self, resource_id, changes):
        ref = load(schemas.RetireIn(only=("resource_id",)), {"resource_id": resource_id})
        data = load(schemas.ResourceChanges(), changes, partial=True)
        self.caller.require_role("staff")
        with self.uow() as tx:
            updated = domain.update_resource(tx.session, ref["resource_id"], data, utcnow())
            return contract.ResourceOut().dump(updated)

    @rpc
    def retire_resource(self, resource_id, reason):
        data = load(schemas.RetireIn(), {"resource_id": resource_id, "reason": reason})
        self.caller.require_role("staff")
        with self.uow() as tx:
            resource, cancelled = domain.retire_resource(tx.session, data["resource_id"],
                                                         data["reason"], utcnow())
            for booking in cancelled:
                tx.emit("booking_cancelled", schemas.cancelled_event(booking), aggregate_id=booking.id)
            return contract.ResourceOut().dump(resource)

    @rpc
    def list_resources(self, filters=None):
        data = load(schemas.ResourceFilter(), filters or {})
        with self.uow() as tx:
            return contract.ResourceOut(many=True).dump(domain.list_resources(tx.session, **data))

    @rpc
    def get_resource(self, resource_id):
        ref = load(schemas.RetireIn(only=("resource_id",)), {"resource_id": resource_id})
        with self.uow() as tx:
            return contract.ResourceOut().dump(domain.get_resource(tx.session, ref["resource_id"]))

    @rpc
    def add_blackout(self, blackout):
        data = load(schemas.BlackoutIn(), blackout)
        self.caller.require_role("staff")
        with self.uow() as tx:
            return contract.BlackoutOut().dump(domain.add_blackout(tx.session, data, utcnow()))

    @rpc
    def certify_member(self, member_id, training):
        data = load(schemas.CertifyIn(), {"member_id": member_id, "training": training})
        self.caller.require_role("staff")
        with self.uow() as tx:
            certification = domain.certify_member(tx.session, data["member_id"], data["training"],
                                                  self.caller.member_id, utcnow())
            return contract.CertificationOut().dump(certification)

    # ---- bookings ----

    @rpc
    def book(self, request):
        data = load(schemas.BookIn(), request)
        self.caller.require_self_or_role(data["member_id"], "staff")
        with self.uow() as tx:
            booking = domain.book(tx.session, data, utcnow())
            self._emit_placed(tx, booking)
            placed = contract.BookingOut().dump(booking)
        BOOKINGS.labels(placed["status"]).inc()   # counted once committed
        return placed

    @rpc
    def book_recurring(self, request):
        data = load(schemas.RecurringIn(), request)
        self.caller.require_self_or_role(data["member_id"], "staff")
        with self.uow() as tx:
            bookings = domain.book_recurring(tx.session, data, utcnow())
            for booking in bookings:
                self._emit_placed(tx, booking)
            placed = contract.BookingOut(many=True).dump(bookings)
        for booking in placed:
            BOOKINGS.labels(booking["status"]).inc()
        return placed

    @rpc
    def approve_booking(self, booking_id):
        ref = load(schemas.BookingRef(), {"booking_id": booking_id})
        self.caller.require_role("staff")
        with self.uow() as tx:
            booking = domain.get_booking(tx.session, ref["booking_id"], lock=True)
            if domain.approve(tx.session, booking, self.caller.member_id, utcnow()):
                tx.emit("booking_confirmed", schemas.slot_event(booking), aggregate_id=booking.id)
            return contract.BookingOut().dump(booking)

    @rpc
    def reject_booking(self, booking_id, reason=None):
        data = load(schemas.RejectIn(), {"booking_id": booking_id, "reason": reason})
        self.caller.require_role("staff")
        with self.uow() as tx:
            booking = domain.get_booking(tx.session, data["booking_id"], lock=True)
            if domain.reject(tx.session, booking, self.caller.member_id, data["reason"], utcnow()):
                tx.emit("booking_released", schemas.released_event(booking), aggregate_id=booking.id)
            return contract.BookingOut().dump(booking)

    @rpc
    def cancel_booking(self, booking_id):
        with self.uow() as tx:
            booking = self._own_booking(tx, booking_id)
            changed, usage = domain.cancel(tx.session, booking, utcnow())
            if changed:
                tx.emit("booking_cancelled", schemas.cancelled_event(booking), aggregate_id=booking.id)
            if usage is not None:
                self._emit_usage(tx, usage)
            return contract.BookingOut().dump(booking)

    @rpc
    def check_in(self, booking_id):
        early = dt.timedelta(minutes=float(self.config.get("CHECK_IN_EARLY_MINUTES", 15)))
        with self.uow() as tx:
            booking = self._own_booking(tx, booking_id)
            domain.check_in(tx.session, booking, utcnow(), early)
            return contract.BookingOut().dump(booking)

    @rpc
    def check_out(self, booking_id):
        with self.uow() as tx:
            booking = self._own_booking(tx, booking_id)
            usage, recorded = domain.check_out(tx.session, booking, utcnow())
            if recorded:
                self._emit_usage(tx, usage)
            return contract.CheckOutOut().dump({"booking": booking, "usage": usage})

    @rpc
    def get_booking(self, booking_id):
        with self.uow() as tx:
            return contract.BookingOut().dump(self._own_booking(tx, booking_id, lock=False))

    @configured_timer("SWEEP_INTERVAL", default=30)
    def sweep(self):
        """Release no-shows and unapproved requests; record usage of bookings that ended."""
        with self.uow() as tx:
            result = domain.sweep(tx.session, utcnow())
            for booking in result.released:
                tx.emit("booking_released", schemas.released_event(booking), aggregate_id=booking.id)
            for usage in result.usages:
                self._emit_usage(tx, usage)

    # ---- reads ----

    @rpc
    def availability(self, resource_id, from_, to):
        data = load(schemas.Query(), {"resource_id": resource_id, "from": from_, "to": to})
        with self.uow() as tx:
            free = domain.availability(tx.session, data["resource_id"], data["start"], data["end"])
            return contract.AvailabilityOut().dump(free)

    @rpc
    def member_bookings(self, member_id, from_=None, to=None, limit=100, offset=0):
        data = load(schemas.MemberBookingsQuery(), {"member_id": member_id, "from": from_, "to": to,
                                                    "limit": limit, "offset": offset})
        self.caller.require_self_or_role(data["member_id"], "staff")
        with self.uow() as tx:
            bookings = domain.member_bookings(tx.session, data["member_id"], data["start"],
                                              data["end"], data["limit"], data["offset"])
            return contract.BookingOut(many=True).dump(bookings)

    @rpc
    def utilisation_report(self, resource_id, from_, to):
        data = load(schemas.UtilisationQuery(), {"resource_id": resource_id, "from": from_, "to": to})
        self.caller.require_role("staff", "board")
        with self.uow() as tx:
            rows = domain.utilisation_report(tx.session, data["resource_id"], data["start"], data["end"])
            return contract.UtilisationOut(many=True).dump(rows)

    @rpc
    def member_standing(self, member_id):
        """What this service's projections know of a member (status, open activities)."""
        ref = load(schemas.MemberRef(), {"member_id": member_id})
        self.caller.require_self_or_role(ref["member_id"], "staff")
        with self.uow() as tx:
            return contract.StandingOut().dump(domain.member_standing(tx.session, ref["member_id"]))

    # ---- projections of other services' events ----

    @handle_event("billing", "activity_opened")
    def on_activity_opened(self, event):
        self._activity_event(event, is_open=True)

    @handle_event("billing", "activity_closed")
    def on_activity_closed(self, event):
        self._activity_event(event, is_open=False)

    # ---- helpers ----

    def _own_booking(self, tx, booking_id, lock=True):
        ref = load(schemas.BookingRef(), {"booking_id": booking_id})
        booking = domain.get_booking(tx.session, ref["booking_id"], lock=lock)
        self.caller.require_self_or_role(booking.member_id, "staff")
        return booking

    def _emit_placed(self, tx, booking):
        event_type = "booking_requested" if booking.status == "pending" else "booking_confirmed"
        tx.emit(event_type, schemas.slot_event(booking), aggregate_id=booking.id)

    def _emit_usage(self, tx, usage):
        USAGE_RECORDED.labels(usage.reason).inc()
        tx.emit("usage_recorded", schemas.usage_event(usage), aggregate_id=usage.booking_id)

    def _activity_event(self, event, is_open):
        data = event.data
        with self.uow() as tx:
            domain.apply_activity_event(tx.session, data["activity_id"], data["member_id"],
                                        is_open, event.occurred_at)
