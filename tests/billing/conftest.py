"""Billing test helpers.

Policy (as nameko-examples states it): the broker and the databases are real; what lies
outside billing's bounded context (membership, resources, declarations) is played by
publishing its events or, for declarations' payslip computation, by a small fake service.
"""
import datetime as dt
import uuid
from contextlib import contextmanager
from decimal import Decimal

import pytest
from sqlalchemy.orm import sessionmaker

from shared.db import make_engine
from services.billing.domain import activities, clients, invoices, members

TODAY = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone.utc)


class Books:
    """A billing database reached through the domain functions, one transaction per ``tx()``."""

    def __init__(self, uri: str):
        self.engine = make_engine(uri)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def tx(self):
        session = self.sessions()
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()

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
                                          "lines": [line_data(*l) for l in lines]}, today)
            s.flush()
            if issue:
                invoices.issue(s, invoice.id, today, "F")
            return invoice.id

    def balance(self, activity_id):
        with self.tx() as s:
            return activities.balance(s, activity_id)

    def dispose(self):
        self.engine.dispose()


def line_data(quantity, price, rate="21", category="S", description="Work", reason=None):
    return {"description": description, "quantity": Decimal(quantity), "unit_price": Decimal(price),
            "vat_category": category, "vat_rate": Decimal(rate), "exemption_reason": reason}


@pytest.fixture
def books(make_db):
    book = Books(make_db("billing"))
    yield book
    book.dispose()
