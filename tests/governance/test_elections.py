import datetime as dt

import pytest

from services.governance.domain import elections
from shared.errors import ValidationError
from tests.governance.conftest import MEETING

ELECTION = {"kind": "election", "title": "Board: two seats", "seats": 2, "tie_break": "seniority"}


def test_board_election_tie_is_broken_by_seniority_of_membership(governance, record_events, backend):
    recorder = record_events("governance")
    g = governance
    # candidates: numbers 1 to 4; number 2 is the longer-standing member of the tied pair
    ann, ben, cat, dan = (g.admit(number=n) for n in (1, 3, 2, 4))
    voters = g.members(4)
    assembly = g.convene([ELECTION])
    item_id = assembly["agenda"][0]["id"]
    cand = {m: g.rpc.declare_candidacy({"item_id": item_id, "member_id": m})["id"]
            for m in (ann, ben, cat, dan)}
    g.rpc.open_vote(item_id)
    ballots = [[ann, ben], [ann, cat], [ann, ben], [cat, dan]]  # ann 3, ben 2, cat 2, dan 1
    for voter, chosen in zip(voters, ballots, strict=False):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": voter, "candidates": [cand[c] for c in chosen]})
    with pytest.raises(ValidationError):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": ann,
                         "candidates": [cand[ann], cand[ben], cand[cat]]})

    result = g.rpc.close_vote(item_id)["result"]

    assert [(c["member_id"], c["votes"]) for c in result["candidates"]] == [
        (ann, 3), (cat, 2), (ben, 2), (dan, 1)]
    assert [e["member_id"] for e in result["elected"]] == [ann, cat]
    assert set(result["tie_broken"]) == {ben, cat}
    ends_on = MEETING.replace(year=MEETING.year + 3).isoformat()
    assert result["elected"][0]["ends_on"] == ends_on
    [event] = recorder.wait_for("board_elected")
    assert event["data"]["tie_broken"] is True and event["data"]["tie_break"] == "seniority"
    assert [e["member_id"] for e in event["data"]["elected"]] == [ann, cat]
    board = g.rpc.board({"on": MEETING.isoformat()})
    assert {m["member_id"] for m in board["members"]} == {ann, cat}


def test_a_tie_drawn_by_lot_is_replayable_from_the_recorded_seed():
    counts = [{"candidacy_id": f"c{i}", "member_id": f"m{i}", "number": i, "votes": v}
              for i, v in enumerate([5, 3, 3, 3])]
    first = elections.rank_candidates(counts, "lot", seed="5eed")
    again = elections.rank_candidates(counts, "lot", seed="5eed")
    assert first == again
    assert first[0]["candidacy_id"] == "c0"
    assert {c["candidacy_id"] for c in first[1:]} == {"c1", "c2", "c3"}
    assert elections._tie_at_boundary(first, 2) == ["m" + c["candidacy_id"][1:] for c in first[1:]]


def test_staggered_terms_renew_part_of_the_board_each_year(session, backend):
    from services.governance.domain import assemblies, voting
    from tests.governance.conftest import RECORD, TODAY, seed_member

    now = dt.datetime.now(dt.UTC)
    members = [seed_member(session, n) for n in range(1, 7)]
    session.commit()
    assembly = assemblies.convene(session, {
        "kind": "ordinary", "title": "AG", "meeting_date": MEETING, "record_date": RECORD, "agenda": [
            {"kind": "election", "title": "Two seats for three years", "seats": 2, "term_years": 3},
            {"kind": "election", "title": "One seat for one year", "seats": 1, "term_years": 1}]},
        TODAY, None)
    long_term, short_term = assemblies.items_of(session, assembly.id)
    session.commit()
    for item, candidates in ((long_term, members[:2]), (short_term, members[2:3])):
        ids = [elections.declare_candidacy(session, item.id, m, now).id for m in candidates]
        voting.open_vote(session, item.id, now)
        for voter in members[3:]:
            voting.cast_vote(session, item.id, voter, None, None, ids, now)
        voting.close_vote(session, item.id, now)
        session.commit()

    next_year = MEETING.year + 1
    assert {m.member_id for m in elections.seats_to_renew(session, next_year)} == {members[2]}
    assert {m.member_id for m in elections.seats_to_renew(session, MEETING.year + 3)} == set(members[:2])
    later = MEETING.replace(year=next_year) + dt.timedelta(days=1)
    assert {m.member_id for m in elections.board_on(session, later)} == set(members[:2])
