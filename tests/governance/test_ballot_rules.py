"""The casting rules judged on plain facts: no database, no broker."""
import itertools

import pytest

from services.governance.domain.ballot_rules import (
    Accepted,
    BallotFacts,
    Item,
    ballot_writes,
    effective_quorum,
    judge_ballot,
    judge_ballots,
    quorum_result,
    receipt_hash,
    resolution_result,
)
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationError

ASSEMBLY = "assembly-1"
RESOLUTION = Item("item-r", ASSEMBLY, "resolution", "open", secret=False)
SECRET = Item("item-s", ASSEMBLY, "resolution", "open", secret=True)
ELECTION = Item("item-e", ASSEMBLY, "election", "open", secret=True, seats=2)
PENDING = Item("item-p", ASSEMBLY, "resolution", "pending", secret=False)


def facts(**changes) -> BallotFacts:
    """Ann (weight 1) and Bob (weight 3) are on the roll; Bob gave Carla his proxy; Ann is present."""
    base = BallotFacts(
        items={i.id: i for i in (RESOLUTION, SECRET, ELECTION, PENDING)},
        weights={(ASSEMBLY, "ann"): 1, (ASSEMBLY, "bob"): 3, (ASSEMBLY, "carla"): 1},
        holders={(ASSEMBLY, "bob"): "carla"},
        present={(ASSEMBLY, "ann")},
        candidacies={ELECTION.id: {"cand-1", "cand-2", "cand-3"}})
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def ask(item=RESOLUTION, voter="ann", on_behalf_of=None, choice="for", candidates=None) -> dict:
    return {"item_id": item.id, "voter_id": voter, "on_behalf_of": on_behalf_of, "choice": choice,
            "candidates": candidates}


def ids():
    counter = itertools.count(1)
    return lambda: f"ballot-{next(counter)}"


def test_a_member_on_the_roll_votes_in_person_with_their_weight():
    ballot = judge_ballot(ask(voter="bob", choice="against"), facts(holders={}))
    assert (ballot.member_id, ballot.voter_id, ballot.choice, ballot.weight) == ("bob", "bob", "against", 3)
    assert ballot.marks == ()
    assert ballot.attends and not ballot.revokes_proxy  # Bob was not recorded present yet


def test_a_member_already_present_is_not_recorded_present_again():
    ballot = judge_ballot(ask(voter="ann"), facts())
    assert not ballot.attends and not ballot.revokes_proxy


def test_the_holder_of_a_proxy_in_force_votes_for_its_grantor_with_the_grantor_weight():
    ballot = judge_ballot(ask(voter="carla", on_behalf_of="bob", choice="abstain"), facts())
    assert (ballot.member_id, ballot.voter_id, ballot.weight, ballot.choice) == ("bob", "carla", 3, "abstain")
    assert ballot.participation == {"item_id": RESOLUTION.id, "member_id": "bob", "cast_by": "carla",
                                    "choice": "abstain"}
    assert ballot.attends and not ballot.revokes_proxy


def test_a_grantor_voting_in_person_revokes_their_proxy_and_is_recorded_present():
    ballot = judge_ballot(ask(voter="bob"), facts(present={(ASSEMBLY, "bob")}))
    assert ballot.revokes_proxy and ballot.attends


def test_a_voter_without_the_members_proxy_is_refused():
    with pytest.raises(Forbidden, match="no proxy in force"):
        judge_ballot(ask(voter="ann", on_behalf_of="bob"), facts())
    with pytest.raises(Forbidden, match="no proxy in force"):  # a revoked proxy is not loaded
        judge_ballot(ask(voter="carla", on_behalf_of="bob"), facts(holders={}))


def test_a_member_off_the_roll_is_refused():
    with pytest.raises(Forbidden, match="electoral roll"):
        judge_ballot(ask(voter="dan"), facts())
    with pytest.raises(Forbidden, match="electoral roll"):  # nor can a proxy bring them in
        judge_ballot(ask(voter="carla", on_behalf_of="dan"), facts(holders={(ASSEMBLY, "dan"): "carla"}))


def test_an_unknown_item_is_not_found_and_an_item_not_open_is_a_precondition():
    with pytest.raises(NotFound):
        judge_ballot({**ask(), "item_id": "nowhere"}, facts())
    with pytest.raises(PreconditionFailed, match="not open"):
        judge_ballot(ask(item=PENDING), facts())


def test_a_resolution_ballot_is_one_of_the_four_choices():
    for choice in ("for", "against", "abstain", "blank"):
        assert judge_ballot(ask(choice=choice), facts()).choice == choice
    with pytest.raises(ValidationError) as refused:
        judge_ballot(ask(choice="maybe"), facts())
    assert list(refused.value.fields) == ["choice"]


def test_an_election_ballot_marks_at_most_as_many_candidates_as_seats():
    ballot = judge_ballot(ask(ELECTION, choice=None, candidates=["cand-2", "cand-1", "cand-2"]), facts())
    assert (ballot.choice, ballot.marks) == ("marks", ("cand-2", "cand-1"))  # a repeated mark counts once
    assert judge_ballot(ask(ELECTION, choice="blank"), facts()).choice == "blank"
    assert judge_ballot(ask(ELECTION, choice=None, candidates=[]), facts()).choice == "blank"
    with pytest.raises(ValidationError, match="at most 2 candidates for 2 seats"):
        judge_ballot(ask(ELECTION, choice=None, candidates=["cand-1", "cand-2", "cand-3"]), facts())
    with pytest.raises(ValidationError, match="not candidates in this election: someone"):
        judge_ballot(ask(ELECTION, choice=None, candidates=["someone"]), facts())
    with pytest.raises(ValidationError, match="lists candidates"):
        judge_ballot(ask(ELECTION, choice="for"), facts())


def test_a_second_ballot_for_the_same_member_in_one_batch_is_already_voted():
    judged = judge_ballots([ask(voter="bob"), ask(voter="carla", on_behalf_of="bob"),
                            ask(SECRET, voter="bob"),
                            ask(voter="dan")], facts())
    assert isinstance(judged[0], Accepted)
    assert isinstance(judged[1], Conflict) and judged[1].fields == {"member_id": ["already voted"]}
    assert isinstance(judged[2], Accepted)  # another item: another ballot
    assert isinstance(judged[3], Forbidden)


def test_a_secret_participation_keeps_no_choice():
    assert judge_ballot(ask(SECRET, choice="for"), facts()).participation["choice"] is None


def test_recorded_ballots_get_a_receipt_and_write_their_attendance_revocation_and_marks():
    judged = judge_ballots([ask(voter="bob"), ask(voter="carla", on_behalf_of="bob", item=SECRET),
                            ask(ELECTION, voter="ann", choice=None, candidates=["cand-3"]), ask(voter="dan")],
                           facts())
    writes = ballot_writes(judged, {(RESOLUTION.id, "bob"), (SECRET.id, "bob"), (ELECTION.id, "ann")}, ids())
    receipts = [o["receipt"] for o in writes.outcomes[:3]]
    assert [(o["item_id"], o["member_id"], o["cast_by"]) for o in writes.outcomes[:3]] == [
        (RESOLUTION.id, "bob", "bob"), (SECRET.id, "bob", "carla"), (ELECTION.id, "ann", "ann")]
    assert isinstance(writes.outcomes[3], Forbidden)
    assert sorted(b["receipt_hash"] for b in writes.ballots) == sorted(receipt_hash(r) for r in receipts)
    assert sorted((b["item_id"], b["choice"], b["weight"]) for b in writes.ballots) == sorted([
        (RESOLUTION.id, "for", 3), (SECRET.id, "for", 3), (ELECTION.id, "marks", 1)])
    election_ballot = next(b for b in writes.ballots if b["item_id"] == ELECTION.id)
    assert writes.marks == [{"ballot_id": election_ballot["id"], "candidacy_id": "cand-3"}]
    # Bob attends and his proxy to Carla goes; Carla attends; Ann was already present
    assert writes.attendances == [{"assembly_id": ASSEMBLY, "member_id": m, "registered_by": m}
                                  for m in ("bob", "carla")]
    assert writes.revocations == [(ASSEMBLY, "bob")]


def test_a_ballot_whose_participation_was_not_inserted_was_beaten_and_writes_nothing():
    judged = judge_ballots([ask(voter="bob"), ask(voter="ann")], facts(holders={}))
    writes = ballot_writes(judged, {(RESOLUTION.id, "ann")}, ids())
    assert isinstance(writes.outcomes[0], Conflict)
    assert writes.outcomes[1]["member_id"] == "ann"
    assert [b["weight"] for b in writes.ballots] == [1]
    assert writes.attendances == [] and writes.revocations == []  # Bob's attendance went with his ballot


def test_a_receipt_hash_ignores_case_and_surrounding_spaces():
    assert receipt_hash(" abcd-efgh ") == receipt_hash("ABCD-EFGH")
    assert len(receipt_hash("ABCD")) == 64


def test_a_second_sitting_decides_without_quorum():
    assert effective_quorum("half_members", sitting=1) == "half_members"
    assert effective_quorum("half_members", sitting=2) == "none"
    assert effective_quorum(None, sitting=1) == "none"


def test_the_quorum_counts_members_and_shares_present_and_represented_against_the_roll():
    attending = {"present": {"members": 30, "paid_shares": 70},
                 "represented": {"members": 10, "paid_shares": 40}}
    roll = {"members": 100, "paid_shares": 200}
    assert quorum_result("half_members", attending, roll) == {
        "quorum_rule": "half_members", "quorum_met": False, "present": 30, "represented": 10,
        "paid_shares_present_or_represented": 110, "roll_members": 100, "roll_paid_shares": 200}
    assert quorum_result("half_capital", attending, roll)["quorum_met"] is True  # 110 of 200 shares
    assert quorum_result("none", attending, roll)["quorum_met"] is True


def test_a_resolution_is_adopted_when_quorum_and_majority_are_both_met_abstentions_not_counting():
    tally = {"ballots": {"for": 5, "against": 2, "abstain": 4, "blank": 1},
             "votes": {"for": 20, "against": 10, "abstain": 9, "blank": 1}}
    result = resolution_result("two_thirds", tally, quorum_ok=True)
    assert (result["votes_cast"], result["ballots_total"], result["majority_met"], result["adopted"]) == (
        30, 12, True, True)  # 20 of 30 votes cast is two thirds
    assert resolution_result("three_quarters", tally, quorum_ok=True)["adopted"] is False
    assert resolution_result("simple", tally, quorum_ok=False) | {"adopted": None} == {
        "tally": tally["votes"], "ballots": tally["ballots"], "ballots_total": 12, "votes_cast": 30,
        "majority": "simple", "majority_met": True, "adopted": None}
    assert resolution_result("simple", tally, quorum_ok=False)["adopted"] is False
