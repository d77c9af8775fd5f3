"""Which return a figure lands in, checked on the domain with a real database (no broker)."""
from decimal import Decimal

import pytest

from services.declarations.domain import intake, ledger, reports, store
from services.declarations.service import PAYOUT_FIELDS
from shared.contracts import taking
from shared.errors import PreconditionFailed
from shared.parameters import load_book
from tests.declarations.conftest import payout


@pytest.fixture
def session(db_session):
    return db_session("declarations", expire_on_commit=True)


def withholding(session, month):
    declaration = store.find(session, "withholding", month)
    return declaration, reports.content(session, declaration)


def test_a_payout_cancelled_after_its_274_was_submitted_is_reversed_in_the_next_month(session):
    book = load_book(session)
    data = taking("billing", "salary_payout_approved", PAYOUT_FIELDS).load(payout(["2026-03-02"], "2026-03-06"))
    intake.record_payout(session, book, data)
    march, figures = withholding(session, "2026-03")
    assert figures["totals"]["withholding_tax"] == Decimal("414.20")
    ledger.mark_ready(session, march.id)
    ledger.mark_submitted(session, march.id, "<file/>", None, "274-3")
    session.commit()

    intake.cancel_payout(session, book, data["payout_id"])
    session.commit()
    _, march_after = withholding(session, "2026-03")
    april, april_figures = withholding(session, "2026-04")
    assert march_after["totals"]["gross"] == Decimal("3000.00")
    assert april_figures["totals"] == {"gross": Decimal("-3000.00"), "taxable": Decimal("-2607.90"),
                                       "withholding_tax": Decimal("-414.20")}
    assert {(r["period_of"], r["document_kind"]) for r in april_figures["regularisations"]} == {
        ("2026-03", "payout_cancel")}
    # the same quarter's DmfA was still open: the occupation simply nets to nothing
    dmfa = store.find(session, "dmfa", "2026-Q1")
    assert reports.content(session, dmfa)["workers"] == []
    assert intake.cancel_payout(session, book, data["payout_id"]) is None  # already cancelled


def test_a_submitted_declaration_cannot_be_made_ready_again(session):
    book = load_book(session)
    declaration, created = ledger.open_declaration(session, book, "vat", "2026-Q3")
    assert created and declaration.due_date.isoformat() == "2026-10-25"
    ledger.mark_ready(session, declaration.id)
    ledger.mark_submitted(session, declaration.id, "<file/>", None, None)
    with pytest.raises(PreconditionFailed):
        ledger.mark_ready(session, declaration.id)
    assert ledger.ready_period(session, book, "vat", "2026-Q3") is None
