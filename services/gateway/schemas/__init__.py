"""The HTTP API's public contract, as the OpenAPI document shows it to front ends.

The services validate every input themselves (and answer 422 with per-field messages); these
schemas describe the API, they do not duplicate the services' rules.
"""
import marshmallow as ma
from marshmallow import fields

from shared.schemas import Id, IsoDate, Money


class Error(ma.Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()))


class Credentials(ma.Schema):
    email = fields.Email(required=True)
    password = fields.String(required=True)


class Token(ma.Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class Application(ma.Schema):
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.Email(required=True)
    member_class = fields.String(required=True, validate=ma.validate.Length(1, 8),
                                 metadata={"description": "one of the classes the statutes define (A, B)"})
    birth_date = IsoDate()
    national_number = fields.String()
    iban = fields.String()
    address = fields.String()
    phone = fields.String()


class Member(ma.Schema):
    id = Id(required=True)
    number = fields.Integer(required=True)
    member_class = fields.String(required=True)
    status = fields.String(required=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    birth_date = IsoDate(allow_none=True)
    national_number = fields.String(allow_none=True)
    iban = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    applied_on = IsoDate()
    admitted_on = IsoDate(allow_none=True)
    left_on = IsoDate(allow_none=True)
    pseudonym = fields.String(allow_none=True)
    erased = fields.Boolean()
    roles = fields.List(fields.String())


class MemberPage(ma.Schema):
    items = fields.List(fields.Nested(Member), required=True)
    total = fields.Integer(required=True)


class Standing(ma.Schema):
    member_id = Id(required=True)
    number = fields.Integer()
    status = fields.String(required=True)
    subscribed_shares = fields.Integer()
    paid_shares = fields.Integer(required=True)
    unpaid_shares = fields.Integer()
    covered_until = IsoDate(allow_none=True)
    good_standing = fields.Boolean(required=True)
    as_of = IsoDate()


class SharesRequest(ma.Schema):
    shares = fields.Integer(required=True)
    effective_date = IsoDate()


class SharePaymentRequest(ma.Schema):
    reference = fields.String(required=True)
    amount = Money(required=True)
    effective_date = IsoDate()


class DecisionRequest(ma.Schema):
    effective_date = IsoDate()
    reason = fields.String()


class ResignationRequest(DecisionRequest):
    requested_on = IsoDate(required=True)


class TransferRequest(ma.Schema):
    to_member_id = Id(required=True)
    shares = fields.Integer(required=True)
    effective_date = IsoDate()


class AsOfQuery(ma.Schema):
    as_of = IsoDate()


class PasswordRequest(ma.Schema):
    password = fields.String(required=True)


class RoleRequest(ma.Schema):
    role = fields.String(required=True, validate=ma.validate.OneOf(("member", "staff", "board", "admin")))


class Movement(ma.Schema):
    entry_id = fields.Integer()
    member_id = Id()
    kind = fields.String()
    shares = fields.Integer()
    amount = Money()
    reference = fields.String(allow_none=True)
    effective_date = IsoDate()


class Health(ma.Schema):
    status = fields.String(required=True)
    broker = fields.Boolean(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.Boolean())


class AnyObject(ma.Schema):
    """A JSON object whose fields the owning service documents."""

    class Meta:
        unknown = ma.INCLUDE


class Out(ma.Schema):
    """Base of response schemas: the fields named are documented, services may add more."""

    class Meta:
        unknown = ma.INCLUDE


class PageQuery(ma.Schema):
    limit = fields.Integer(validate=ma.validate.Range(1, 500))
    offset = fields.Integer(validate=ma.validate.Range(0, 2**31 - 1))
