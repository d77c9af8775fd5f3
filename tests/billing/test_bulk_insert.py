"""``bulk_insert`` (month-end's writer: arrays through ``unnest`` on PostgreSQL) stores exactly
what a plain Core insert stores, defaults included, on both backends."""
import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from services.billing.domain import bulk_insert, invoices
from services.billing.models import Invoice, InvoiceLine, LedgerEntry
from tests.billing.conftest import TODAY, line_data

DEFAULTED = ("credited_net", "amount_paid")  # left out of the rows: their column default applies


def rows_of(session, table, ids, key="id"):
    found = {row[key]: dict(row) for row in session.execute(
        select(table).where(table.c[key].in_(ids))).mappings()}
    return [found[i] for i in ids]


def test_bulk_insert_stores_what_a_core_insert_stores(books, backend):
    activity, client = books.activity(), books.client()
    with books.tx() as s:
        member = invoices.activities.get(s, activity).member_id
        drafts = [{"activity_id": activity, "member_id": member, "client_id": client,
                   "payment_terms_days": 30, "note": None if n % 3 == 1 else "Period 2026-11",
                   "lines": [line_data("3", "80.00"), line_data("1.5", "33.33", "6"),
                             line_data("1", "10.00", "0", "E", reason="Art. 44")]} for n in range(6)]
        # documents n and n + 3 are built alike: the first three go through bulk_insert, the
        # others through a Core insert
        documents = invoices.prepare_bulk(s, drafts, TODAY)
        columns = [c.key for c in Invoice.__table__.columns if c.key not in DEFAULTED]
        rows = [{c: getattr(d, c, None) for c in columns} for d in documents]
        bulk_insert(s, Invoice.__table__, rows[:3])
        s.execute(Invoice.__table__.insert(), rows[3:])
        lines = [vars(line) for d in documents for line in d.lines]
        bulk_insert(s, InvoiceLine.__table__, lines[:9])
        s.execute(InvoiceLine.__table__.insert(), lines[9:])
        moments = [dt.datetime(2026, 11, 26, 9, 30, 15, 123456, tzinfo=dt.UTC)] * 6
        entries = [{"activity_id": activity, "entry_date": TODAY, "kind": "fee", "amount": -d.fee,
                    "reference": d.id, "description": None if n % 3 == 1 else "cooperative fee",
                    "created_at": moment} for n, (d, moment) in enumerate(zip(documents, moments, strict=False))]
        bulk_insert(s, LedgerEntry.__table__, entries[:3])
        s.execute(LedgerEntry.__table__.insert(), entries[3:])

    with books.tx() as s:
        ids = [d.id for d in documents]
        stored = rows_of(s, Invoice.__table__, ids)
        stored_lines = s.execute(select(InvoiceLine.__table__).order_by(InvoiceLine.id)).mappings().all()
        stored_entries = rows_of(s, LedgerEntry.__table__, ids, key="reference")

    def same(a, b, ignore):
        return {k: v for k, v in a.items() if k not in ignore} == {k: v for k, v in b.items() if k not in ignore}

    for bulk, core in zip(stored[:3], stored[3:], strict=False):
        assert same(bulk, core, {"id"})
        assert bulk["total_gross"] == Decimal("353.40") and bulk["credited_net"] == Decimal("0.00")
    assert len(stored_lines) == 18
    for bulk, core in zip(stored_lines[:9], stored_lines[9:], strict=False):
        assert same(bulk, core, {"id", "invoice_id"})
    assert [line["quantity"] for line in stored_lines[:3]] == [Decimal("3"), Decimal("1.5"), Decimal("1")]
    assert stored_lines[2]["exemption_reason"] == "Art. 44"
    for bulk, core in zip(stored_entries[:3], stored_entries[3:], strict=False):
        assert same(bulk, core, {"id", "reference"})
    assert stored_entries[0]["created_at"].replace(tzinfo=dt.UTC) == moments[0]
    assert [e["description"] for e in stored_entries] == ["cooperative fee", None, "cooperative fee"] * 2
