"""Instants on the wire: an offset is required and everything is kept in UTC."""
import datetime as dt

import pytest

from services.resources import schemas
from shared.errors import ValidationError
from shared.schemas import load

IDS = {"resource_id": "6f1f4a2e-0000-4000-8000-000000000001",
       "member_id": "6f1f4a2e-0000-4000-8000-000000000002",
       "activity_id": "6f1f4a2e-0000-4000-8000-000000000003"}


def test_instants_with_an_offset_are_turned_into_utc():
    loaded = load(schemas.BookIn(), {**IDS, "start": "2026-12-01T10:00:00+01:00", "end": "2026-12-01T10:30:00Z"})
    assert loaded["start"] == dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    assert loaded["end"].utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("start, end, field, message", [
    ("2026-12-01T10:00:00", "2026-12-01T11:00:00Z", "start", "must carry a UTC offset, e.g. 2026-12-01T09:00:00Z"),
    ("2026-12-01T11:00:00Z", "2026-12-01T11:00:00Z", "end", "must be after start"),
    ("2026-12-01T12:00:00+01:00", "2026-12-01T11:00:00Z", "end", "must be after start"),
    ("2026-13-01T10:00:00Z", "2026-12-01T11:00:00Z", "start", "Not a valid datetime."),
    (1764583200, "2026-12-01T11:00:00Z", "start", "must be an ISO-8601 instant string"),
])
def test_naive_invalid_or_backwards_instants_are_refused(start, end, field, message):
    with pytest.raises(ValidationError) as refused:
        load(schemas.BookIn(), {**IDS, "start": start, "end": end})
    assert refused.value.fields == {field: [message]}
