"""Share movements: subscription, payment, transfer, redemption; holdings and coverage.

Every movement is a share register entry with an effective date that is never in the future
nor before the member's previous movement, taken while the member's row is locked.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.membership.domain import parameters, share_rules
from services.membership.domain.records import get_member, lock_members, require_not_erased
from services.membership.domain.share_rules import (  # noqa: F401 (read from here too)
    HELD_SIGN,
    Holding,
    structured_reference,
)
from services.membership.models import Member, ShareRegisterEntry
from shared.clock import utcnow
from shared.errors import rule_broken


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
    return share_rules.holding_of(session.execute(query).tuples())


def covered_until(session: Session, held: Holding, today: dt.date) -> dt.date | None:
    """Each paid share held covers a year of use, counted from the first payment."""
    if held.paid_shares <= 0 or held.first_paid_on is None:
        return None  # no parameter to read
    return share_rules.covered_until(held, parameters.years_covered_per_share(session, today))


def member_standing(session: Session, member_id: str, today: dt.date) -> Standing:
    member = get_member(session, member_id)
    held = holding(session, member_id, today)
    until = covered_until(session, held, today)
    good = share_rules.in_good_standing(member.status, held, until, today)
    return Standing(member.id, member.number, member.status, held.subscribed_shares,
                    held.paid_shares, held.unpaid_shares, until, good, today)


def _movement_date(session: Session, day: dt.date, member: Member, today: dt.date,
                   field: str = "effective_date") -> dt.date:
    return share_rules.movement_date(day, today, member.applied_on,
                                     holding(session, member.id).last_movement_on, field)


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
    share_rules.may_subscribe(member.status)
    _movement_date(session, effective_date, member, today)
    price = parameters.share_price(session, effective_date)
    sequence = session.execute(select(func.count()).where(
        ShareRegisterEntry.member_id == member.id, ShareRegisterEntry.kind == "subscription")
    ).scalar_one() + 1
    entry = _record(session, member, "subscription", shares, share_rules.nominal_value(price, shares),
                    effective_date, by, reference=structured_reference(member.number, sequence))
    return _movement(session, entry)


def record_share_payment(session: Session, member_id: str, reference: str, amount: Decimal,
                         effective_date: dt.date, today: dt.date, by: str | None = None) -> Movement:
    """A payment settles shares of the subscription whose structured reference it carries."""
    reference = share_rules.parse_reference(reference)
    [member] = lock_members(session, member_id)
    require_not_erased(member)
    subscription = session.execute(select(ShareRegisterEntry).where(
        ShareRegisterEntry.member_id == member.id, ShareRegisterEntry.kind == "subscription",
        ShareRegisterEntry.reference == reference)).scalar_one_or_none()
    if subscription is None:
        raise rule_broken("reference", f"no subscription of this member carries {reference}")
    already = session.execute(select(func.coalesce(func.sum(ShareRegisterEntry.shares), 0)).where(
        ShareRegisterEntry.member_id == member.id, ShareRegisterEntry.kind == "payment",
        ShareRegisterEntry.reference == reference)).scalar_one()
    shares = share_rules.shares_paid(amount, subscription.amount, subscription.shares, already)
    _movement_date(session, effective_date, member, today)
    entry = _record(session, member, "payment", shares, amount, effective_date, by,
                    reference=reference)
    return _movement(session, entry)


def _keeps_minimum(session: Session, member: Member, held: int, shares: int, on: dt.date) -> None:
    share_rules.keeps_minimum(member.status, held, shares, parameters.min_shares_while_active(session, on))


def transfer_shares(session: Session, from_member_id: str, to_member_id: str, shares: int,
                    effective_date: dt.date, today: dt.date, by: str | None = None) -> Transfer:
    share_rules.distinct_parties(from_member_id, to_member_id)
    giver, receiver = lock_members(session, from_member_id, to_member_id)
    require_not_erased(giver, "from_member_id")
    require_not_erased(receiver, "to_member_id")
    share_rules.may_receive(receiver.status)
    _movement_date(session, effective_date, giver, today)
    _movement_date(session, effective_date, receiver, today)
    _keeps_minimum(session, giver, holding(session, giver.id).paid_shares, shares, effective_date)
    amount = share_rules.nominal_value(parameters.share_price(session, effective_date), shares)
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
    share_rules.in_redemption_window(effective_date, parameters.redemption_last_month(session, effective_date))
    _keeps_minimum(session, member, holding(session, member.id).paid_shares, shares, effective_date)
    amount = share_rules.nominal_value(parameters.share_price(session, effective_date), shares)
    entry = _record(session, member, "redemption", shares, amount, effective_date, by)
    return _movement(session, entry)
