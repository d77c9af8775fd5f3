"""Clients of the cooperative: companies and persons, VAT numbers validated."""
import uuid

from sqlalchemy import exists, select
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from services.billing.domain import fetch
from services.billing.models import Activity, Client, Invoice
from shared.clock import utcnow
from shared.errors import NotFound, ValidationError


def _check(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    country = data["country"].upper()
    data["country"] = country
    if data.get("vat_number"):
        number = data["vat_number"]
        if not number[:2].isalpha():
            number = country + number
        try:
            data["vat_number"] = eu_vat.validate(number)
        except StdnumError as exc:
            errors["vat_number"] = [f"not a valid EU VAT number: {exc}"]
    elif data["kind"] == "company" and country == "BE":
        errors["vat_number"] = ["a Belgian company needs its VAT number"]
    if country == "BE" and (data.get("vat_number") or "").startswith("BE") and "vat_number" not in errors:
        data["enterprise_number"] = data.get("enterprise_number") or data["vat_number"][2:]
    if data.get("enterprise_number"):
        try:
            data["enterprise_number"] = be_vat.compact(be_vat.validate(data["enterprise_number"]))
        except StdnumError as exc:
            errors["enterprise_number"] = [f"not a valid Belgian enterprise number: {exc}"]
    if data.get("enterprise_number") and not data.get("endpoint_id") and "enterprise_number" not in errors:
        data["endpoint_scheme"], data["endpoint_id"] = "0208", data["enterprise_number"]
    if errors:
        raise ValidationError("invalid client", errors)
    return data


def register(session, data: dict, registered_by: str | None) -> Client:
    data = _check(dict(data))
    client = Client(id=str(uuid.uuid4()), registered_by=registered_by, created_at=utcnow(), **data)
    session.add(client)
    return client


def known_to(session, client: Client, member_id: str | None) -> bool:
    """A member sees a client they registered or have invoiced; a client's details (a private
    person's address among them) are nobody else's business."""
    if member_id is None:
        return False
    if client.registered_by == member_id:
        return True
    # through the member's activities: invoices are indexed by activity, not by client
    return session.execute(select(exists().where(
        Invoice.activity_id.in_(select(Activity.id).where(Activity.member_id == member_id)),
        Invoice.client_id == client.id))).scalar()


def get(session, client_id: str) -> Client:
    client = fetch(session, Client, client_id)
    if client is None:
        raise NotFound(f"no client {client_id}", {"client_id": ["unknown client"]})
    return client
