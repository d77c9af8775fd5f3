"""Billing's invoices and credit notes booked in batches (``record_invoices``,
``record_credit_notes``, the batch handlers) give the declarations that booking them one by one
gives; a declarations process killed while it books them records each one exactly once."""
import eventlet
import pytest
from sqlalchemy import func, select

from services.declarations.domain import intake, ledger, periods, reports, store
from services.declarations.models import Base, Declaration, DeclarationLine
from shared.contracts import taking
from shared.db import inbox_table, make_engine
from shared.errors import ValidationError
from shared.parameters import load_book
from shared.testing import wait_until
from tests.declarations.conftest import credit_note, invoice

# what declarations takes of billing's documents (its handlers declare the same fields)
InvoiceIssued = taking("billing", "invoice_issued", ("invoice_id", "issue_date", "vat_breakdown"))
CreditNoteIssued = taking("billing", "credit_note_issued", ("credit_note_id", "issue_date", "vat_breakdown"))

STAFF = {"member_id": "00000000-0000-0000-0000-000000000001", "roles": ["staff"]}


def documents():
    """Invoices and credit notes over two quarters, every category, one invoice twice."""
    invoices = [
        invoice("2026-01-10", ("S", "21.00", "1000.00", "210.00"), ("S", "6.00", "200.00", "12.00")),
        invoice("2026-02-03", ("S", "21.00", "333.33", "70.00"), ("S", "12.00", "100.00", "12.00"),
                ("E", "0.00", "50.00", "0.00")),
        invoice("2026-03-31", ("AE", "0.00", "400.00", "0.00"), ("K", "0.00", "250.00", "0.00")),
        invoice("2026-03-15", ("Z", "0.00", "10.00", "0.00"), ("G", "0.00", "20.00", "0.00"),
                ("S", "0.00", "5.00", "0.00")),
        invoice("2026-04-01", ("S", "21.00", "999.00", "209.79")),
        invoice("2026-05-20", ("S", "21.00", "10.00", "2.10"), ("S", "21.00", "20.00", "4.20")),
        invoice("2026-01-25", ("S", "6.00", "300.00", "18.00")),
    ]
    invoices.append(dict(invoices[1]))  # the same invoice under another event
    notes = [credit_note("2026-03-01", ("S", "21.00", "100.00", "21.00")),
             credit_note("2026-03-02", ("AE", "0.00", "40.00", "0.00"), ("S", "6.00", "10.00", "0.60")),
             credit_note("2026-06-30", ("K", "0.00", "25.00", "0.00"))]
    return ([InvoiceIssued.load(d) for d in invoices], [CreditNoteIssued.load(d) for d in notes])


@pytest.fixture
def sessions(db_session):
    return [db_session("declarations", expire_on_commit=True) for _ in range(2)]


def snapshot(session):
    """Every declaration (by kind, period, reference) with its lines in the order they were
    written, and its report: everything but the generated ids and instants."""
    out = {}
    for declaration in session.execute(select(Declaration).order_by(Declaration.kind, Declaration.period)).scalars():
        lines = [(line.code, line.amount, line.document_kind, line.document_id, line.member_id, line.regime,
                  line.period_of, line.regularisation) for line in store.lines(session, declaration)]
        content = reports.content(session, declaration)
        content.pop("declaration_id", None)
        out[(declaration.kind, declaration.period, declaration.reference)] = (
            declaration.status, declaration.due_date, lines, content)
    return out


def submit(session, kind, period):
    declaration = store.find(session, kind, period)
    ledger.mark_ready(session, declaration.id)
    ledger.mark_submitted(session, declaration.id, "<file/>", None, None)


@pytest.mark.parametrize("periodicity", [periods.QUARTERLY, periods.MONTHLY])
def test_a_batch_books_the_same_declarations_as_one_by_one(sessions, periodicity):
    one_by_one, batched = sessions
    invoices, notes = documents()
    # before the batch: an invoice already booked, and a return submitted (late documents of
    # its period go to the next open return, flagged as regularisations)
    first_period = periods.period_of(invoices[0]["issue_date"], periodicity)
    for session in sessions:
        book = load_book(session)
        intake.record_invoice(session, book, invoices[0], periodicity)
        submit(session, "vat", first_period)
        session.commit()

    book = load_book(one_by_one)
    for data in invoices:
        intake.record_invoice(one_by_one, book, data, periodicity)
    for data in notes:
        intake.record_credit_note(one_by_one, book, data, periodicity)
    one_by_one.commit()

    book = load_book(batched)
    intake.record_invoices(batched, book, invoices, periodicity)
    intake.record_credit_notes(batched, book, notes, periodicity)
    batched.commit()

    expected, found = snapshot(one_by_one), snapshot(batched)
    assert found == expected
    count = select(func.count()).select_from(DeclarationLine)
    assert batched.execute(count).scalar() == one_by_one.execute(count).scalar() > 20
    regularised = [line for _, _, lines, _ in found.values() for line in lines if line[-1]]
    assert regularised, "a document of the submitted period should be a regularisation"
    # booked again, nothing changes
    intake.record_invoices(batched, book, invoices, periodicity)
    intake.record_credit_notes(batched, book, notes, periodicity)
    batched.commit()
    assert snapshot(batched) == expected


def test_a_batch_with_a_rate_belgium_does_not_have_is_refused_whole(sessions):
    session = sessions[0]
    book = load_book(session)
    good = InvoiceIssued.load(invoice("2026-01-10", ("S", "21.00", "100.00", "21.00")))
    bad = InvoiceIssued.load(invoice("2026-01-11", ("S", "19.00", "100.00", "19.00")))
    with pytest.raises(ValidationError):
        intake.record_invoices(session, book, [good, bad], periods.QUARTERLY)
    session.rollback()
    assert session.execute(select(func.count()).select_from(DeclarationLine)).scalar() == 0


def inbox_count(db_uri, handler="declarations.on_invoice_issued") -> int:
    engine = make_engine(db_uri)
    inbox = inbox_table(Base.metadata)
    try:
        with engine.connect().execution_options(read_only=True) as connection:  # no write lock
            return connection.execute(select(func.count()).select_from(inbox)
                                      .where(inbox.c.handler == handler)).scalar()
    finally:
        engine.dispose()


def booked(db_uri) -> tuple[int, int]:
    """(lines, distinct invoices) in the VAT returns."""
    engine = make_engine(db_uri)
    try:
        with engine.connect().execution_options(read_only=True) as connection:  # no write lock
            return tuple(connection.execute(select(func.count(), func.count(func.distinct(
                DeclarationLine.document_id))).where(DeclarationLine.document_kind == "invoice")).one())
    finally:
        engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("kill", ["after_commit", "mid_stream"])
def test_a_killed_declarations_process_books_every_invoice_once_after_its_restart(
        kill, make_db, service_process, publish_event, member_cluster, backend):
    """``after_commit``: the process dies right after a batch committed, before acknowledging
    it (a failpoint); ``mid_stream``: it is killed while it books. Either way, after a restart
    every invoice is booked once and the grids are the sums of the invoices."""
    count = 600
    db_uri = make_db("declarations")
    env = {"COOP_FAILPOINTS": "event_batch_before_ack"} if kill == "after_commit" else {}
    victim = service_process("declarations", db_uri, env).wait_ready()

    def publish_all():
        for n in range(count):
            publish_event("billing", "invoice_issued",
                          invoice("2026-02-10", ("S", "21.00", f"{n + 1}.00", f"{(n + 1) * 21 / 100:.2f}")))

    publisher = eventlet.spawn(publish_all)  # billing goes on publishing while declarations dies
    if kill == "after_commit":
        assert victim.wait_exit(30) == -9
    else:
        wait_until(lambda: inbox_count(db_uri) > 0, timeout=30)
        victim.kill()
    at_kill = inbox_count(db_uri)
    publisher.wait()
    assert 0 < at_kill < count, "the process should have died in the middle of the invoices"
    service_process("declarations", db_uri).wait_ready()  # the restart
    wait_until(lambda: inbox_count(db_uri) == count, timeout=60, message="not every invoice was booked")
    assert booked(db_uri) == (2 * count, count)  # grids 03 and 54, once per invoice
    staff = member_cluster(STAFF)
    totals = staff.declarations.vat_return({"period": "2026-Q1"})["totals"]
    base = sum(range(1, count + 1))
    assert totals["03"] == f"{base}.00"
    assert totals["54"] == f"{sum(round((n + 1) * 21 / 100, 2) for n in range(count)):.2f}"
