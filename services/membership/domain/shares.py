"""Share movements: subscription, payment, transfer, redemption; holdings and coverage.

Every movement is a share register entry with an effective date that is never in the future
nor before the member's previous movement, taken while the member's row is locked.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.be import ogm_vcs
from stdnum.exceptions import ValidationError as StdnumError

from services.membership.domain import parameters
from services.membership.domain.dates import add_years, not_before, not_in_future
from services.membership.domain.records import (
    ACTIVE,
    LEFT,
    get_member,
    lock_members,
    require_not_erased,
)
from services.membership.models import Member, ShareRegisterEntry
from shared.clock import utcnow
from shared.errors import rule_broken

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


@dataclass(frozen=True)
class Movement:
    entry_id: int
    member_id: str
    kind: str
    shares: int
    amount: Decimal
    effective_date: dt.date
    reference: str | None
    paid_shares: int


@dataclass(frozen=True)
class Transfer:
    from_member_id: str
    to_member_id: str
    shares: int
    amount: Decimal
    effective_date: dt.date
    from_paid_shares: int
    to_paid_shares: int


@dataclass(frozen=True)
class Standing:
    member_id: str
    number: int
    status: str
    subscribed_shares: int
    paid_shares: int
    unpaid_shares: int
    covered_until: dt.date | None
    good_standing: bool
    as_of: dt.date


def holding(session: Session, member_id: str, as_of: dt.date | None = None) -> Holding:
    query = select(ShareRegisterEntry.kind, ShareRegisterEntry.shares,
                   ShareRegisterEntry.effective_date).where(ShareRegisterEntry.member_id == member_id)
    if as_of is not None:
        query = query.where(ShareRegisterEntry.effective_date <= as_of)
    subscribed = paid_by_member = held = 0
    first_paid_on = last = None
    for kind, shares, day in session.execute(query):
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


def covered_until(session: Session, held: Holding, today: dt.date) -> dt.date | None:
    """Each paid share held covers a year of use, counted from the first payment."""
    if held.paid_shares <= 0 or held.first_paid_on is None:
        return None
    years = held.paid_shares * parameters.years_covered_per_share(session, today)
    return add_years(held.first_paid_on, years) - dt.timedelta(days=1)


def member_standing(session: Session, member_id: str, today: dt.date) -> Standing:
    member = get_member(session, member_id)
    held = holding(session, member_id, today)
    until = covered_until(session, held, today)
    good = (member.status == "admitted" and held.paid_shares >= 1 and held.unpaid_shares == 0
            and until is not None and until >= today)
    return Standing(member.id, member.number, member.status, held.subscribed_shares,
                    held.paid_shares, held.unpaid_shares, until, good, today)


def structured_reference(member_number: int, sequence: int) -> str:
    """OGM/VCS +++ddd/dddd/ddddd+++: member number (6 digits) and subscription (4 digits)."""
    if member_number > 999_999 or sequence > 9_999:
        raise rule_broken("shares", "no structured reference left for this member")
    digits = f"{member_number:06d}{sequence:04d}"
    return f"+++{ogm_vcs.format(digits + ogm_vcs.calc_check_digits(digits))}+++"


def _movement_date(session: Session, day: dt.date, member: Member, today: dt.date,
                   field: str = "effective_date") -> dt.date:
    not_in_future(field, day, today)
    not_before(field, day, member.applied_on, "the member's application")
    last = holding(session, member.id).last_movement_on
    return not_before(field, day, last, "the member's previous share movement")


def _record(session: Session, member: Member, kind: str, shares: int, amount: Decimal,
            effective_date: dt.date, by: str | None, reference: str | None = None,
            counterparty_id: str | None = None) -> ShareRegisterEntry:
    entry = ShareRegisterEntry(
        member_id=member.id, kind=kind, shares=shares, amount=amount,
        effective_date=effective_date, reference=reference, counterparty_id=counterparty_id,
        recorded_at=utcnow(), recorded_by=by)
    session.add(entry)
    session.flush()
    return entry


def _movement(session: Session, entry: ShareRegisterEntry) -> Movement:
    return Movement(entry.id, entry.member_id, entry.kind, entry.shares, entry.amount,
                    entry.effective_date, entry.reference,
                    holding(session, entry.member_id).paid_shares)


def subscribe_shares(session: Session, member_id: str, shares: int, effective_date: dt.date,
                     today: dt.date, by: str | None = None) -> Movement:
    [member] = lock_members(session, member_id)
    require_not_erased(member)
    if member.status in LEFT:
        raise rule_broken("member_id", f"a member who is {member.status} cannot subscribe shares")
    _movement_date(session, effective_date, member, today)
    price = parameters.share_price(session, effective_date)
    sequence = session.execute(select(func.count()).where(
        ShareRegisterEntry.member_id == member.id, ShareRegisterEntry.kind == "subscription")
    ).scalar_one() + 1
    entry = _record(session, member, "subscription", shares, price * shares, effective_date, by,
                    reference=structured_reference(member.number, sequence))
    return _movement(session, entry)


def _parse_reference(reference: str) -> str:
    try:
        digits = ogm_vcs.validate(reference)
    except StdnumError as exc:
        raise rule_broken("reference", f"not a valid structured communication (OGM/VCS): {exc}")
    return f"+++{ogm_vcs.format(digits)}+++"


def record_share_payment(session: Session, member_id: str, reference: str, amount: Decimal,
                         effective_date: dt.date, today: dt.date, by: str | None = None) -> Movement:
    """A payment settles shares of the subscription whose structured reference it carries."""
    reference = _parse_reference(reference)
    [member] = lock_members(session, member_id)
    require_not_erased(member)
    subscription = session.execute(select(ShareRegisterEntry).where(
        ShareRegisterEntry.member_id == member.id, ShareRegisterEntry.kind == "subscription",
        ShareRegisterEntry.reference == reference)).scalar_one_or_none()
    if subscription is None:
        raise rule_broken("reference", f"no subscription of this member carries {reference}")
    unit = subscription.amount / subscription.shares
    shares, rest = divmod(amount, unit)
    if rest or shares < 1:
        raise rule_broken("amount", f"{amount} is not a whole number of shares at {unit:.2f} each")
    already = session.execute(select(func.coalesce(func.sum(ShareRegisterEntry.shares), 0)).where(
        ShareRegisterEntry.member_id == member.id, ShareRegisterEntry.kind == "payment",
        ShareRegisterEntry.reference == reference)).scalar_one()
    unpaid = subscription.shares - already
    if shares > unpaid:
        raise rule_broken("amount", f"{amount} pays {int(shares)} shares but only {unpaid} of "
                                    f"this subscription remain unpaid")
    _movement_date(session, effective_date, member, today)
    entry = _record(session, member, "payment", int(shares), amount, effective_date, by,
                    reference=reference)
    return _movement(session, entry)


def _keeps_minimum(session: Session, member: Member, held: int, shares: int, on: dt.date) -> None:
    if held < shares:
        raise rule_broken("shares", f"the member holds {held} paid shares, fewer than {shares}")
    minimum = parameters.min_shares_while_active(session, on)
    if member.status in ACTIVE and held - shares < minimum:
        raise rule_broken("shares", f"a member keeps at least {minimum} share(s) while "
                                    f"{member.status} (holds {held}, {held - shares} would remain)")


def transfer_shares(session: Session, from_member_id: str, to_member_id: str, shares: int,
                    effective_date: dt.date, today: dt.date, by: str | None = None) -> Transfer:
    if from_member_id == to_member_id:
        raise rule_broken("to_member_id", "shares are transferred to another member")
    giver, receiver = lock_members(session, from_member_id, to_member_id)
    require_not_erased(giver, "from_member_id")
    require_not_erased(receiver, "to_member_id")
    if receiver.status in LEFT:
        raise rule_broken("to_member_id", f"a member who is {receiver.status} cannot receive shares")
    _movement_date(session, effective_date, giver, today)
    _movement_date(session, effective_date, receiver, today)
    _keeps_minimum(session, giver, holding(session, giver.id).paid_shares, shares, effective_date)
    amount = parameters.share_price(session, effective_date) * shares
    _record(session, giver, "transfer_out", shares, amount, effective_date, by,
            counterparty_id=receiver.id)
    _record(session, receiver, "transfer_in", shares, amount, effective_date, by,
            counterparty_id=giver.id)
    return Transfer(giver.id, receiver.id, shares, amount, effective_date,
                    holding(session, giver.id).paid_shares, holding(session, receiver.id).paid_shares)


def request_redemption(session: Session, member_id: str, shares: int, effective_date: dt.date,
                       today: dt.date, by: str | None = None) -> Movement:
    """Shares are redeemed at nominal value, only in the first months of the financial year."""
    [member] = lock_members(session, member_id)
    require_not_erased(member)
    _movement_date(session, effective_date, member, today)
    last_month = parameters.redemption_last_month(session, effective_date)
    if effective_date.month > last_month:
        raise rule_broken("effective_date", f"shares are redeemed only in the first {last_month} "
                                            f"months of the financial year, not on "
                                            f"{effective_date.isoformat()}")
    _keeps_minimum(session, member, holding(session, member.id).paid_shares, shares, effective_date)
    amount = parameters.share_price(session, effective_date) * shares
    entry = _record(session, member, "redemption", shares, amount, effective_date, by)
    return _movement(session, entry)
