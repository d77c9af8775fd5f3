"""The month-end run over billing's own work queue: scaled out over billing processes, one of
them killed with SIGKILL halfway; a failing chunk is dead-lettered and shown, then replayed."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import func, select, update

from services.billing.domain import activities, invoices, members, recurring
from services.billing.models import (
    Base,
    Invoice,
    PeriodStatement,
    RecurringInvoice,
    RecurringInvoiceLine,
    RecurringIssue,
)
from shared.db import outbox_table
from shared.dlq import list_parked, replay
from shared.errors import Forbidden, PreconditionFailed, ValidationError
from shared.testing import wait_until
from tests.billing.conftest import NOW, Books, line_data

PERIOD = "2026-11"
STAFF = {"member_id": str(uuid.uuid4()), "roles": ["staff"]}
OUTBOX = outbox_table(Base.metadata)


def build(books: Books, count: int) -> dict:
    """``count`` activities, each with a template of two lines at 21% and 6% (every fifth one
    quarterly from October: not due in November), some ledger history, and every tenth one an
    invoice issued in September, overdue by November."""
    client = books.client()
    due, overdue = 0, []
    with books.tx() as s:
        for n in range(count):
            member_id = str(uuid.uuid4())
            members.apply_event(s, "member_admitted", {"member_id": member_id, "paid_shares": 1}, NOW)
            activity = activities.open_activity(s, member_id, f"Activity {n}", dt.date(2026, 1, 5))
            s.flush()
            quarterly = n % 5 == 0
            recurring.create(s, {"activity_id": activity.id, "client_id": client,
                                 "frequency": "quarterly" if quarterly else "monthly",
                                 "start_date": dt.date(2026, 10 if quarterly else 1, 1), "end_date": None,
                                 "lines": [line_data("3", "80.00", "21"), line_data("1.5", "33.33", "6")]})
            due += not quarterly
            activities.post(s, activity.id, dt.date(2026, 10, 2), "turnover", Decimal("400.00"), f"h:{n}:1")
            activities.post(s, activity.id, dt.date(2026, 11, 9), "expense", Decimal("-35.10"), f"h:{n}:2")
            if n % 10 == 0:
                draft = invoices.create(s, {"activity_id": activity.id, "client_id": client,
                                            "lines": [line_data("1", "90.00")]}, dt.date(2026, 9, 1))
                s.flush()
                invoices.issue(s, draft.id, dt.date(2026, 9, 1), "F")
                overdue.append(draft.id)
    return {"due": due, "overdue": overdue}


def metric(process, name: str) -> float:
    """The sum of a metric's samples on a billing process's /metrics."""
    import re

    import requests

    text = requests.get(f"http://127.0.0.1:{process.metrics_port}/metrics", timeout=5).text
    return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))


def follow(proxy, run_id, until, timeout=120):
    found = {}

    def reached():
        found.update(proxy.billing.month_end_status(run_id))
        return until(found)

    wait_until(reached, timeout, 0.02, f"month-end did not get there: {found}")
    return found


def declarations_booked(declarations_uri: str) -> tuple[int, list[str], int]:
    """(invoice_issued events in declarations' inbox, invoices with VAT lines, VAT lines), read
    from declarations' database the way an operator would check it."""
    from sqlalchemy import text

    from shared.db import make_engine

    engine = make_engine(declarations_uri)
    try:
        with engine.connect().execution_options(read_only=True) as connection:  # no write lock
            handled = connection.execute(text(
                "SELECT count(*) FROM inbox WHERE handler = 'declarations.on_invoice_issued'")).scalar()
            documents = connection.execute(text(
                "SELECT DISTINCT document_id FROM declaration_lines WHERE document_kind = 'invoice'")).scalars().all()
            lines = connection.execute(text(
                "SELECT count(*) FROM declaration_lines WHERE document_kind = 'invoice'")).scalar()
        return handled, list(documents), lines
    finally:
        engine.dispose()


def check_books(books: Books, count: int, built: dict) -> list[str]:
    with books.tx() as s:
        statements = s.execute(select(func.count(), func.count(func.distinct(PeriodStatement.activity_id)))
                               .where(PeriodStatement.period == PERIOD)).one()
        assert tuple(statements) == (count, count)  # exactly one statement per activity
        issued = s.execute(select(RecurringIssue.invoice_id).where(RecurringIssue.period == PERIOD)).scalars().all()
        assert len(issued) == len(set(issued)) == built["due"]  # each due invoice exists once
        sequences = s.execute(select(Invoice.sequence).where(Invoice.series == "F")
                              .order_by(Invoice.sequence)).scalars().all()
        assert sequences == list(range(1, len(built["overdue"]) + built["due"] + 1))  # gapless
        rows = s.execute(select(OUTBOX.c.event_type, OUTBOX.c.aggregate_id)).all()
    written = [aggregate for kind, aggregate in rows if kind == "invoice_issued"]
    assert sorted(written) == sorted(issued)  # one invoice_issued written per invoice the run issued
    assert [kind for kind, _ in rows].count("month_closed") == 1
    return issued


@pytest.mark.slow
def test_month_end_survives_a_killed_instance_and_does_nothing_twice(
        backend, make_db, service_process, rabbit_config, record_events):
    count, chunk = 200, 5
    uri = make_db("billing")
    books = Books(uri)
    built = build(books, count)
    bus = record_events("billing")
    env = {"BILLING_MAX_WORKERS": "2"}
    # declarations books the invoices as they come, in batches
    declarations_uri = make_db("declarations")
    service_process("declarations", declarations_uri).wait_ready()
    # SQLite has one writer: one process, killed and restarted; PostgreSQL: two, one killed
    survivor = service_process("billing", uri, env).wait_ready() if backend == "postgresql" else None
    victim = service_process("billing", uri, env).wait_ready()
    with ClusterRpcProxy(rabbit_config, timeout=30, context_data={"auth": STAFF}) as proxy:
        started = proxy.billing.start_month_end({"period": PERIOD, "chunk_size": chunk})
        assert (started["chunks_total"], started["activities_total"]) == (count // chunk, count)
        at_kill = follow(proxy, started["run_id"], lambda s: s["chunks_done"] >= 8)
        victim.kill()
        assert at_kill["chunks_done"] < at_kill["chunks_total"], "the run ended before the kill"
        restarted = service_process("billing", uri, env).wait_ready()  # the restart
        final = follow(proxy, started["run_id"], lambda s: s["status"] == "finished")
        assert (final["chunks_done"], final["activities_done"], final["chunks_failed"]) == (count // chunk, count, 0)
        live = [p for p in (survivor, restarted) if p is not None]
        assert 0 < sum(metric(p, "coop_month_end_chunks_done_total") for p in live) <= count // chunk
        assert sum(metric(p, "coop_invoiced_amount_total") for p in live) > 0

        issued = check_books(books, count, built)
        bus.wait_for("month_closed", 1, timeout=30)
        seen = bus.wait_for("invoice_issued", built["due"], timeout=30)
        by_invoice = {}
        for envelope in seen:
            by_invoice.setdefault(envelope["data"]["invoice_id"], set()).add(envelope["event_id"])
        assert set(by_invoice) == set(issued)
        assert all(len(ids) == 1 for ids in by_invoice.values())  # one event per invoice
        closed = bus.of_type("month_closed")[0]["data"]
        assert closed == {"run_id": started["run_id"], "period": PERIOD, "activities": count}
        # every invoice_issued reached declarations and was booked once
        wait_until(lambda: declarations_booked(declarations_uri)[0] == len(issued), 30, 0.2,
                   f"declarations did not book every invoice: {declarations_booked(declarations_uri)}")
        handled, documents, lines = declarations_booked(declarations_uri)
        assert sorted(documents) == sorted(issued)  # each invoice's lines, under one document each
        assert lines == 3 * len(issued)  # grid 03 (21% base), 01 (6% base), 54 (their VAT)

        # re-running the finished run changes nothing
        again = proxy.billing.start_month_end({"period": PERIOD})
        assert (again["run_id"], again["status"], again["chunks_done"]) == (
            started["run_id"], "finished", count // chunk)
        check_books(books, count, built)

        # the period is locked: a payment dated in it is refused, typed
        with pytest.raises(PreconditionFailed):
            proxy.billing.record_payment({"amount": "10.00", "value_date": "2026-11-20",
                                          "invoice_id": issued[0]})
    books.dispose()


def test_a_failing_chunk_is_dead_lettered_shown_and_replayed(
        backend, make_db, start_service, cluster, rabbit_config, record_events):
    from services.billing.service import BillingService

    uri = make_db("billing")
    books = Books(uri)
    built = build(books, 12)
    # a template line broken behind the rules' back: its chunk fails on every attempt
    with books.tx() as s:
        broken = s.execute(select(RecurringInvoiceLine).join(RecurringInvoice).where(
            RecurringInvoice.frequency == "monthly").order_by(RecurringInvoiceLine.id).limit(1)).scalar_one()
        broken.vat_category, broken.vat_rate = "Z", Decimal("21.00")
        broken_id = broken.id
    bus = record_events("billing")
    start_service(BillingService, uri)
    with ClusterRpcProxy(rabbit_config, timeout=30, context_data={"auth": STAFF}) as proxy:
        started = proxy.billing.start_month_end({"period": PERIOD, "chunk_size": 4})
        status = follow(proxy, started["run_id"], lambda s: s["chunks_done"] + s["chunks_failed"] == 3)
        assert (status["chunks_done"], status["chunks_failed"], status["activities_failed"],
                status["status"]) == (2, 1, 4, "running")
        def parked_chunks():  # the last failure is counted just before the handler parks it
            return [m for m in list_parked(rabbit_config["AMQP_URI"], "billing")
                    if m.event_type == "month_end_chunk_ready"]

        wait_until(parked_chunks, 10, 0.1, "the failed chunk was not parked")
        parked = parked_chunks()
        assert len(parked) == 1 and "vat_rate" in parked[0].error
        assert not bus.of_type("month_closed")

        with books.tx() as s:  # the data is repaired, the chunk replayed
            s.execute(update(RecurringInvoiceLine).where(RecurringInvoiceLine.id == broken_id)
                      .values(vat_category="S"))
        replay(rabbit_config["AMQP_URI"], "billing", parked[0].event_id)
        final = follow(proxy, started["run_id"], lambda s: s["status"] == "finished")
        assert (final["chunks_done"], final["chunks_failed"]) == (3, 0)
        bus.wait_for("month_closed", 1, timeout=20)
        check_books(books, 12, built)
    books.dispose()


def test_recurring_invoices_over_rpc_follow_the_line_rules_and_their_owner(platform, member_cluster):
    member_id = platform.admit()
    activity_id, client_id = platform.activity(member_id), platform.client()
    template = {"activity_id": activity_id, "client_id": client_id, "frequency": "quarterly",
                "start_date": "2026-12-01", "end_date": "2027-11-30", "lines": [
                    {"description": "Workshop", "quantity": "2", "unit_price": "150.00",
                     "vat_category": "S", "vat_rate": "21"},
                    {"description": "Book", "quantity": "1", "unit_price": "20.00",
                     "vat_category": "S", "vat_rate": "6"}]}
    me = member_cluster({"member_id": member_id, "roles": ["member"]})
    created = me.billing.create_recurring_invoice(template)
    assert (created["frequency"], created["end_date"], [ln["vat_rate"] for ln in created["lines"]]) == (
        "quarterly", "2027-11-30", ["21.00", "6.00"])
    assert me.billing.get_recurring_invoice(created["id"])["id"] == created["id"]
    assert [t["id"] for t in me.billing.list_recurring_invoices()] == [created["id"]]
    stranger = member_cluster({"member_id": platform.admit(), "roles": ["member"]})
    assert stranger.billing.list_recurring_invoices() == []
    with pytest.raises(Forbidden):
        stranger.billing.get_recurring_invoice(created["id"])
    for broken, field in (({"frequency": "weekly"}, "frequency"),
                          ({"lines": []}, "lines"),
                          ({"lines": [{**template["lines"][0], "unit_price": "1.005"}]}, "lines.0.unit_price")):
        with pytest.raises(ValidationError) as refused:
            me.billing.create_recurring_invoice({**template, **broken})
        assert field in refused.value.fields
    assert len(platform.billing.list_recurring_invoices()) == 1  # nothing written


def test_a_locked_period_refuses_entries_dated_in_it_over_rpc(platform, member_cluster):
    activity_id, client_id = platform.activity(), platform.client()
    invoice = platform.invoice(activity_id, client_id)
    with pytest.raises(Forbidden):
        member_cluster({"member_id": str(uuid.uuid4()), "roles": ["member"]}).billing.lock_period(
            {"period": "2026-10"})
    platform.billing.lock_period({"period": "2026-10", "activity_id": activity_id})
    with pytest.raises(PreconditionFailed) as refused:
        platform.billing.record_payment({"amount": "10.00", "value_date": "2026-10-31",
                                         "invoice_id": invoice["id"]})
    assert "entry_date" in refused.value.fields
    paid = platform.billing.record_payment({"amount": "10.00", "value_date": "2026-11-02",
                                            "invoice_id": invoice["id"]})
    assert paid["applied"] == "10.00"


def test_coop_month_end_follows_the_run_and_exits_non_zero_on_failed_chunks(
        make_db, start_service, rabbit_config):
    """The operator's command: starts (or finds) the run, follows it, says what failed."""
    import os
    import subprocess
    import sys

    from services.billing.service import BillingService
    from shared.config import ROOT

    uri = make_db("billing")
    books = Books(uri)
    build(books, 8)
    with books.tx() as s:  # one chunk cannot be issued
        broken = s.execute(select(RecurringInvoiceLine).join(RecurringInvoice).where(
            RecurringInvoice.frequency == "monthly").order_by(RecurringInvoiceLine.id).limit(1)).scalar_one()
        broken.vat_category = "Z"
    books.dispose()
    start_service(BillingService, uri)
    env = dict(os.environ, AMQP_URI=rabbit_config["AMQP_URI"], COLUMNS="120")
    command = [sys.executable, "-m", "coop.cli", "month-end", PERIOD, "--follow", "--chunk-size", "4",
               "--interval", "0.1"]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1/2 chunks done" in done.stdout and "1 failed" in done.stdout
    again = subprocess.run(command[:5], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1 and "(running)" in again.stdout  # found, not started twice
