"""The HTTP gateway: the JSON API front ends use, calling the services over RPC."""
from kombu import Connection
from nameko.dependency_providers import Config

from services.gateway import schemas as S
from services.gateway import tokens
from werkzeug.wrappers import Response

from services.gateway.api import api, read_json
from services.gateway.openapi import build_spec
from shared.errors import NotFound
from shared.rpc import TimedRpcProxy
from shared.service import ServiceBase

OFFICERS = ("staff", "board")
SERVICES = ("membership", "billing", "declarations", "resources", "governance")


class GatewayService(ServiceBase):
    name = "gateway"

    config = Config()
    membership = TimedRpcProxy("membership")
    billing = TimedRpcProxy("billing")
    declarations = TimedRpcProxy("declarations")
    resources = TimedRpcProxy("resources")
    governance = TimedRpcProxy("governance")

    # ---- helpers -------------------------------------------------------------------------
    def _own(self, member_id: str) -> str:
        """A member reaches only their own records: another member's id is simply not found."""
        if not self.caller.has_role(*OFFICERS) and member_id != self.caller.member_id:
            raise NotFound(f"no member {member_id}")
        return member_id

    def _owned(self, record: dict, what: str, key: str = "member_id") -> dict:
        if not self.caller.has_role(*OFFICERS) and record.get(key) != self.caller.member_id:
            raise NotFound(f"no {what} with that id")
        return record

    @staticmethod
    def _query(request) -> dict:
        return {k: v for k, v in request.args.items()}

    # ---- platform --------------------------------------------------------------------------
    @api("GET", "/health", public=True, response=S.Health, summary="Broker and services reachable")
    def health(self, request):
        services, broker = {}, False
        try:
            with Connection(self.config["AMQP_URI"], connect_timeout=2) as connection:
                channel = connection.channel()
                broker = True
                for name in SERVICES:
                    try:
                        services[name] = channel.queue_declare(f"rpc-{name}", passive=True).consumer_count > 0
                    except Exception:
                        channel = connection.channel()
                        services[name] = False
        except Exception:
            broker = False
        healthy = broker and all(services.values())
        return (200 if healthy else 503), {"status": "ok" if healthy else "degraded",
                                           "broker": broker, "services": services}

    @api("GET", "/api/v1/openapi.json", public=True, summary="This API's OpenAPI document")
    def openapi(self, request):
        return build_spec(type(self))

    @api("POST", "/api/v1/auth/token", public=True, body=S.Credentials, response=S.Token,
         summary="Exchange e-mail and password for a bearer token")
    def issue_token(self, request):
        identity = self.membership.authenticate(read_json(request))
        return tokens.issue(self.config["JWT_SECRET"], identity["member_id"], identity["roles"],
                            int(self.config.get("JWT_TTL_SECONDS", 3600)))

    # ---- members and shares ------------------------------------------------------------------
    @api("POST", "/api/v1/members", public=True, body=S.Application, response=S.Member, status=201,
         summary="Apply to become a member")
    def apply(self, request):
        return self.membership.apply(read_json(request))

    @api("GET", "/api/v1/members", response=S.MemberPage, summary="Find members (staff, board)")
    def find_members(self, request):
        return self.membership.find_members(self._query(request))

    @api("GET", "/api/v1/members/<member_id>", response=S.Member, summary="A member's record")
    def get_member(self, request, member_id):
        return self.membership.get_member(self._own(member_id))

    @api("GET", "/api/v1/members/<member_id>/standing", response=S.Standing,
         summary="Status, shares and good standing")
    def member_standing(self, request, member_id):
        return self.membership.member_standing(self._own(member_id))

    @api("POST", "/api/v1/members/<member_id>/shares", body=S.SharesRequest, response=S.Movement,
         status=201, summary="Subscribe shares")
    def subscribe_shares(self, request, member_id):
        return self.membership.subscribe_shares({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/share-payments", body=S.SharePaymentRequest,
         response=S.Movement, status=201, summary="Record a share payment (staff)")
    def record_share_payment(self, request, member_id):
        return self.membership.record_share_payment({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/admission", body=S.DecisionRequest, response=S.Member,
         summary="Admit an applicant (board, staff)")
    def admit(self, request, member_id):
        body = read_json(request)
        if "effective_date" in body:
            body["admitted_on"] = body.pop("effective_date")
        body.pop("reason", None)
        return self.membership.admit({**body, "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/suspension", body=S.DecisionRequest, response=S.Member,
         summary="Suspend a member (board, staff)")
    def suspend(self, request, member_id):
        return self.membership.suspend({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/reinstatement", body=S.DecisionRequest,
         response=S.Member, summary="Reinstate a suspended member (board, staff)")
    def reinstate(self, request, member_id):
        return self.membership.reinstate({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/exclusion", body=S.DecisionRequest, response=S.Member,
         summary="Exclude a member (board, staff)")
    def exclude(self, request, member_id):
        return self.membership.exclude({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/resignation", body=S.ResignationRequest,
         response=S.Member, summary="Resign (the member, or staff on a signed request)")
    def resign(self, request, member_id):
        return self.membership.resign({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/transfers", body=S.TransferRequest, status=201,
         response=S.AnyObject, summary="Transfer paid shares to another member (staff)")
    def transfer_shares(self, request, member_id):
        return self.membership.transfer_shares({**read_json(request), "from_member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/redemptions", body=S.SharesRequest, response=S.Movement,
         status=201, summary="Ask for shares to be redeemed")
    def request_redemption(self, request, member_id):
        return self.membership.request_redemption({**read_json(request), "member_id": self._own(member_id)})

    @api("PUT", "/api/v1/members/<member_id>/password", body=S.PasswordRequest, response=S.AnyObject,
         summary="Set one's password")
    def set_password(self, request, member_id):
        return self.membership.set_password({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/roles", body=S.RoleRequest, response=S.AnyObject,
         status=201, summary="Grant a role (admin)")
    def grant_role(self, request, member_id):
        return self.membership.grant_role({**read_json(request), "member_id": self._own(member_id)})

    @api("DELETE", "/api/v1/members/<member_id>/personal-data", response=S.Member,
         summary="Erase a former member's personal data")
    def erase_member(self, request, member_id):
        return self.membership.erase_member(self._own(member_id))

    @api("GET", "/api/v1/share-register", response=S.AnyObject,
         summary="The share register as of a date (?as_of=, ?format=csv)")
    def share_register(self, request):
        query = self._query(request)
        register = self.membership.share_register(query)
        if query.get("format") == "csv":
            return Response(register, status=200, content_type="text/csv")
        return register
