import pytest

from services.membership.service import MembershipService
from tests.membership.helpers import Membership


@pytest.fixture
def membership(start_service, make_db, cluster):
    """The membership service running on a fresh database of the test's backend."""
    db_uri = make_db("membership")
    start_service(MembershipService, db_uri)
    helper = Membership(cluster.membership, db_uri)
    yield helper
    helper.dispose()


@pytest.fixture
def events(record_events):
    return record_events("membership")


@pytest.fixture
def session(make_db):
    """A session on a fresh migrated database, for rule tests that need no broker."""
    from sqlalchemy.orm import Session

    from shared.db import make_engine

    engine = make_engine(make_db("membership"), pool_size=1)
    with Session(engine) as session:
        yield session
    engine.dispose()
