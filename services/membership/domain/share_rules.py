"""The share rules as plain Python (DOMAIN.md, "Members and shares"): holdings, coverage, good
standing, movement dates, subscriptions and payments, transfers, the redemption window and the
minimum kept while active. ``shares`` reads the register and writes the movements; nothing
here touches a database.
"""
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError as StdnumError

from services.membership.domain.dates import add_years, not_before, not_in_future
from shared.errors import rule_broken

ACTIVE = ("admitted", "suspended")
LEFT = ("excluded", "resigned")
HELD_SIGN = {"payment": 1, "transfer_in": 1, "transfer_out": -1, "redemption": -1}


@dataclass(frozen=True)
class Holding:
    """A member's shares as of a day."""

    subscribed_shares: int = 0
    paid_by_member: int = 0           # shares paid against the member's own subscriptions
    paid_shares: int = 0              # paid shares held: payments and transfers in, less out
    first_paid_on: dt.date | None = None
    last_movement_on: dt.date | None = None

    @property
    def unpaid_shares(self) -> int:
        return self.subscribed_shares - self.paid_by_member


def holding_of(entries: Iterable[tuple[str, int, dt.date]]) -> Holding:
    """The holding the register's entries (kind, shares, effective date) add up to."""
    subscribed = paid_by_member = held = 0
    first_paid_on = last = None
    for kind, shares, day in entries:
        last = day if last is None else max(last, day)
        if kind == "subscription":
            subscribed += shares
            continue
        if kind == "payment":
            paid_by_member += shares
        if HELD_SIGN[kind] > 0 and (first_paid_on is None or day < first_paid_on):
            first_paid_on = day
        held += HELD_SIGN[kind] * shares
    return Holding(subscribed, paid_by_member, held, first_paid_on, last)


def covered_until(held: Holding, years_per_share: int) -> dt.date | None:
    """Each paid share held covers ``years_per_share`` years of use, counted from the first
    payment; the last day covered, or None without paid shares."""
    if held.paid_shares <= 0 or held.first_paid_on is None:
        return None
    return add_years(held.first_paid_on, held.paid_shares * years_per_share) - dt.timedelta(days=1)


def in_good_standing(status: str, held: Holding, until: dt.date | None, today: dt.date) -> bool:
    """Admitted, with every subscribed share paid, at least one held, and covered today."""
    return (status == "admitted" and held.paid_shares >= 1 and held.unpaid_shares == 0
            and until is not None and until >= today)


def movement_date(day: dt.date, today: dt.date, applied_on: dt.date | None,
                  last_movement_on: dt.date | None, field: str = "effective_date") -> dt.date:
    """A movement is dated neither in the future, nor before the member's application, nor
    before the member's previous movement (the register reads in date order)."""
    not_in_future(field, day, today)
    not_before(field, day, applied_on, "the member's application")
    return not_before(field, day, last_movement_on, "the member's previous share movement")


def may_subscribe(status: str) -> None:
    """A member who left subscribes no more shares."""
    if status in LEFT:
        raise rule_broken("member_id", f"a member who is {status} cannot subscribe shares")


def may_receive(status: str) -> None:
    """Nor does a member who left receive shares by transfer."""
    if status in LEFT:
        raise rule_broken("to_member_id", f"a member who is {status} cannot receive shares")


def structured_reference(member_number: int, sequence: int) -> str:
    """OGM/VCS +++ddd/dddd/ddddd+++: member number (6 digits) and subscription (4 digits)."""
    if member_number > 999_999 or sequence > 9_999:
        raise rule_broken("shares", "no structured reference left for this member")
    digits = f"{member_number:06d}{sequence:04d}"
    return f"+++{ogm_vcs.format(digits + ogm_vcs.calc_check_digits(digits))}+++"


def parse_reference(reference: str) -> str:
    """A structured communication as the register writes it, or the reason it is not one."""
    try:
        digits = ogm_vcs.validate(reference)
    except StdnumError as exc:
        raise rule_broken("reference", f"not a valid structured communication (OGM/VCS): {exc}") from None
    return f"+++{ogm_vcs.format(digits)}+++"


def shares_paid(amount: Decimal, subscribed_amount: Decimal, subscribed_shares: int,
                already_paid: int) -> int:
    """The shares a payment settles: a whole number of shares at the subscription's unit
    price, no more than remain unpaid on it."""
    unit = subscribed_amount / subscribed_shares
    shares, rest = divmod(amount, unit)
    if rest or shares < 1:
        raise rule_broken("amount", f"{amount} is not a whole number of shares at {unit:.2f} each")
    unpaid = subscribed_shares - already_paid
    if shares > unpaid:
        raise rule_broken("amount", f"{amount} pays {int(shares)} shares but only {unpaid} of "
                                    f"this subscription remain unpaid")
    return int(shares)


def keeps_minimum(status: str, held: int, shares: int, minimum: int) -> None:
    """Shares given up are held; an active member keeps at least ``minimum`` of them."""
    if held < shares:
        raise rule_broken("shares", f"the member holds {held} paid shares, fewer than {shares}")
    if status in ACTIVE and held - shares < minimum:
        raise rule_broken("shares", f"a member keeps at least {minimum} share(s) while "
                                    f"{status} (holds {held}, {held - shares} would remain)")


def in_redemption_window(effective_date: dt.date, last_month: int) -> None:
    """Shares are redeemed only in the first ``last_month`` months of the financial year."""
    if effective_date.month > last_month:
        raise rule_broken("effective_date", f"shares are redeemed only in the first {last_month} "
                                            f"months of the financial year, not on "
                                            f"{effective_date.isoformat()}")


def distinct_parties(from_member_id: str, to_member_id: str) -> None:
    if from_member_id == to_member_id:
        raise rule_broken("to_member_id", "shares are transferred to another member")


def may_be_admitted(status: str, paid_shares: int, admitted_on: dt.date) -> None:
    """An applicant is admitted with at least one share paid on the admission date."""
    if status == "applicant" and paid_shares < 1:
        raise rule_broken("member_id", "admission needs at least one paid share "
                                       f"on {admitted_on.isoformat()} (this applicant has {paid_shares})")


def may_be_erased(status: str, paid_shares: int) -> None:
    """An active member who holds shares must leave before their personal data is erased."""
    if status in ACTIVE and paid_shares > 0:
        raise rule_broken("member_id", f"a {status} member holding {paid_shares} shares cannot "
                                       "be erased; the member must resign or be excluded first")


def nominal_value(price: Decimal, shares: int) -> Decimal:
    """Shares are subscribed, transferred and redeemed at their nominal value."""
    return price * shares
