"""Quorum and majorities on hand-checked cases. The first cases are the pure rules; the others
run the domain on a real database (both backends), with attendance and proxies."""
import datetime as dt

import pytest

from services.governance.domain import assemblies, voting
from services.governance.domain.voting import majority_met, quorum_met
from tests.governance.conftest import MEETING, RECORD, TODAY, seed_member

NOW = dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("kind, votes_for, votes_against, adopted", [
    ("simple", 4, 3, True),            # 4 > 7/2
    ("simple", 3, 3, False),           # a tie is not a majority
    ("simple", 0, 0, False),           # nobody voted: nothing adopted
    ("two_thirds", 6, 3, True),        # 6/9 = 2/3 exactly
    ("two_thirds", 5, 3, False),       # 5/8 < 2/3
    ("three_quarters", 6, 2, True),    # 6/8 = 3/4 exactly
    ("three_quarters", 8, 3, False),   # 8/11 < 3/4
    ("four_fifths", 8, 2, True),       # 8/10 = 4/5 exactly
    ("four_fifths", 7, 2, False),      # 7/9 < 4/5
])
def test_each_majority_kind_on_votes_cast(kind, votes_for, votes_against, adopted):
    assert majority_met(kind, votes_for, votes_against) is adopted


def test_quorum_rules_count_members_or_capital_present_or_represented():
    roll = {"members": 10, "paid_shares": 20}
    assert quorum_met("half_members", {"members": 5, "paid_shares": 5}, roll)
    assert not quorum_met("half_members", {"members": 4, "paid_shares": 15}, roll)
    assert quorum_met("half_capital", {"members": 1, "paid_shares": 10}, roll)
    assert not quorum_met("half_capital", {"members": 9, "paid_shares": 9}, roll)
    assert quorum_met("none", {"members": 0, "paid_shares": 0}, roll)


def _assembly(session, agenda, **fields):
    data = {"kind": "extraordinary", "title": "Statute amendment", "meeting_date": MEETING,
            "record_date": RECORD, "agenda": agenda, **fields}
    assembly = assemblies.convene(session, data, TODAY, None)
    session.commit()
    return assembly, assemblies.items_of(session, assembly.id)


def _vote(session, item, ballots):
    voting.open_vote(session, item.id, NOW)
    session.commit()
    for voter, choice, on_behalf in ballots:
        voting.cast_vote(session, item.id, voter, on_behalf, choice, None, NOW)
        session.commit()
    closed = voting.close_vote(session, item.id, NOW)
    session.commit()
    return closed.result


def test_statute_amendment_needs_half_the_capital_at_the_first_meeting_and_no_quorum_at_the_second(session, backend):
    # ten members: the first holds 11 shares, the others one each: 20 shares on the roll
    founder = seed_member(session, 1, paid_shares=11)
    others = [seed_member(session, n) for n in range(2, 11)]
    session.commit()
    amendment = {"kind": "resolution", "title": "Amend article 12", "majority": "three_quarters"}
    first, [item] = _assembly(session, [amendment])
    assert item.quorum == "half_capital"

    # nine members and nine shares present: 9 of 20 shares, under half the capital
    result = _vote(session, item, [(m, "for", None) for m in others])
    assert result["quorum_met"] is False
    assert result["paid_shares_present_or_represented"] == 9
    assert result["roll_paid_shares"] == 20
    assert result["tally"]["for"] == 9 and result["majority_met"] is True
    assert result["adopted"] is False

    second, [again] = _assembly(session, [], first_meeting_id=first.id)
    assert second.sitting == 2 and again.title == "Amend article 12"
    # three present at the second meeting: no quorum needed; 2 for, 1 against is under 3/4
    result = _vote(session, again, [(others[0], "for", None), (others[1], "for", None),
                                    (others[2], "against", None)])
    assert result["quorum_rule"] == "none" and result["quorum_met"] is True
    assert result["adopted"] is False
    third_item = assemblies.items_of(session, _assembly(session, [], first_meeting_id=first.id)[0].id)[0]
    result = _vote(session, third_item, [(others[0], "for", None), (others[1], "for", None),
                                         (others[2], "for", None), (others[3], "against", None),
                                         (founder, "abstain", None)])
    # 3 for, 1 against: 3/4 exactly, the founder's abstention is not a vote cast
    assert result["votes_cast"] == 4 and result["adopted"] is True


def test_half_members_quorum_counts_the_represented_and_abstentions(session, backend):
    members = [seed_member(session, n) for n in range(1, 11)]
    session.commit()
    _, [item] = _assembly(session, [{"kind": "resolution", "title": "Change of purpose",
                                     "majority": "four_fifths", "quorum": "half_members"}])
    # four attend; one of them also carries a fifth member's proxy: 5 of 10 present or represented
    assemblies.grant_proxy(session, item.assembly_id, members[4], members[0], NOW)
    session.commit()
    result = _vote(session, item, [(members[0], "for", None), (members[0], "for", members[4]),
                                   (members[1], "for", None), (members[2], "for", None),
                                   (members[3], "abstain", None)])
    assert (result["present"], result["represented"]) == (4, 1)
    assert result["quorum_met"] is True
    assert result["tally"] == {"for": 4, "against": 0, "abstain": 1, "blank": 0}
    assert result["adopted"] is True


def test_half_members_quorum_missed_rejects_even_a_unanimous_vote(session, backend):
    members = [seed_member(session, n) for n in range(1, 11)]
    session.commit()
    _, [item] = _assembly(session, [{"kind": "resolution", "title": "Budget",
                                     "quorum": "half_members"}])
    result = _vote(session, item, [(m, "for", None) for m in members[:4]])
    assert result["quorum_met"] is False
    assert result["majority_met"] is True
    assert result["adopted"] is False


def test_convocation_closer_than_the_delay_is_refused(session):
    from shared.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        assemblies.convene(session, {"kind": "ordinary", "title": "Too soon",
                                     "meeting_date": TODAY + dt.timedelta(days=14),
                                     "agenda": [{"kind": "information", "title": "News"}]}, TODAY, None)
    assert "meeting_date" in refused.value.fields
    assembly = assemblies.convene(session, {"kind": "ordinary", "title": "In time",
                                            "meeting_date": TODAY + dt.timedelta(days=15),
                                            "agenda": [{"kind": "information", "title": "News"}]},
                                  TODAY, None)
    assert assembly.record_date == TODAY


def test_votes_weighted_by_paid_shares_count_each_member_up_to_the_cap(session, backend):
    # 100 shares on the roll, cap 10%: the 40-share member weighs 10, like each 10-share member
    big = seed_member(session, 1, paid_shares=40)
    small = [seed_member(session, n, paid_shares=10) for n in range(2, 8)]
    session.commit()
    _, [item] = _assembly(session, [{"kind": "resolution", "title": "Sell the building",
                                     "majority": "two_thirds"}], weighting="shares")
    ballots = [(big, "for", None)] + [(m, "against", None) for m in small[:2]] + \
              [(m, "for", None) for m in small[2:4]] + [(small[4], "abstain", None)]
    result = _vote(session, item, ballots)
    # for: 10 + 20 = 30; against: 20; 30/50 < 2/3 although 40+20 shares voted for
    assert result["tally"] == {"for": 30, "against": 20, "abstain": 10, "blank": 0}
    assert result["ballots"]["for"] == 3
    assert result["votes_cast"] == 50 and result["adopted"] is False
