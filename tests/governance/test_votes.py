import eventlet
import pytest

from shared.errors import Conflict, Forbidden, PreconditionFailed, ValidationError
from tests.governance.conftest import RESOLUTION


def _cast_at_once(member_cluster, calls):
    """Each (caller_id, payload) through its own RPC connection, all in flight together."""
    proxies = [member_cluster({"member_id": caller, "roles": ["member"]}) for caller, _ in calls]
    outcomes = []

    def cast(proxy, payload):
        try:
            outcomes.append(("ok", proxy.governance.cast_vote(payload)))
        except (Conflict, Forbidden) as error:
            outcomes.append((type(error).__name__, error))

    pool = eventlet.GreenPool(len(calls))
    for proxy, (_, payload) in zip(proxies, calls, strict=False):
        pool.spawn(cast, proxy, payload)
    pool.waitall()
    return outcomes


def test_one_member_voting_twenty_times_at_once_and_through_their_proxy_is_counted_once(
        governance, member_cluster, backend):
    g = governance
    voter, holder, other = g.members(3)
    assembly = g.convene([RESOLUTION])
    g.rpc.grant_proxy({"assembly_id": assembly["id"], "grantor_id": voter, "holder_id": holder})
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)

    own = {"item_id": item_id, "voter_id": voter, "choice": "for"}
    by_proxy = {"item_id": item_id, "voter_id": holder, "on_behalf_of": voter, "choice": "against"}
    calls = [(voter, own)] * 20 + [(holder, by_proxy)] * 5
    outcomes = _cast_at_once(member_cluster, calls)

    accepted = [o for kind, o in outcomes if kind == "ok"]
    assert len(outcomes) == 25
    assert len(accepted) == 1
    assert accepted[0]["member_id"] == voter
    assert g.count("SELECT count(*) FROM participations WHERE member_id = :m", m=voter) == 1
    assert g.count("SELECT count(*) FROM ballots") == 1
    result = g.rpc.close_vote(item_id)["result"]
    assert result["ballots_total"] == 1
    assert result["tally"]["for"] + result["tally"]["against"] == 1


def test_abstentions_and_blanks_are_not_votes_cast(governance, backend):
    g = governance
    members = g.members(7)
    assembly = g.convene([RESOLUTION])
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)
    choices = ["for", "for", "against", "abstain", "abstain", "abstain", "blank"]
    for member, choice in zip(members, choices, strict=True):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": member, "choice": choice})

    result = g.rpc.close_vote(item_id)["result"]

    # 2 for, 1 against: 3 votes cast, a simple majority is 2 > 1.5, although 4 did not say yes
    assert result["tally"] == {"for": 2, "against": 1, "abstain": 3, "blank": 1}
    assert result["votes_cast"] == 3
    assert result["ballots_total"] == 7
    assert result["adopted"] is True


def test_vote_events_carry_the_tally(governance, record_events, backend):
    recorder = record_events("governance")
    g = governance
    a, b, c = g.members(3)
    assembly = g.convene([dict(RESOLUTION, majority="two_thirds")])
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)
    for member, choice in ((a, "for"), (b, "against"), (c, "abstain")):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": member, "choice": choice})
    g.rpc.close_vote(item_id)

    [opened] = recorder.wait_for("vote_opened")
    [closed] = recorder.wait_for("vote_closed")
    [rejected] = recorder.wait_for("resolution_rejected")
    assert opened["data"]["item_id"] == item_id
    assert closed["data"]["tally"] == {"for": 1, "against": 1, "abstain": 1, "blank": 0}
    assert closed["data"]["adopted"] is False
    assert rejected["data"]["votes_cast"] == 2
    assert rejected["data"]["majority"] == "two_thirds"
    assert recorder.wait_for("assembly_convened")[0]["data"]["items"][0]["majority"] == "two_thirds"


def test_votes_are_refused_before_opening_and_after_closing_and_results_wait_for_the_close(governance, backend):
    g = governance
    a, b = g.members(2)
    assembly = g.convene([RESOLUTION])
    item_id = assembly["agenda"][0]["id"]
    with pytest.raises(PreconditionFailed):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": a, "choice": "for"})
    g.rpc.open_vote(item_id)
    g.rpc.cast_vote({"item_id": item_id, "voter_id": a, "choice": "for"})
    with pytest.raises(ValidationError):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": b, "choice": "maybe"})
    assert g.rpc.vote_results(item_id) == {"item_id": item_id, "status": "open", "participants": 1}
    g.rpc.close_vote(item_id)
    with pytest.raises(PreconditionFailed):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": b, "choice": "for"})
    assert g.rpc.vote_results(item_id)["result"]["tally"]["for"] == 1


def test_a_member_votes_only_as_themselves(governance, member_cluster, backend):
    g = governance
    a, b = g.members(2)
    assembly = g.convene([RESOLUTION])
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)
    as_a = member_cluster({"member_id": a, "roles": ["member"]})
    with pytest.raises(Forbidden):
        as_a.governance.cast_vote({"item_id": item_id, "voter_id": b, "choice": "for"})
    with pytest.raises(Forbidden):
        as_a.governance.close_vote(item_id)
    assert as_a.governance.cast_vote({"item_id": item_id, "voter_id": a, "choice": "for"})["receipt"]


def test_one_ballot_per_member_holds_across_two_service_instances(
        governance, start_service, member_cluster, backend):
    if backend == "sqlite":
        pytest.skip("SQLite runs one instance per database file (one writer per process)")
    from services.governance.service import GovernanceService

    g = governance
    start_service(GovernanceService, db_uri=g.db_uri)  # a second instance on the same database
    voters = g.members(5)
    assembly = g.convene([RESOLUTION])
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)
    calls = [(v, {"item_id": item_id, "voter_id": v, "choice": "for"}) for v in voters for _ in range(8)]

    outcomes = _cast_at_once(member_cluster, calls)

    assert sum(1 for kind, _ in outcomes if kind == "ok") == 5
    assert {kind for kind, _ in outcomes} == {"ok", "Conflict"}
    assert g.count("SELECT count(*) FROM ballots") == 5
