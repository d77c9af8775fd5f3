"""Billing test helpers.

Policy (as nameko-examples states it): the broker and the databases are real; what lies
outside billing's bounded context (membership, resources, declarations) is played by
publishing its events or, for declarations' payslip computation, by a small fake service.
"""
import datetime as dt
import uuid
from decimal import Decimal

import pytest

from services.billing.domain import activities, clients, invoices, members
from shared.standing import STATUS_AFTER
from shared.testing import MigratedDatabase

TODAY = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)


class Books(MigratedDatabase):
    """A billing database reached through the domain functions, one transaction per ``tx()``."""

    def admit(self, member_id=None, paid_shares=1, at=NOW):
        member_id = member_id or str(uuid.uuid4())
        with self.tx() as s:
            members.apply_event(s, "member_admitted", {"member_id": member_id, "paid_shares": paid_shares}, at)
        return member_id

    def activity(self, member_id=None):
        member_id = member_id or self.admit()
        with self.tx() as s:
            return activities.open_activity(s, member_id, "Studio", TODAY).id

    def client(self, **overrides):
        data = {"kind": "company", "name": "Brasserie Cantillon", "vat_number": "BE0403019261",
                "country": "BE", "street": "Rue Gheude 56", "city": "Anderlecht",
                "postal_code": "1070", "email": "ap@example.be"}
        data.update(overrides)
        with self.tx() as s:
            return clients.register(s, data, None).id

    def invoice(self, activity_id, client_id, lines, issue=True, today=TODAY):
        with self.tx() as s:
            invoice = invoices.create(s, {"activity_id": activity_id, "client_id": client_id,
                                          "lines": [line_data(*ln) for ln in lines]}, today)
            s.flush()
            if issue:
                invoices.issue(s, invoice.id, today, "F")
            return invoice.id

    def balance(self, activity_id):
        with self.tx() as s:
            return activities.balance(s, activity_id)

def line_data(quantity, price, rate="21", category="S", description="Work", reason=None):
    return {"description": description, "quantity": Decimal(quantity), "unit_price": Decimal(price),
            "vat_category": category, "vat_rate": Decimal(rate), "exemption_reason": reason}


@pytest.fixture
def books(migrated_db):
    return migrated_db("billing", Books)


@pytest.fixture
def fake_declarations(container_factory, rabbit_config):
    from tests.billing.fake_declarations import FakeDeclarations

    FakeDeclarations.calls = []
    container = container_factory(FakeDeclarations, {"AMQP_URI": rabbit_config["AMQP_URI"]})
    container.start()
    return FakeDeclarations


class Platform:
    """Billing running in this process, fed membership events as membership would send them."""

    def __init__(self, cluster, publish_event, db_uri):
        self.cluster, self.publish_event, self.db_uri = cluster, publish_event, db_uri
        self.billing = cluster.billing

    def admit(self, member_id=None):
        member_id = member_id or str(uuid.uuid4())
        self.member_event("member_admitted", member_id, number=1, member_class="A",
                          admitted_on="2026-01-05", paid_shares=1)
        return member_id

    def member_event(self, event_type, member_id, **data):
        from shared.testing import wait_until

        self.publish_event("membership", event_type, {"member_id": member_id, **data})
        expected = STATUS_AFTER[event_type]

        def applied():
            try:
                return self.billing.member_standing(member_id)["status"] == expected
            except Exception:
                return False

        wait_until(applied, 10, message=f"billing did not apply {event_type}")

    def activity(self, member_id=None):
        return self.billing.open_activity({"member_id": member_id or self.admit(), "name": "Studio"})["id"]

    def client(self):
        return self.billing.register_client({
            "kind": "company", "name": "Brasserie Cantillon", "vat_number": "BE 0403.019.261",
            "country": "BE", "street": "Rue Gheude 56", "city": "Anderlecht", "postal_code": "1070",
            "email": "ap@example.be"})["id"]

    def invoice(self, activity_id, client_id, lines=(("1", "100.00", "21"),), issue=True):
        draft = self.billing.create_invoice({"activity_id": activity_id, "client_id": client_id, "lines": [
            {"description": "Work", "quantity": q, "unit_price": p, "vat_category": "S", "vat_rate": r}
            for q, p, r in lines]})
        return self.billing.issue_invoice(draft["id"]) if issue else draft


@pytest.fixture
def platform(start_service, make_db, cluster, publish_event):
    from services.billing.service import BillingService

    db_uri = make_db("billing")
    start_service(BillingService, db_uri)
    return Platform(cluster, publish_event, db_uri)
