"""The membership service: members, cooperative shares, the share register, credentials."""
import datetime as dt

from services.membership import domain, schemas
from services.membership.models import Base
from shared.db import UnitOfWork
from shared.schemas import load
from shared.service import ServiceBase, rpc


class MembershipService(ServiceBase):
    name = "membership"

    uow = UnitOfWork(Base.metadata)

    @rpc
    def apply(self, application):
        data = load(schemas.Application(), application)
        with self.uow() as tx:
            member = domain.apply(tx.session, data, dt.date.today())
            tx.emit("member_applied", {"member_id": member.id, "number": member.number,
                                       "member_class": member.member_class,
                                       "applied_on": member.applied_on}, aggregate_id=member.id)
            return schemas.MemberOut().dump(member)

    @rpc
    def get_member(self, member_id):
        ref = load(schemas.MemberRef(), {"member_id": member_id})
        self.caller.require_self_or_role(ref["member_id"], "staff", "board")
        with self.uow() as tx:
            return schemas.MemberOut().dump(domain.get_member(tx.session, ref["member_id"]))
