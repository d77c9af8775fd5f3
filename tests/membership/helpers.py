"""Building members through the membership service, and looking at what it wrote."""
import datetime as dt
import itertools

from sqlalchemy import create_engine, func, select, text

from services.membership.models import Base
from shared.db import make_engine

TODAY = dt.date.today()
LAST_YEAR = TODAY.year - 1
TABLES = ("members", "share_register", "member_status_changes", "role_grants", "outbox")
# valid Belgian national numbers and IBANs (checksums correct)
NISS = "85073003328"
IBAN = "BE71 0961 2345 6769"

_emails = itertools.count(1)


def day(month_day: str, year: int = LAST_YEAR) -> str:
    """A date of last year (so never in the future), e.g. day("03-01")."""
    return f"{year}-{month_day}"


class Membership:
    """The running service (``rpc``) and its database (``db_uri``)."""

    def __init__(self, rpc, db_uri: str):
        self.rpc = rpc
        self.db_uri = db_uri
        self._engine = None

    @property
    def engine(self):
        if self._engine is None:
            # SQLite: a plain deferred reader (WAL), which never waits for the service's writer
            self._engine = (create_engine(self.db_uri) if self.db_uri.startswith("sqlite")
                            else make_engine(self.db_uri, pool_size=1))
        return self._engine

    def counts(self) -> dict:
        with self.engine.connect() as connection:
            return {table: connection.execute(
                select(func.count()).select_from(Base.metadata.tables[table])).scalar_one()
                for table in TABLES}

    def sql(self, statement: str, **params) -> list:
        with self.engine.connect() as connection:
            return connection.execute(text(statement), params).all()

    def applicant(self, member_class="A", applied_on=None, **overrides) -> dict:
        n = next(_emails)
        application = {"first_name": f"Ada{n}", "last_name": "Lovelace",
                       "email": f"ada{n}@example.org", "member_class": member_class,
                       "applied_on": applied_on or day("01-02")}
        application.update(overrides)
        return self.rpc.apply(application)

    def paid_applicant(self, shares=1, on=None, **overrides) -> dict:
        """An applicant who subscribed and paid ``shares`` shares on ``on``."""
        member = self.applicant(**overrides)
        on = on or day("01-05")
        subscription = self.rpc.subscribe_shares(member_id=member["id"], shares=shares,
                                                 effective_date=on)
        self.rpc.record_share_payment(member_id=member["id"], reference=subscription["reference"],
                                      amount=subscription["amount"], effective_date=on)
        return member

    def admitted(self, shares=1, paid_on=None, admitted_on=None, **overrides) -> dict:
        member = self.paid_applicant(shares, paid_on, **overrides)
        return self.rpc.admit(member_id=member["id"], admitted_on=admitted_on or day("01-10"))

    def dispose(self):
        if self._engine is not None:
            self._engine.dispose()
