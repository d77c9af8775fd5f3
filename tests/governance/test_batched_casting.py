"""Ballots cast together in one transaction (``voting.cast_votes``, behind the service's group
commit) follow the same rules as ballots cast one by one: each request gets its own receipt or
error, and a refused request leaves nothing behind (no participation, ballot, attendance or
revoked proxy)."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from services.governance.domain import assemblies, voting
from services.governance.models import Attendance, Ballot, Participation, Proxy
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationError
from tests.governance.conftest import MEETING, RECORD, RESOLUTION, TODAY, seed_member

NOW = dt.datetime.now(dt.UTC)


def _request(item_id, voter, choice="for", on_behalf_of=None, candidates=None):
    return {"item_id": item_id, "voter_id": voter, "on_behalf_of": on_behalf_of, "choice": choice,
            "candidates": candidates}


@pytest.fixture
def assembly(session):
    members = [seed_member(session, n) for n in range(1, 10)]
    late = seed_member(session, 10, admitted_on=TODAY)  # admitted after the record date
    session.commit()
    assembly = assemblies.convene(session, {
        "kind": "ordinary", "title": "AG", "meeting_date": MEETING, "record_date": RECORD,
        "agenda": [RESOLUTION, {"kind": "resolution", "title": "Not opened yet"}]}, TODAY, None)
    session.commit()
    first, second = assemblies.items_of(session, assembly.id)
    voting.open_vote(session, first.id, NOW)
    session.commit()
    return assembly, first.id, second.id, members, late


def _count(session, model, **where):
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return session.execute(query).scalar_one()


def test_a_batch_gives_each_request_the_outcome_a_single_cast_would(session, assembly, backend):
    meeting, item, closed_item, (a, b, c, d, e, holder, grantor, in_person, _), late = assembly
    assemblies.grant_proxy(session, meeting.id, grantor, holder, NOW)
    assemblies.grant_proxy(session, meeting.id, in_person, d, NOW)
    session.commit()
    voting.cast_vote(session, item, e, None, "against", None, NOW)  # voted before the batch
    session.commit()

    requests = [
        _request(item, a),                                  # 0 accepted
        _request(item, a, "against"),                       # 1 same member again in the batch
        _request(item, b, "maybe"),                         # 2 not a choice
        _request(item, late),                               # 3 not on the roll
        _request(item, c, on_behalf_of=grantor),            # 4 holds no proxy for the grantor
        _request(item, holder, "against", on_behalf_of=grantor),  # 5 accepted, by proxy
        _request(closed_item, d),                           # 6 vote not open
        _request(str(uuid.uuid4()), d),                     # 7 no such item
        _request(item, e),                                  # 8 voted in an earlier transaction
        _request(item, grantor),                            # 9 their holder voted for them above
        _request(item, in_person, "abstain"),               # 10 accepted: revokes their proxy
    ]
    outcomes = voting.cast_votes(session, requests, NOW)
    session.commit()

    kinds = [type(o).__name__ if isinstance(o, Exception) else "receipt" for o in outcomes]
    assert kinds == ["receipt", "Conflict", "ValidationError", "Forbidden", "Forbidden", "receipt",
                     "PreconditionFailed", "NotFound", "Conflict", "Conflict", "receipt"]
    assert isinstance(outcomes[1], Conflict) and isinstance(outcomes[2], ValidationError)
    assert isinstance(outcomes[3], Forbidden) and isinstance(outcomes[6], PreconditionFailed)
    assert isinstance(outcomes[7], NotFound)
    assert outcomes[5]["member_id"] == grantor and outcomes[5]["cast_by"] == holder
    assert len({outcomes[i]["receipt"] for i in (0, 5, 10)}) == 3

    # exactly what the accepted requests wrote, nothing of the refused ones
    voted = set(session.execute(select(Participation.member_id).where(Participation.item_id == item)).scalars())
    assert voted == {a, grantor, in_person, e}
    assert _count(session, Ballot, item_id=item) == 4
    assert _count(session, Participation, item_id=closed_item) == 0
    present = set(session.execute(select(Attendance.member_id)
                                  .where(Attendance.assembly_id == meeting.id)).scalars())
    assert present == {a, holder, in_person, e}
    # the member who came in person revoked their proxy; the grantor's proxy stays in force
    revoked = dict(session.execute(select(Proxy.grantor_id, Proxy.revoked_reason)
                                   .where(Proxy.assembly_id == meeting.id)).all())
    assert revoked == {in_person: "attends_in_person", grantor: None}

    tally = voting.tally_resolution(session, item)
    assert tally["ballots"] == {"for": 1, "against": 2, "abstain": 1, "blank": 0}
    for index in (0, 5, 10):
        assert voting.verify_receipt(session, item, outcomes[index]["receipt"])["in_ballot_box"]


def test_a_batch_where_every_request_is_refused_writes_nothing(session, assembly, backend):
    meeting, item, closed_item, members, late = assembly
    outcomes = voting.cast_votes(session, [_request(closed_item, members[0]), _request(item, late)], NOW)
    session.commit()
    assert [type(o) for o in outcomes] == [PreconditionFailed, Forbidden]
    assert _count(session, Participation) == 0 and _count(session, Ballot) == 0
    assert _count(session, Attendance) == 0
