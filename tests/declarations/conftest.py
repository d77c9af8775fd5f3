"""Declarations' test helpers: the service with fast settings, and billing's events as the
event contract (docs/contracts.md) describes them, until billing publishes them itself."""
import json
import uuid

import pytest
from kombu import Connection, Producer

import shared.contracts.billing  # noqa: F401  (billing's contract: the events below must satisfy it)
from services.declarations.service import DeclarationsService


@pytest.fixture
def declarations(start_service, make_db):
    """Start the service; returns (container, db_uri). Quarterly VAT unless told otherwise."""

    def start(db_uri=None, **overrides):
        db_uri = db_uri or make_db("declarations")
        settings = {"PARAMETER_CACHE_TTL": 0.2, "DEADLINE_CHECK_INTERVAL": 3600, **overrides}
        return start_service(DeclarationsService, db_uri, **settings), db_uri

    return start


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def publish_raw(rabbit_config):
    """Publish an envelope whatever its data (a malformed event billing's schema would refuse)."""

    def publish(source: str, event_type: str, data: dict) -> None:
        envelope = {"event_id": new_id(), "event_type": event_type, "schema_version": 1,
                    "occurred_at": "2026-01-01T00:00:00+00:00", "source": source,
                    "correlation_id": None, "data": data}
        with Connection(rabbit_config["AMQP_URI"]) as connection:
            Producer(connection.default_channel).publish(
                json.dumps(envelope), exchange=f"{source}.events", routing_key=event_type,
                content_type="application/json", content_encoding="utf-8", delivery_mode=2)

    return publish


def invoice(issue_date, *items, invoice_id=None):
    """``items``: (category, rate, base, vat) tuples of decimal strings."""
    breakdown = [{"category": c, "rate": r, "base": b, "vat": v} for c, r, b, v in items]
    return {"invoice_id": invoice_id or new_id(), "number": "F-2026-000001", "activity_id": new_id(),
            "member_id": new_id(), "client_id": new_id(), "issue_date": issue_date,
            "due_date": issue_date, "currency": "EUR", "total_net": "0.00", "total_vat": "0.00",
            "total_gross": "0.00", "fee": "0.00", "vat_breakdown": breakdown}


def credit_note(issue_date, *items):
    breakdown = [{"category": c, "rate": r, "base": b, "vat": v} for c, r, b, v in items]
    return {"credit_note_id": new_id(), "number": "C-2026-000001", "invoice_id": new_id(),
            "activity_id": new_id(), "member_id": new_id(), "issue_date": issue_date,
            "currency": "EUR", "total_net": "0.00", "total_vat": "0.00", "total_gross": "0.00",
            "fee_reversed": "0.00", "vat_breakdown": breakdown}


def expense(expense_date, category, net, vat, deductible_vat=None):
    return {"expense_id": new_id(), "activity_id": new_id(), "member_id": new_id(),
            "expense_date": expense_date, "approved_on": expense_date, "category": category,
            "net": net, "vat": vat, "gross": "0.00", "deductible_vat": deductible_vat or vat}


def payout(work_dates, pay_date, member_id=None, worker_category="employee", gross="3000.00",
           employee_contributions="392.10", withholding_tax="414.20", net="2193.70",
           employer_contributions="750.00", employer_cost="3750.00"):
    return {"payout_id": new_id(), "member_id": member_id or new_id(), "activity_id": new_id(),
            "work_dates": work_dates, "first_work_date": min(work_dates),
            "last_work_date": max(work_dates), "worker_category": worker_category,
            "pay_date": pay_date, "gross": gross, "employee_contributions": employee_contributions,
            "withholding_tax": withholding_tax, "net": net,
            "employer_contributions": employer_contributions, "employer_cost": employer_cost}
