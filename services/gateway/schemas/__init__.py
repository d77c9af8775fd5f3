"""What the gateway itself adds to the HTTP API's document: request bodies and queries as the
HTTP routes take them, credentials, tokens and errors.

Answers are documented with the services' own contracts (``shared.contracts``). The services
validate every input themselves (and answer 422 with per-field messages); these schemas
describe the API, they do not duplicate the services' rules.
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


class Health(ma.Schema):
    status = fields.String(required=True)
    broker = fields.Boolean(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.Boolean())


class PageQuery(ma.Schema):
    limit = fields.Integer(validate=ma.validate.Range(1, 500))
    offset = fields.Integer(validate=ma.validate.Range(0, 2**31 - 1))
