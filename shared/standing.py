"""The member-standing projection: who may use the cooperative's services on a given day.

Billing, resources and governance keep it from membership's events (``shared.standing_handlers``
subscribes them). A member is in good standing on a day when admitted, holding at least one paid
share, and covered on that day: each paid share covers a year of use (DOMAIN.md), and membership
publishes the resulting ``covered_until`` with every event that changes holdings or status.

Each event type travels on its own queue, so events arrive in any order. The status and the
holdings are two facts, each kept from the newest event that states it (by ``occurred_at``); an
older event arriving late leaves it as it is. Erasure is final: nothing after it changes the status.

Rows and events older than coverage: a projection row whose holdings were never published to it
(``paid_shares`` is NULL) is judged on its status alone, as before; paid shares published without
a ``covered_until`` (events from before membership published it) leave coverage unchecked. Every
event membership publishes now carries both, so these cases end with the member's next event.
"""
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared import clock
from shared.errors import NotInGoodStanding

ADMITTED = "admitted"
ERASED = "erased"
UNKNOWN = "unknown"  # no status event has arrived yet (a share event came first)

# the one map from membership's life-cycle events to the status they leave the member in
STATUS_AFTER = {
    "member_admitted": ADMITTED,
    "member_reinstated": ADMITTED,
    "member_suspended": "suspended",
    "member_excluded": "excluded",
    "member_resigned": "resigned",
    "member_erased": ERASED,
}
SHARE_EVENTS = ("shares_paid", "shares_transferred", "shares_redeemed")
STANDING_EVENTS = tuple(STATUS_AFTER) + SHARE_EVENTS


@dataclass(frozen=True)
class StandingFact:
    """What one membership event says of one member."""

    member_id: str
    event_type: str
    occurred_at: dt.datetime
    effective_date: dt.date          # the day it takes effect (governance dates its roll by it)
    status: str | None = None        # the status after the event, if it changes it
    paid_shares: int | None = None   # paid shares held after the event, if it says
    covered_until: dt.date | None = None


@dataclass(frozen=True)
class Standing:
    """A member's standing as the projection holds it."""

    member_id: str
    status: str = UNKNOWN
    status_at: dt.datetime | None = None
    paid_shares: int | None = None
    covered_until: dt.date | None = None
    holdings_at: dt.datetime | None = None


def facts_of(event_type: str, data: dict, occurred_at: dt.datetime) -> list[StandingFact]:
    """The standing facts a membership event carries (a transfer speaks of two members)."""
    occurred_at = utc(occurred_at)
    if event_type == "shares_transferred":
        day = _date(data.get("effective_date")) or occurred_at.date()
        return [StandingFact(data[f"{side}_member_id"], event_type, occurred_at, day,
                             paid_shares=int(data[f"{side}_paid_shares"]),
                             covered_until=_date(data.get(f"{side}_covered_until")))
                for side in ("from", "to")]
    if event_type not in STANDING_EVENTS:
        raise LookupError(f"{event_type} says nothing of a member's standing")
    # erasure is dated the day it happened; so is an event that states no date of its own
    day = _date(data.get("admitted_on") or data.get("effective_date")) or occurred_at.date()
    paid = data.get("paid_shares")
    return [StandingFact(data["member_id"], event_type, occurred_at, day,
                         status=STATUS_AFTER.get(event_type),
                         paid_shares=None if paid is None else int(paid),
                         covered_until=_date(data.get("covered_until")))]


def applied(current: Standing, fact: StandingFact) -> Standing:
    """``current`` with ``fact`` applied, unless a newer event already stated the same thing."""
    new = current
    if fact.status is not None and current.status != ERASED and (
            fact.status == ERASED or current.status_at is None or fact.occurred_at >= current.status_at):
        new = replace(new, status=fact.status, status_at=fact.occurred_at)
    if fact.paid_shares is not None and (current.holdings_at is None
                                         or fact.occurred_at >= current.holdings_at):
        new = replace(new, paid_shares=fact.paid_shares, covered_until=fact.covered_until,
                      holdings_at=fact.occurred_at)
    return new


def refusal(status: str | None, paid_shares: int | None, covered_until: dt.date | None,
            on: dt.date) -> str | None:
    """Why a member is not in good standing on ``on``, or None if they are."""
    if status != ADMITTED:
        return f"the member is {status or UNKNOWN}, not admitted"
    if paid_shares is None:  # holdings never published to this projection: status alone
        return None
    if paid_shares < 1:
        return "the member holds no paid share"
    if covered_until is not None and covered_until < on:
        return (f"the member's shares covered use until {covered_until.isoformat()}, "
                f"not {on.isoformat()}: one more share extends the coverage")
    return None


def in_good_standing(status: str | None, paid_shares: int | None, covered_until: dt.date | None,
                     on: dt.date) -> bool:
    return refusal(status, paid_shares, covered_until, on) is None


class MemberStandingColumns:
    """The projection's columns, for a service's ``MemberStanding`` model (it names the table)."""

    member_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # admitted, suspended, excluded, resigned, erased; unknown until a status event arrives
    status: Mapped[str] = mapped_column(String(16))
    # occurred_at of the event that set the status; an older one arriving late changes nothing
    status_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # paid shares held and the day they cover use until, from the newest event that said so
    paid_shares: Mapped[int | None] = mapped_column(Integer)
    covered_until: Mapped[dt.date | None] = mapped_column(Date)
    holdings_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    def standing(self) -> Standing:
        return Standing(self.member_id, self.status, _utc_or_none(self.status_at), self.paid_shares,
                        self.covered_until, _utc_or_none(self.holdings_at))

    def refusal_on(self, on: dt.date) -> str | None:
        return refusal(self.status, self.paid_shares, self.covered_until, on)

    def good_standing_on(self, on: dt.date) -> bool:
        return self.refusal_on(on) is None

    @property
    def good_standing(self) -> bool:
        """In good standing today."""
        return self.good_standing_on(clock.today())


def project(session: Session, model: type, fact: StandingFact) -> None:
    """Apply one fact to the member's row (locked, created on the member's first event)."""
    row = session.get(model, fact.member_id, with_for_update=True)
    if row is None:
        row = model(member_id=fact.member_id, status=UNKNOWN)
        session.add(row)
        current = Standing(fact.member_id)
    else:
        current = row.standing()
    new = applied(current, fact)
    if new != current:
        row.status, row.status_at = new.status, new.status_at
        row.paid_shares, row.covered_until = new.paid_shares, new.covered_until
        row.holdings_at = new.holdings_at
    session.flush()


def require_good_standing(session: Session, model: type, member_id: str, on: dt.date,
                          field: str = "member_id", lock: bool = False) -> Any:
    """The member's row if they are in good standing on ``on``; else ``NotInGoodStanding``."""
    return check_good_standing(session.get(model, member_id, with_for_update=lock or None),
                               member_id, on, field)


S = TypeVar("S", bound="MemberStandingColumns")


def check_good_standing(row: S | None, member_id: str, on: dt.date, field: str = "member_id") -> S:
    """``row`` (a ``MemberStandingColumns`` or None) if in good standing on ``on``; else refused."""
    reason = "the member is unknown here" if row is None else row.refusal_on(on)
    if row is None or reason is not None:
        message = f"member {member_id} is not in good standing on {on.isoformat()}: {reason}"
        raise NotInGoodStanding(message, {field: [message]})
    return row


def utc(instant: dt.datetime) -> dt.datetime:
    """An instant in UTC; a naive one (SQLite keeps no offset) is taken as UTC."""
    if instant.tzinfo is None:
        return instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(dt.UTC)


def _utc_or_none(instant: dt.datetime | None) -> dt.datetime | None:
    return None if instant is None else utc(instant)


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
