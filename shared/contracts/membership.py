"""Membership's contract: the outputs of its RPC methods and the events it publishes."""
import marshmallow as ma
from marshmallow import fields

from shared.contracts import event_schema
from shared.schemas import Id, IsoDate, Money

SOURCE = "membership"


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
    erased = fields.Function(lambda m: m.erased_at is not None, metadata={"type": "boolean"})
    roles = fields.Function(lambda m: sorted(g.role for g in m.roles),
                            metadata={"type": "array", "items": {"type": "string"}})


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


class PasswordSetOut(ma.Schema):
    member_id = Id()


# ---- events: ids and figures only, never personal data ----

M = "0e7f7c1a-51d4-4b0e-8a55-2f1a4c9d3b02"
M2 = "1f8a8d2b-62e5-4c1f-9b66-3a2b5d0e4c03"
EXAMPLES: dict[str, dict] = {
    "member_applied": {"member_id": M, "number": 1042, "member_class": "A", "applied_on": "2026-11-02"},
    "shares_subscribed": {"member_id": M, "shares": 1, "amount": "30.00", "reference": "101004200097",
                          "effective_date": "2026-11-02"},
    "shares_paid": {"member_id": M, "shares": 1, "amount": "30.00", "reference": "101004200097",
                    "effective_date": "2026-11-05", "paid_shares": 1,
                    "covered_until": "2027-11-04"},
    "member_admitted": {"member_id": M, "number": 1042, "member_class": "A", "admitted_on": "2026-11-06",
                        "paid_shares": 1, "covered_until": "2027-11-04"},
    "member_suspended": {"member_id": M, "effective_date": "2027-01-10"},
    "member_reinstated": {"member_id": M, "effective_date": "2027-02-10", "paid_shares": 1,
                          "covered_until": "2027-11-04"},
    "member_excluded": {"member_id": M, "effective_date": "2027-03-10"},
    "member_resigned": {"member_id": M, "effective_date": "2027-06-30"},
    "shares_transferred": {"from_member_id": M, "to_member_id": M2, "shares": 1,
                           "effective_date": "2027-01-15", "from_paid_shares": 1, "to_paid_shares": 2,
                           "from_covered_until": "2027-11-04", "to_covered_until": "2028-03-01"},
    "shares_redeemed": {"member_id": M, "shares": 1, "amount": "30.00", "effective_date": "2027-12-31",
                        "paid_shares": 0, "covered_until": None},
    "member_erased": {"member_id": M},
    "role_granted": {"member_id": M, "role": "staff"},
}


@event_schema(SOURCE, "member_applied", example=EXAMPLES["member_applied"])
class MemberApplied(ma.Schema):
    """Someone applied to become a member."""

    member_id = Id(required=True)
    number = fields.Integer(required=True)
    member_class = fields.String(required=True)
    applied_on = IsoDate(required=True)


@event_schema(SOURCE, "shares_subscribed", example=EXAMPLES["shares_subscribed"])
class SharesSubscribed(ma.Schema):
    """A member subscribed shares; the amount is due with the structured reference."""

    member_id = Id(required=True)
    shares = fields.Integer(required=True)
    amount = Money(required=True)
    reference = fields.String(required=True)
    effective_date = IsoDate(required=True)


@event_schema(SOURCE, "shares_paid", example=EXAMPLES["shares_paid"])
class SharesPaid(SharesSubscribed):
    """Subscribed shares were paid; paid_shares is what the member holds after it."""

    paid_shares = fields.Integer(required=True)
    covered_until = IsoDate(allow_none=True)  # the day the paid shares cover use until


@event_schema(SOURCE, "member_admitted", example=EXAMPLES["member_admitted"])
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


@event_schema(SOURCE, "member_suspended", example=EXAMPLES["member_suspended"])
class MemberSuspended(StatusChanged):
    """A member was suspended."""


@event_schema(SOURCE, "member_reinstated", example=EXAMPLES["member_reinstated"])
class MemberReinstated(StatusChanged):
    """A suspended member was reinstated."""


@event_schema(SOURCE, "member_excluded", example=EXAMPLES["member_excluded"])
class MemberExcluded(StatusChanged):
    """A member was excluded."""


@event_schema(SOURCE, "member_resigned", example=EXAMPLES["member_resigned"])
class MemberResigned(StatusChanged):
    """A member resigned, on a dated request."""


@event_schema(SOURCE, "shares_transferred", example=EXAMPLES["shares_transferred"])
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


@event_schema(SOURCE, "shares_redeemed", example=EXAMPLES["shares_redeemed"])
class SharesRedeemed(ma.Schema):
    """Shares were redeemed at nominal value; paid_shares is what the member holds after it."""

    member_id = Id(required=True)
    shares = fields.Integer(required=True)
    amount = Money(required=True)
    effective_date = IsoDate(required=True)
    paid_shares = fields.Integer(required=True)
    covered_until = IsoDate(allow_none=True)  # the day the paid shares cover use until


@event_schema(SOURCE, "member_erased", example=EXAMPLES["member_erased"])
class MemberErased(ma.Schema):
    """A member's personal data was erased; the share register keeps a pseudonym."""

    member_id = Id(required=True)


@event_schema(SOURCE, "role_granted", example=EXAMPLES["role_granted"])
class RoleGranted(ma.Schema):
    """A member was granted a role (member, staff, board, admin)."""

    member_id = Id(required=True)
    role = fields.String(required=True)
