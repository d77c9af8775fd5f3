"""Membership's RPC inputs; its outputs and events are its contract, ``shared.contracts.membership``."""
from decimal import Decimal

from marshmallow import fields, validate

from shared.auth import ROLES
from shared.schemas import Id, IsoDate, Money, Page, StrictSchema

SOURCE = "membership"
STATUSES = ("applicant", "admitted", "suspended", "excluded", "resigned")


def Shares(**kw):
    """A whole, positive number of shares."""
    return fields.Integer(strict=True, validate=validate.Range(1, 10_000), **kw)


def Text(max_length, **kw):
    return fields.String(validate=validate.Length(1, max_length), **kw)


# ---- RPC input ----

class Application(StrictSchema):
    first_name = Text(120, required=True)
    last_name = Text(120, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    member_class = Text(8, required=True)  # the classes in force are a dated parameter
    birth_date = IsoDate(load_default=None, allow_none=True)
    national_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))
    iban = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=42))
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    applied_on = IsoDate(load_default=None)  # when an existing register is brought in


class MemberRef(StrictSchema):
    member_id = Id(required=True)


class SharesSubscription(MemberRef):
    shares = Shares(required=True)
    effective_date = IsoDate(load_default=None)


class SharePayment(MemberRef):
    reference = fields.String(required=True, validate=validate.Length(1, 40))
    amount = Money(required=True, minimum=Decimal("0.01"))
    effective_date = IsoDate(load_default=None)


class Admission(MemberRef):
    admitted_on = IsoDate(load_default=None)


class StatusDecision(MemberRef):
    effective_date = IsoDate(load_default=None)
    reason = fields.String(load_default=None, validate=validate.Length(1, 1000))


class Resignation(StatusDecision):
    requested_on = IsoDate(required=True)


class ShareTransfer(StrictSchema):
    from_member_id = Id(required=True)
    to_member_id = Id(required=True)
    shares = Shares(required=True)
    effective_date = IsoDate(load_default=None)


class Redemption(MemberRef):
    shares = Shares(required=True)
    effective_date = IsoDate(load_default=None)


class MemberSearch(Page):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    member_class = Text(8, load_default=None)
    text = fields.String(load_default=None, validate=validate.Length(1, 100))


class RegisterQuery(StrictSchema):
    as_of = IsoDate(load_default=None)
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class CertificateQuery(MemberRef):
    as_of = IsoDate(load_default=None)


class NewPassword(MemberRef):
    password = fields.String(required=True, validate=validate.Length(10, 200))


class Credentials(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(1, 254))
    password = fields.String(required=True, validate=validate.Length(1, 200))


class RoleGrantRequest(MemberRef):
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
