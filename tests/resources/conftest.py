import pytest

from tests.resources.helpers import Db


@pytest.fixture
def db(migrated_db):
    """A fresh migrated resources database for the test's backend."""
    return migrated_db("resources", Db)
