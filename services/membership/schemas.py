"""Membership's RPC input/output schemas and the events it publishes."""
from decimal import Decimal

import marshmallow as ma
from marshmallow import fields, validate

from shared.auth import ROLES
from shared.events import event_schema
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


# ---- RPC output ----

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
    pseudonym = fields.String(allow_none=True)
    erased = fields.Function(lambda m: m.erased_at is not None)
    roles = fields.Function(lambda m: sorted(g.role for g in m.roles))


class MemberPage(ma.Schema):
    items = fields.List(fields.Nested(MemberOut))
    total = fields.Integer()


class StandingOut(ma.Schema):
    member_id = Id()
    number = fields.Integer()
    status = fields.String()
    subscribed_shares = fields.Integer()
    paid_shares = fields.Integer()
    unpaid_shares = fields.Integer()
    covered_until = IsoDate(allow_none=True)
    good_standing = fields.Boolean()
    as_of = IsoDate()


class MovementOut(ma.Schema):
    entry_id = fields.Integer()
    member_id = Id()
    kind = fields.String()
    shares = fields.Integer()
    amount = Money()
    effective_date = IsoDate()
    reference = fields.String(allow_none=True)
    paid_shares = fields.Integer()


class TransferOut(ma.Schema):
    from_member_id = Id()
    to_member_id = Id()
    shares = fields.Integer()
    amount = Money()
    effective_date = IsoDate()
    from_paid_shares = fields.Integer()
    to_paid_shares = fields.Integer()


class RegisterEntryOut(ma.Schema):
    entry_id = fields.Integer()
    kind = fields.String()
    shares = fields.Integer()
    amount = Money()
    effective_date = IsoDate()
    reference = fields.String(allow_none=True)
    counterparty_id = Id(allow_none=True)
    counterparty_number = fields.Integer(allow_none=True)
    paid_shares_after = fields.Integer()


class RegisterHolderOut(ma.Schema):
    member_id = Id()
    number = fields.Integer()
    holder = fields.String()
    status = fields.String()
    subscribed_shares = fields.Integer()
    paid_shares = fields.Integer()
    entries = fields.List(fields.Nested(RegisterEntryOut))


class RegisterOut(ma.Schema):
    as_of = IsoDate()
    holders = fields.List(fields.Nested(RegisterHolderOut))
    total_shares = fields.Integer()
    paid_capital = Money()


class CertificateOut(ma.Schema):
    member_id = Id()
    number = fields.Integer()
    holder = fields.String()
    paid_shares = fields.Integer()
    as_of = IsoDate()
    filename = fields.String()
    pdf = fields.String()  # base64


class RoleGrantOut(ma.Schema):
    member_id = Id()
    role = fields.String()


# ---- events: ids and figures only, never personal data ----

@event_schema(SOURCE, "member_applied")
class MemberApplied(ma.Schema):
    """Someone applied to become a member."""

    member_id = Id(required=True)
    number = fields.Integer(required=True)
    member_class = fields.String(required=True)
    applied_on = IsoDate(required=True)


@event_schema(SOURCE, "shares_subscribed")
class SharesSubscribed(ma.Schema):
    """A member subscribed shares; the amount is due with the structured reference."""

    member_id = Id(required=True)
    shares = fields.Integer(required=True)
    amount = Money(required=True)
    reference = fields.String(required=True)
    effective_date = IsoDate(required=True)


@event_schema(SOURCE, "shares_paid")
class SharesPaid(SharesSubscribed):
    """Subscribed shares were paid; paid_shares is what the member holds after it."""

    paid_shares = fields.Integer(required=True)
    covered_until = IsoDate(allow_none=True)  # the day the paid shares cover use until


@event_schema(SOURCE, "member_admitted")
class MemberAdmitted(ma.Schema):
    """The board admitted an applicant who had paid at least one share."""

    member_id = Id(required=True)
    number = fields.Integer(required=True)
    member_class = fields.String(required=True)
    admitted_on = IsoDate(required=True)
    paid_shares = fields.Integer(required=True)
    covered_until = IsoDate(allow_none=True)  # the day the paid shares cover use until


class StatusChanged(ma.Schema):
    member_id = Id(required=True)
    effective_date = IsoDate(required=True)
    paid_shares = fields.Integer()  # what the member holds when the status changes
    covered_until = IsoDate(allow_none=True)  # the day the paid shares cover use until


@event_schema(SOURCE, "member_suspended")
class MemberSuspended(StatusChanged):
    """A member was suspended."""


@event_schema(SOURCE, "member_reinstated")
class MemberReinstated(StatusChanged):
    """A suspended member was reinstated."""


@event_schema(SOURCE, "member_excluded")
class MemberExcluded(StatusChanged):
    """A member was excluded."""


@event_schema(SOURCE, "member_resigned")
class MemberResigned(StatusChanged):
    """A member resigned, on a dated request."""


@event_schema(SOURCE, "shares_transferred")
class SharesTransferred(ma.Schema):
    """Paid shares moved from one member to another; paid shares held by each after it."""

    from_member_id = Id(required=True)
    to_member_id = Id(required=True)
    shares = fields.Integer(required=True)
    effective_date = IsoDate(required=True)
    from_paid_shares = fields.Integer(required=True)
    to_paid_shares = fields.Integer(required=True)
    from_covered_until = IsoDate(allow_none=True)
    to_covered_until = IsoDate(allow_none=True)


@event_schema(SOURCE, "shares_redeemed")
class SharesRedeemed(ma.Schema):
    """Shares were redeemed at nominal value; paid_shares is what the member holds after it."""

    member_id = Id(required=True)
    shares = fields.Integer(required=True)
    amount = Money(required=True)
    effective_date = IsoDate(required=True)
    paid_shares = fields.Integer(required=True)
    covered_until = IsoDate(allow_none=True)  # the day the paid shares cover use until


@event_schema(SOURCE, "member_erased")
class MemberErased(ma.Schema):
    """A member's personal data was erased; the share register keeps a pseudonym."""

    member_id = Id(required=True)


@event_schema(SOURCE, "role_granted")
class RoleGranted(ma.Schema):
    """A member was granted a role (member, staff, board, admin)."""

    member_id = Id(required=True)
    role = fields.String(required=True)
