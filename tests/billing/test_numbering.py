"""Gapless invoice numbers under contention: several billing processes issue at once."""
import re
from decimal import Decimal

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import func, select

from services.billing.domain import invoices, numbering
from services.billing.models import Base, Invoice, LedgerEntry
from shared.db import outbox_table
from tests.billing.conftest import TODAY, Books, line_data

INVOICES = 2000


def drafts(books: Books, count: int) -> list[str]:
    activity, client = books.activity(), books.client()
    with books.tx() as s:
        created = [invoices.create(s, {"activity_id": activity, "client_id": client,
                                       "lines": [line_data("1", "10.00", "21")]}, TODAY) for _ in range(count)]
        return [i.id for i in created]


def issued_by(process) -> float:
    text = requests.get(f"http://127.0.0.1:{process.metrics_port}/metrics", timeout=5).text
    found = re.search(r'^coop_invoices_issued_total\{series="F"\} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def issue_all(rabbit_config, ids, in_flight=200) -> list[str]:
    numbers = []
    with ClusterRpcProxy(rabbit_config, timeout=300) as proxy:
        for start in range(0, len(ids), in_flight):
            replies = [proxy.billing.issue_invoice.call_async(i) for i in ids[start:start + in_flight]]
            numbers += [reply.result()["number"] for reply in replies]
    return numbers


@pytest.mark.slow
def test_numbers_run_gapless_when_processes_issue_at_once(backend, make_db, service_process, rabbit_config):
    uri = make_db("billing")
    books = Books(uri)
    ids = drafts(books, INVOICES)
    books.dispose()
    processes = [service_process("billing", uri, {"BILLING_MAX_WORKERS": "10"})
                 for _ in range(4 if backend == "postgresql" else 1)]
    for process in processes:
        process.wait_ready()
    numbers = issue_all(rabbit_config, ids)
    year = int(numbers[0].split("-")[1])
    assert sorted(numbers) == [numbering.format_number("F", year, n) for n in range(1, INVOICES + 1)]
    books = Books(uri)
    with books.tx() as s:
        sequences = s.execute(select(Invoice.sequence).where(Invoice.series == "F")
                              .order_by(Invoice.sequence)).scalars().all()
        assert sequences == list(range(1, INVOICES + 1))  # no gap, no duplicate
        fees = s.execute(select(func.count(), func.sum(LedgerEntry.amount))
                         .where(LedgerEntry.kind == "fee")).one()
        assert (fees[0], Decimal(fees[1])) == (INVOICES, Decimal("-0.65") * INVOICES)
        outbox = outbox_table(Base.metadata)
        assert s.execute(select(func.count()).select_from(outbox)
                         .where(outbox.c.event_type == "invoice_issued")).scalar() == INVOICES
    books.dispose()
    shares = [issued_by(p) for p in processes]
    assert sum(shares) == INVOICES
    assert all(share > 0 for share in shares), shares  # every process took part
