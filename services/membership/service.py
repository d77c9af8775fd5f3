"""The membership service: members, cooperative shares, the share register, credentials.

Writes take one dict (or keyword arguments); a caller with an auth context reaches only their
own record unless staff, board or admin.
"""
import datetime as dt

from eventlet import tpool

from services.membership import domain, schemas
from services.membership.domain import coverage
from services.membership.models import Base
from shared import clock
from shared.contracts import membership as contract
from shared.db import UnitOfWork
from shared.metrics import counter
from shared.parameters import ParameterCache, ParameterEntrypoints
from shared.schemas import load
from shared.service import ServiceBase, rpc

OFFICERS = ("staff", "board")
MEMBER_REF = schemas.MemberRef()
MEMBER_OUT = contract.MemberOut()
SHARES_MOVED = counter("coop_shares_moved_total", "Shares in share register movements", ["kind"])
MEMBER_DECISIONS = counter("coop_member_decisions_total",
                           "Applications, admissions, status changes and erasures", ["event_type"])


def payload(request, fields: dict):
    if request is None:
        return fields
    return {**request, **fields} if isinstance(request, dict) and fields else request


def status_event(member, effective_date) -> dict:
    return {"member_id": member.id, "effective_date": effective_date}


class MembershipService(ParameterEntrypoints, ServiceBase):
    name = "membership"

    uow = UnitOfWork(Base.metadata)
    parameters = ParameterCache()

    def today(self) -> dt.date:
        return clock.today()

    @rpc
    def apply(self, application=None, **fields):
        data = load(schemas.Application(), payload(application, fields))
        with self.uow() as tx:
            member = domain.apply(tx.session, data, self.today())
            tx.emit("member_applied", {"member_id": member.id, "number": member.number,
                                       "member_class": member.member_class,
                                       "applied_on": member.applied_on}, aggregate_id=member.id)
            result = contract.MemberOut().dump(member)
        MEMBER_DECISIONS.labels("member_applied").inc()
        return result

    @rpc
    def get_member(self, member_id):
        ref = load(MEMBER_REF, {"member_id": member_id})
        self.caller.require_self_or_role(ref["member_id"], *OFFICERS)
        with self.uow.read() as connection:
            return MEMBER_OUT.dump(domain.member_view(connection, ref["member_id"]))

    @rpc
    def find_members(self, request=None, **fields):
        query = load(schemas.MemberSearch(), payload(request, fields))
        self.caller.require_role(*OFFICERS)
        with self.uow() as tx:
            items, total = domain.find_members(tx.session, **query)
            return contract.MemberPage().dump({"items": items, "total": total})

    @rpc
    def member_standing(self, member_id):
        ref = load(schemas.MemberRef(), {"member_id": member_id})
        self.caller.require_self_or_role(ref["member_id"], *OFFICERS)
        with self.uow() as tx:
            standing = domain.member_standing(tx.session, ref["member_id"], self.today())
            return contract.StandingOut().dump(standing)

    @rpc
    def subscribe_shares(self, request=None, **fields):
        data = load(schemas.SharesSubscription(), payload(request, fields))
        self.caller.require_self_or_role(data["member_id"], *OFFICERS)
        with self.uow() as tx:
            movement = domain.subscribe_shares(
                tx.session, data["member_id"], data["shares"],
                data["effective_date"] or self.today(), self.today(), self.caller.member_id)
            tx.emit("shares_subscribed", movement, aggregate_id=movement.member_id)
            result = contract.MovementOut().dump(movement)
        SHARES_MOVED.labels(movement.kind).inc(movement.shares)
        return result

    @rpc
    def record_share_payment(self, request=None, **fields):
        data = load(schemas.SharePayment(), payload(request, fields))
        self.caller.require_role(*OFFICERS)
        with self.uow() as tx:
            movement = domain.record_share_payment(
                tx.session, data["member_id"], data["reference"], data["amount"],
                data["effective_date"] or self.today(), self.today(), self.caller.member_id)
            tx.emit("shares_paid", coverage.movement_event(tx.session, movement, self.today()),
                    aggregate_id=movement.member_id)
            result = contract.MovementOut().dump(movement)
        SHARES_MOVED.labels(movement.kind).inc(movement.shares)
        return result

    @rpc
    def admit(self, request=None, **fields):
        data = load(schemas.Admission(), payload(request, fields))
        self.caller.require_role(*OFFICERS)
        with self.uow() as tx:
            member, paid = domain.admit(tx.session, data["member_id"],
                                        data["admitted_on"] or self.today(), self.today(),
                                        self.caller.member_id)
            tx.emit("member_admitted", {"member_id": member.id, "number": member.number,
                                        "member_class": member.member_class,
                                        "admitted_on": member.admitted_on, "paid_shares": paid,
                                        "covered_until": coverage.covered_on(
                                            tx.session, member.id, member.admitted_on, self.today())},
                    aggregate_id=member.id)
            result = contract.MemberOut().dump(member)
        MEMBER_DECISIONS.labels("member_admitted").inc()
        return result

    def _decide(self, decision, event_type, request, fields, schema=schemas.StatusDecision,
                by_the_member_too=False):
        data = load(schema(), payload(request, fields))
        if by_the_member_too:
            self.caller.require_self_or_role(data["member_id"], *OFFICERS)
        else:
            self.caller.require_role(*OFFICERS)
        effective_date = data.pop("effective_date") or self.today()
        with self.uow() as tx:
            member = decision(tx.session, effective_date=effective_date, today=self.today(),
                              by=self.caller.member_id, **data)
            tx.emit(event_type, {**status_event(member, effective_date),
                                 **coverage.holdings(tx.session, member.id, self.today())},
                    aggregate_id=member.id)
            result = contract.MemberOut().dump(member)
        MEMBER_DECISIONS.labels(event_type).inc()
        return result

    @rpc
    def suspend(self, request=None, **fields):
        return self._decide(domain.suspend, "member_suspended", request, fields)

    @rpc
    def reinstate(self, request=None, **fields):
        return self._decide(domain.reinstate, "member_reinstated", request, fields)

    @rpc
    def exclude(self, request=None, **fields):
        return self._decide(domain.exclude, "member_excluded", request, fields)

    @rpc
    def resign(self, request=None, **fields):
        return self._decide(domain.resign, "member_resigned", request, fields,
                            schema=schemas.Resignation, by_the_member_too=True)

    @rpc
    def transfer_shares(self, request=None, **fields):
        data = load(schemas.ShareTransfer(), payload(request, fields))
        self.caller.require_role(*OFFICERS)
        with self.uow() as tx:
            transfer = domain.transfer_shares(
                tx.session, data["from_member_id"], data["to_member_id"], data["shares"],
                data["effective_date"] or self.today(), self.today(), self.caller.member_id)
            tx.emit("shares_transferred", coverage.transfer_event(tx.session, transfer, self.today()),
                    aggregate_id=transfer.from_member_id)
            result = contract.TransferOut().dump(transfer)
        SHARES_MOVED.labels("transfer").inc(transfer.shares)
        return result

    @rpc
    def request_redemption(self, request=None, **fields):
        data = load(schemas.Redemption(), payload(request, fields))
        self.caller.require_self_or_role(data["member_id"], *OFFICERS)
        with self.uow() as tx:
            movement = domain.request_redemption(
                tx.session, data["member_id"], data["shares"],
                data["effective_date"] or self.today(), self.today(), self.caller.member_id)
            tx.emit("shares_redeemed", coverage.movement_event(tx.session, movement, self.today()),
                    aggregate_id=movement.member_id)
            result = contract.MovementOut().dump(movement)
        SHARES_MOVED.labels(movement.kind).inc(movement.shares)
        return result

    @rpc
    def share_register(self, request=None, **fields):
        query = load(schemas.RegisterQuery(), payload(request, fields))
        self.caller.require_role(*OFFICERS)
        with self.uow() as tx:
            register = domain.share_register(tx.session, query["as_of"] or self.today())
            if query["format"] == "csv":
                return domain.register_csv(register)
            return contract.RegisterOut().dump(register)

    @rpc
    def share_certificate(self, request=None, **fields):
        query = load(schemas.CertificateQuery(), payload(request, fields))
        self.caller.require_self_or_role(query["member_id"], *OFFICERS)
        with self.uow() as tx:
            certificate = domain.share_certificate(tx.session, query["member_id"],
                                                   query["as_of"] or self.today())
            return contract.CertificateOut().dump(certificate)

    @rpc
    def erase_member(self, member_id):
        ref = load(schemas.MemberRef(), {"member_id": member_id})
        self.caller.require_self_or_role(ref["member_id"], *OFFICERS)
        with self.uow() as tx:
            member = domain.erase_member(tx.session, ref["member_id"], self.today())
            tx.emit("member_erased", {"member_id": member.id}, aggregate_id=member.id)
            result = contract.MemberOut().dump(member)
        MEMBER_DECISIONS.labels("member_erased").inc()
        return result

    @rpc
    def set_password(self, request=None, **fields):
        data = load(schemas.NewPassword(), payload(request, fields))
        self.caller.require_self_or_role(data["member_id"], "admin")
        password_hash = tpool.execute(domain.hash_password, data["password"])  # off the hub
        with self.uow() as tx:
            domain.set_password(tx.session, data["member_id"], password_hash)
        return contract.PasswordSetOut().dump(data)

    @rpc
    def authenticate(self, request=None, **fields):
        data = load(schemas.Credentials(), payload(request, fields))
        with self.uow() as tx:
            record = domain.login_record(tx.session, data["email"])
        # verification is slow by design: in a thread, after the transaction is closed
        return tpool.execute(domain.check_login, record, data["password"])

    @rpc
    def grant_role(self, request=None, **fields):
        data = load(schemas.RoleGrantRequest(), payload(request, fields))
        self.caller.require_role("admin")
        with self.uow() as tx:
            grant = domain.grant_role(tx.session, data["member_id"], data["role"],
                                      self.caller.member_id)
            tx.emit("role_granted", {"member_id": grant.member_id, "role": grant.role},
                    aggregate_id=grant.member_id)
            return contract.RoleGrantOut().dump(grant)
