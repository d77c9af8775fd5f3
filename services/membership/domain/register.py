"""The share register as of a day: holders, their shares, and every movement, by name or,
after erasure, by pseudonym."""
import csv
import datetime as dt
import io
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from services.membership.domain.shares import HELD_SIGN
from services.membership.models import Member, ShareRegisterEntry

CSV_COLUMNS = ("member_number", "holder", "entry_id", "effective_date", "movement", "shares",
               "amount", "reference", "counterparty_number", "paid_shares_after")


def holder_name(member: Member) -> str:
    if member.erased_at is not None:
        return member.pseudonym
    return f"{member.last_name}, {member.first_name}"


def share_register(session: Session, as_of: dt.date, member_id: str | None = None) -> dict:
    counterparty = aliased(Member)
    query = (
        select(ShareRegisterEntry, Member, counterparty.number)
        .join(Member, Member.id == ShareRegisterEntry.member_id)
        .outerjoin(counterparty, counterparty.id == ShareRegisterEntry.counterparty_id)
        .where(ShareRegisterEntry.effective_date <= as_of)
        .order_by(Member.number, ShareRegisterEntry.effective_date, ShareRegisterEntry.id))
    if member_id is not None:
        query = query.where(ShareRegisterEntry.member_id == member_id)
    rows = session.execute(query).all()
    holders: dict[str, dict] = {}
    capital = Decimal("0.00")
    for entry, member, counterparty_number in rows:
        holder = holders.setdefault(member.id, {
            "member_id": member.id, "number": member.number, "holder": holder_name(member),
            "status": member.status, "subscribed_shares": 0, "paid_shares": 0, "entries": []})
        if entry.kind == "subscription":
            holder["subscribed_shares"] += entry.shares
        else:
            holder["paid_shares"] += HELD_SIGN[entry.kind] * entry.shares
        if entry.kind in ("payment", "redemption"):
            capital += entry.amount * HELD_SIGN[entry.kind]
        holder["entries"].append({
            "entry_id": entry.id, "kind": entry.kind, "shares": entry.shares,
            "amount": entry.amount, "effective_date": entry.effective_date,
            "reference": entry.reference, "counterparty_id": entry.counterparty_id,
            "counterparty_number": counterparty_number,
            "paid_shares_after": holder["paid_shares"]})
    return {"as_of": as_of, "holders": list(holders.values()),
            "total_shares": sum(h["paid_shares"] for h in holders.values()),
            "paid_capital": capital}


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # a name starting with = + - @ would run as a formula in a spreadsheet
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not text.startswith("+++") else text


def register_csv(register: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for holder in register["holders"]:
        for entry in holder["entries"]:
            writer.writerow([_cell(v) for v in (
                holder["number"], holder["holder"], entry["entry_id"],
                entry["effective_date"].isoformat(), entry["kind"], entry["shares"],
                f"{entry['amount']:.2f}", entry["reference"], entry["counterparty_number"],
                entry["paid_shares_after"])])
    return out.getvalue()
