"""Who is calling: the ``auth`` context data the gateway sets on every RPC call.

A call without ``auth`` comes from inside the platform (another service, the operator's
``coop`` command, a timer) and acts as the system; the broker's per-service credentials are
what keep outsiders from making such calls.
"""
from dataclasses import dataclass, field
from typing import Any

from nameko.extensions import DependencyProvider

from shared.errors import Forbidden

ROLES = ("member", "staff", "board", "admin")


@dataclass(frozen=True)
class Caller:
    member_id: str | None = None
    roles: frozenset = field(default_factory=frozenset)
    system: bool = False

    @classmethod
    def from_context(cls, auth: dict | None) -> "Caller":
        if not auth:
            return cls(system=True)
        return cls(member_id=auth.get("member_id"), roles=frozenset(auth.get("roles") or ()))

    def has_role(self, *roles: str) -> bool:
        return self.system or "admin" in self.roles or bool(self.roles & set(roles))

    def require_role(self, *roles: str) -> None:
        if not self.has_role(*roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")

    def require_self_or_role(self, member_id: str, *roles: str) -> None:
        if self.member_id is not None and self.member_id == member_id:
            return
        self.require_role(*roles)


class CallerProvider(DependencyProvider):
    def get_dependency(self, worker_ctx: Any) -> Caller:
        return Caller.from_context(worker_ctx.data.get("auth"))
