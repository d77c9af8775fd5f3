"""Dated parameters (shared.parameters): the book, the per-process cache, the names, the value
checks (no database, no broker), then a staff change on a migrated database (history, version,
event, refusals that write nothing)."""
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared import parameters as P
from shared.db import make_engine
from shared.errors import NotFound, ValidationError

D = dt.date
ROWS = [("fee_rate", "0.065", D(2017, 1, 1)), ("fee_rate", "0.07", D(2027, 1, 1)),
        ("dunning_delays", "15,30,45", D(2017, 1, 1)), ("payment_terms_days", "30", D(2017, 1, 1))]


def test_the_book_gives_the_value_in_force_on_each_date():
    book = P.ParameterBook(ROWS, version=4)
    assert book.decimal("fee_rate", D(2026, 12, 31)) == Decimal("0.065")
    assert book.decimal("fee_rate", D(2027, 1, 1)) == Decimal("0.07")
    assert book.integer("payment_terms_days", D(2026, 1, 1)) == 30
    assert book.integers("dunning_delays", D(2026, 1, 1)) == [15, 30, 45]
    assert book.names() == ["dunning_delays", "fee_rate", "payment_terms_days"]
    assert book.version == 4


def test_the_book_refuses_an_unknown_name_and_a_date_before_the_first_value():
    book = P.ParameterBook(ROWS)
    with pytest.raises(NotFound):
        book.text("fee_rat", D(2026, 1, 1))
    with pytest.raises(NotFound) as early:
        book.text("fee_rate", D(2016, 12, 31))
    assert "2016-12-31" in early.value.message


def test_a_figure_derived_from_the_book_is_built_once_per_snapshot():
    book = P.ParameterBook(ROWS)
    built = []
    for _ in range(3):
        book.memo("twice the fee", lambda: built.append(1) or book.decimal("fee_rate", D(2026, 1, 1)) * 2)
    assert built == [1] and book.memo("twice the fee", lambda: None) == Decimal("0.130")


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Database:
    """The version row and the rows, counting how often the cache reads them."""

    def __init__(self):
        self.version, self.rows = 1, list(ROWS)
        self.version_reads = self.loads = 0

    def read_version(self):
        self.version_reads += 1
        return self.version

    def load(self):
        self.loads += 1
        return P.ParameterBook(self.rows, self.version)


def test_the_cache_trusts_its_book_for_the_ttl_then_checks_the_version_only():
    clock, db = Clock(), Database()
    cache = P.CachedBook(ttl=1.0, clock=clock)
    for _ in range(1000):
        cache.current(db.read_version, db.load)
    assert (db.version_reads, db.loads) == (0, 1)  # the first read loads; no round trip after
    clock.now += 1.0
    cache.current(db.read_version, db.load)
    assert (db.version_reads, db.loads) == (1, 1)  # the version has not moved: same book


def test_the_cache_reloads_within_the_ttl_of_a_change_made_elsewhere():
    clock, db = Clock(), Database()
    cache = P.CachedBook(ttl=1.0, clock=clock)
    assert cache.current(db.read_version, db.load).text("payment_terms_days", D(2026, 1, 1)) == "30"
    db.rows.append(("payment_terms_days", "45", D(2026, 1, 1)))
    db.version = 2
    clock.now += 0.5
    assert cache.current(db.read_version, db.load).text("payment_terms_days", D(2026, 1, 1)) == "30"
    clock.now += 0.5
    book = cache.current(db.read_version, db.load)
    assert (book.integer("payment_terms_days", D(2026, 1, 1)), book.version, db.loads) == (45, 2, 2)


def test_an_invalidated_cache_checks_the_version_at_its_next_read():
    clock, db = Clock(), Database()
    cache = P.CachedBook(ttl=1.0, clock=clock)
    cache.current(db.read_version, db.load)
    db.version = 2
    cache.invalidate()
    assert cache.current(db.read_version, db.load).version == 2


def test_names_are_namespaced_by_the_owning_service():
    assert P.full_name("billing", "fee_rate") == "billing.fee_rate"
    assert P.local_name("declarations", "declarations.social.employer_rate") == "social.employer_rate"
    assert P.owner_of("governance.convocation_delay_days") == "governance"
    for name in ("fee_rate", "resources.fee_rate", "billing"):
        with pytest.raises(NotFound):
            P.owner_of(name)
    with pytest.raises(NotFound):
        P.local_name("billing", "membership.share_price")


@pytest.mark.parametrize("current, accepted, refused", [
    ("0.065", ["0.07", "1", "-0.5"], ["a lot", "7%", "NaN", "Infinity", ""]),
    ("30", ["45", "0"], ["30.5", "thirty", "1e3"]),
    ("15,30,45", ["10,20", "60"], ["15,30,x", "soon"]),
    ("A,B", ["A,B,C", "one_member_one_vote"], [" "]),
])
def test_a_new_value_keeps_the_shape_of_the_value_in_force(current, accepted, refused):
    for value in accepted:
        P.check_value("billing.x", current, value)
    for value in refused:
        with pytest.raises(ValidationError) as error:
            P.check_value("billing.x", current, value)
        assert "value" in error.value.fields and current in error.value.fields["value"][0]


def test_a_whole_percent_or_rate_may_take_decimals_but_a_delay_may_not():
    P.check_value("governance.share_vote_cap_percent", "10", "12.5")
    P.check_value("declarations.social.basis_percent.artist", "100", "108.5")
    with pytest.raises(ValidationError):
        P.check_value("governance.convocation_delay_days", "15", "15.5")
    with pytest.raises(ValidationError):
        P.check_value("governance.share_vote_cap_percent", "10", "ten")


# ---- on a migrated database (both backends) ----

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def billing_session(make_db):
    engine = make_engine(make_db("billing"))
    with Session(engine) as session:
        yield session
    engine.dispose()


def _count(session) -> int:
    return session.execute(select(func.count()).select_from(P.PARAMETERS)).scalar_one()


def test_a_change_supersedes_the_value_of_its_date_and_writes_its_event(billing_session):
    session, emitted = billing_session, []

    def emit(event_type, data, aggregate_id=None):
        emitted.append((event_type, data["name"], data["value"], aggregate_id))

    version = P.current_version(session)
    P.set_parameter(session, "fee_rate", "0.07", D(2027, 1, 1), "board decision 2026-11", "staff-1", NOW,
                    emit, public_name="billing.fee_rate")
    P.set_parameter(session, "fee_rate", "0.068", D(2027, 1, 1), "board decision corrected", "staff-2",
                    NOW + dt.timedelta(hours=1), emit, public_name="billing.fee_rate")
    session.commit()
    rows = P.history(session, "fee_rate")
    assert [(r.value, r.effective_from, r.recorded_by, r.superseded_at is not None) for r in rows] == [
        ("0.065", D(2017, 1, 1), None, False), ("0.07", D(2027, 1, 1), "staff-1", True),
        ("0.068", D(2027, 1, 1), "staff-2", False)]
    assert rows[0].source.startswith("smartbe.be")  # the migration kept the shipped source
    assert P.value_on(rows, D(2026, 12, 31)) == "0.065" and P.value_on(rows, D(2027, 1, 1)) == "0.068"
    assert P.current_version(session) == version + 2
    assert emitted == [("parameter_changed", "billing.fee_rate", "0.07", "billing.fee_rate"),
                       ("parameter_changed", "billing.fee_rate", "0.068", "billing.fee_rate")]


def test_a_refused_change_writes_nothing(billing_session):
    session, emitted = billing_session, []
    before, version = _count(session), P.current_version(session)
    with pytest.raises(ValidationError):
        P.set_parameter(session, "fee_rate", "a lot", D(2027, 1, 1), "typo", None, NOW,
                        lambda *a, **k: emitted.append(a))
    with pytest.raises(NotFound):
        P.set_parameter(session, "fee_rat", "0.07", D(2027, 1, 1), "typo", None, NOW,
                        lambda *a, **k: emitted.append(a))
    session.rollback()
    assert (_count(session), P.current_version(session), emitted) == (before, version, [])


def test_a_session_of_a_service_reads_the_cached_book_and_its_own_change(billing_session):
    session = billing_session
    cache = P.CachedBook(ttl=60)
    session.info[P.SESSION_KEY] = cache
    assert P.decimal(session, "fee_rate", D(2027, 1, 1)) == Decimal("0.065")
    cached = cache.book
    P.set_parameter(session, "fee_rate", "0.07", D(2027, 1, 1), "board decision", None, NOW,
                    lambda *a, **k: None)
    # the transaction that made the change sees it; the process's cache is left to the version check
    assert P.decimal(session, "fee_rate", D(2027, 1, 1)) == Decimal("0.07")
    assert cache.book is cached and cached.decimal("fee_rate", D(2027, 1, 1)) == Decimal("0.065")
