import hashlib

import pytest
from sqlalchemy import DateTime, inspect, text
from sqlalchemy.exc import DBAPIError

from tests.governance.conftest import RESOLUTION

CHOICES = ["for", "against", "abstain"]


def test_a_secret_ballot_cannot_be_joined_to_its_voter_and_every_receipt_verifies(governance, backend):
    g = governance
    voters = g.members(30)
    assembly = g.convene([dict(RESOLUTION, secret=True)])
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)
    # voters vote in a known order with a known pattern, the way an observer would try to link them
    cast = [(voter, CHOICES[i % 3]) for i, voter in enumerate(voters)]
    receipts = [g.rpc.cast_vote({"item_id": item_id, "voter_id": v, "choice": c})["receipt"] for v, c in cast]
    result = g.rpc.close_vote(item_id)["result"]
    assert result["tally"] == {"for": 10, "against": 10, "abstain": 10, "blank": 0}

    with g.reader() as connection:
        tables = inspect(connection)
        ballot_columns = {c["name"]: c for c in tables.get_columns("ballots")}
        participation_columns = {c["name"] for c in tables.get_columns("participations")}
        mark_columns = {c["name"] for c in tables.get_columns("ballot_marks")}
    # no voter, no time, no serial: the ballot's only key is a random UUID
    assert set(ballot_columns) == {"id", "item_id", "choice", "weight", "receipt_hash"}
    assert not any(isinstance(c["type"], DateTime) for c in ballot_columns.values())
    assert participation_columns == {"item_id", "member_id", "cast_by", "choice"}
    assert mark_columns == {"ballot_id", "candidacy_id"}
    # the roll records that each member voted, not how
    assert g.count("SELECT count(*) FROM participations WHERE item_id = :i AND choice IS NULL", i=item_id) == 30
    # the only column the two tables share is the item: "joining" them pairs everyone with everyone
    assert g.count("SELECT count(*) FROM ballots b JOIN participations p ON p.item_id = b.item_id") == 900

    with g.reader() as connection:
        by_id = [r[0] for r in connection.execute(text("SELECT choice FROM ballots ORDER BY id"))]
        if backend == "sqlite":
            # a WITHOUT ROWID table: no hidden insertion counter to sort by
            with pytest.raises(DBAPIError):
                connection.execute(text("SELECT rowid FROM ballots")).all()
            physical = by_id
        else:
            # the ballot box is rewritten in random order when the vote closes
            physical = [r[0] for r in connection.execute(text("SELECT choice FROM ballots ORDER BY ctid"))]
    voting_order = [c for _, c in cast]
    assert sorted(by_id) == sorted(voting_order)
    assert by_id != voting_order and physical != voting_order

    published = g.rpc.vote_results(item_id)["receipts"]
    assert sorted(published) == sorted(hashlib.sha256(r.encode()).hexdigest() for r in receipts)
    for receipt in receipts:
        assert g.rpc.verify_receipt({"item_id": item_id, "receipt": receipt})["counted"] is True
    forged = g.rpc.verify_receipt({"item_id": item_id, "receipt": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"})
    assert forged["counted"] is False


def test_receipts_are_distinct_and_returned_once(governance, backend):
    g = governance
    a, b = g.members(2)
    assembly = g.convene([dict(RESOLUTION, secret=True)])
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)
    first = g.rpc.cast_vote({"item_id": item_id, "voter_id": a, "choice": "for"})["receipt"]
    second = g.rpc.cast_vote({"item_id": item_id, "voter_id": b, "choice": "for"})["receipt"]
    assert first != second and len(first.replace("-", "")) == 24
    # before the count a ballot is in the box but not yet counted
    assert g.rpc.verify_receipt({"item_id": item_id, "receipt": first}) == {
        "item_id": item_id, "receipt_hash": hashlib.sha256(first.encode()).hexdigest(),
        "in_ballot_box": True, "counted": False}
    assert g.count("SELECT count(*) FROM ballots WHERE receipt_hash = :r", r=first) == 0
