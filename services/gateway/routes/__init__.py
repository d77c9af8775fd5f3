"""The API's routes, one mixin per area; ``GatewayService`` inherits them all.

Object-level authorization happens here, before anything is asked of a service: the owner of
a record comes from the member id in the path or from the record itself, and another member's
id answers 404 exactly as an unknown one does. Role checks answer 403.
"""
import base64

from werkzeug.wrappers import Response

from shared.errors import Forbidden, NotFound

OFFICERS = ("staff", "board")


class Routes:
    """Helpers every route mixin shares (the RPC proxies live on the service class)."""

    def _require(self, *roles: str) -> None:
        if not self.caller.has_role(*roles):
            raise Forbidden(f"this needs one of the roles: {', '.join(roles)}")

    def _own(self, member_id: str, roles=OFFICERS) -> str:
        """A member reaches only their own records: another member's id is simply not found."""
        if member_id != self.caller.member_id and not self.caller.has_role(*roles):
            raise NotFound(f"no member {member_id}")
        return member_id

    def _owned(self, record: dict, what: str, key: str = "member_id", roles=OFFICERS) -> dict:
        if record.get(key) != self.caller.member_id and not self.caller.has_role(*roles):
            raise NotFound(f"no {what} with that id")
        return record

    @staticmethod
    def _fetch(fetch, record_id: str, what: str) -> dict:
        """Fetch a record; a service's refusal reads as not found, as an unknown id does."""
        try:
            return fetch(record_id)
        except Forbidden:
            raise NotFound(f"no {what} with that id") from None

    def _fetch_owned(self, fetch, record_id: str, what: str, roles=OFFICERS) -> dict:
        """Fetch a record and check its owner."""
        return self._owned(self._fetch(fetch, record_id, what), what, roles=roles)

    def _activity(self, activity_id: str) -> dict:
        """An activity of the caller's (billing's records; bookings charge them too)."""
        return self._fetch_owned(self.billing.get_activity, activity_id, "activity", ("staff",))

    @staticmethod
    def _query(request) -> dict:
        return {k: v for k, v in request.args.items()}


def download(content: bytes | str, content_type: str, filename: str) -> Response:
    return Response(content, status=200, content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def b64_download(encoded: str, content_type: str, filename: str) -> Response:
    return download(base64.b64decode(encoded), content_type, filename)
