"""Membership's RPC input/output schemas and the events it publishes."""
import marshmallow as ma
from marshmallow import fields, validate

from shared.events import event_schema
from shared.schemas import Id, IsoDate, Money, StrictSchema

SOURCE = "membership"
MEMBER_CLASSES = ("A", "B")


class Application(StrictSchema):
    first_name = fields.String(required=True, validate=validate.Length(1, 120))
    last_name = fields.String(required=True, validate=validate.Length(1, 120))
    email = fields.Email(required=True)
    member_class = fields.String(required=True, validate=validate.OneOf(MEMBER_CLASSES))
    birth_date = IsoDate(load_default=None, allow_none=True)
    national_number = fields.String(load_default=None, allow_none=True)
    iban = fields.String(load_default=None, allow_none=True)
    address = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))


class MemberOut(ma.Schema):
    id = Id()
    number = fields.Integer()
    member_class = fields.String()
    status = fields.String()
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
    erased = fields.Function(lambda m: m.erased_at is not None)
    roles = fields.Function(lambda m: sorted(g.role for g in m.roles))


class MemberRef(StrictSchema):
    member_id = Id(required=True)


# ---- events: ids and figures only, never personal data ----

@event_schema(SOURCE, "member_applied")
class MemberApplied(ma.Schema):
    """Someone applied to become a member."""

    member_id = Id(required=True)
    number = fields.Integer(required=True)
    member_class = fields.String(required=True)
    applied_on = IsoDate(required=True)
