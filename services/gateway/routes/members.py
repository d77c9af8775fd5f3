"""Members and their cooperative shares."""
from werkzeug.wrappers import Response

from services.gateway import schemas as S
from services.gateway.api import api, read_json
from services.gateway.routes import Routes, b64_download
from shared.contracts import membership


class MemberRoutes(Routes):

    @api("POST", "/api/v1/members", public=True, body=S.Application,
         response=membership.MemberOut, status=201,
         summary="Apply to become a member")
    def apply(self, request):
        return self.membership.apply(read_json(request))

    @api("GET", "/api/v1/members", response=membership.MemberPage, summary="Find members (staff, board)")
    def find_members(self, request):
        return self.membership.find_members(self._query(request))

    @api("GET", "/api/v1/members/<member_id>", response=membership.MemberOut, summary="A member's record")
    def get_member(self, request, member_id):
        return self.membership.get_member(self._own(member_id))

    @api("GET", "/api/v1/members/<member_id>/standing", response=membership.StandingOut,
         summary="Status, shares and good standing")
    def member_standing(self, request, member_id):
        return self.membership.member_standing(self._own(member_id))

    @api("POST", "/api/v1/members/<member_id>/shares", body=S.SharesRequest, response=membership.MovementOut,
         status=201, summary="Subscribe shares")
    def subscribe_shares(self, request, member_id):
        return self.membership.subscribe_shares({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/share-payments", body=S.SharePaymentRequest,
         response=membership.MovementOut, status=201, summary="Record a share payment (staff)")
    def record_share_payment(self, request, member_id):
        return self.membership.record_share_payment({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/admission", body=S.DecisionRequest,
         response=membership.MemberOut,
         summary="Admit an applicant (board, staff)")
    def admit(self, request, member_id):
        body = read_json(request)
        if "effective_date" in body:
            body["admitted_on"] = body.pop("effective_date")
        body.pop("reason", None)
        return self.membership.admit({**body, "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/suspension", body=S.DecisionRequest,
         response=membership.MemberOut,
         summary="Suspend a member (board, staff)")
    def suspend(self, request, member_id):
        return self.membership.suspend({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/reinstatement", body=S.DecisionRequest,
         response=membership.MemberOut, summary="Reinstate a suspended member (board, staff)")
    def reinstate(self, request, member_id):
        return self.membership.reinstate({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/exclusion", body=S.DecisionRequest,
         response=membership.MemberOut,
         summary="Exclude a member (board, staff)")
    def exclude(self, request, member_id):
        return self.membership.exclude({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/resignation", body=S.ResignationRequest,
         response=membership.MemberOut, summary="Resign (the member, or staff on a signed request)")
    def resign(self, request, member_id):
        return self.membership.resign({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/transfers", body=S.TransferRequest, status=201,
         response=membership.TransferOut, summary="Transfer paid shares to another member (staff)")
    def transfer_shares(self, request, member_id):
        return self.membership.transfer_shares({**read_json(request), "from_member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/redemptions", body=S.SharesRequest,
         response=membership.MovementOut,
         status=201, summary="Ask for shares to be redeemed")
    def request_redemption(self, request, member_id):
        return self.membership.request_redemption({**read_json(request), "member_id": self._own(member_id)})

    @api("PUT", "/api/v1/members/<member_id>/password", body=S.PasswordRequest,
         response=membership.PasswordSetOut,
         summary="Set one's password")
    def set_password(self, request, member_id):
        return self.membership.set_password({**read_json(request), "member_id": self._own(member_id)})

    @api("POST", "/api/v1/members/<member_id>/roles", body=S.RoleRequest, response=membership.RoleGrantOut,
         status=201, summary="Grant a role (admin)")
    def grant_role(self, request, member_id):
        return self.membership.grant_role({**read_json(request), "member_id": self._own(member_id)})

    @api("DELETE", "/api/v1/members/<member_id>/personal-data", response=membership.MemberOut,
         summary="Erase a former member's personal data")
    def erase_member(self, request, member_id):
        return self.membership.erase_member(self._own(member_id))

    @api("GET", "/api/v1/members/<member_id>/share-certificate.pdf", query=S.AsOfQuery,
         content_type="application/pdf", summary="A certificate of the shares registered in one's name")
    def share_certificate(self, request, member_id):
        query = {**self._query(request), "member_id": self._own(member_id)}
        certificate = self.membership.share_certificate(query)
        return b64_download(certificate["pdf"], "application/pdf", certificate["filename"])

    @api("GET", "/api/v1/share-register", response=membership.RegisterOut,
         summary="The share register as of a date (?as_of=, ?format=csv)")
    def share_register(self, request):
        query = self._query(request)
        register = self.membership.share_register(query)
        if query.get("format") == "csv":
            return Response(register, status=200, content_type="text/csv")
        return register
