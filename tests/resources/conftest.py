import pytest

from tests.resources.helpers import Db


@pytest.fixture
def db(make_db):
    """A fresh migrated resources database for the test's backend."""
    database = Db(make_db("resources"))
    yield database
    database.dispose()
