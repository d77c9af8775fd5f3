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
def session(db_session):
    """A session on a fresh migrated database, for rule tests that need no broker."""
    return db_session("membership", expire_on_commit=True, pool_size=1)
