"""Working groups, recommendations and the board's answers; polls between assemblies; minutes."""
import base64
import datetime as dt

import eventlet
import pytest

from services.governance.domain.polls import instant_runoff
from shared.errors import Conflict, Forbidden, PreconditionFailed, ValidationError
from tests.governance.conftest import RESOLUTION

BOARD = {"roles": ["member", "board"]}


def test_cycle_groups_recommendations_and_the_boards_answers(governance, member_cluster, record_events, backend):
    recorder = record_events("governance")
    g = governance
    ann, ben, outsider = g.members(3)
    cycle = g.rpc.open_cycle({"title": "Smart In Progress 2027", "themes": ["Pay", "Tools"]})
    with pytest.raises(ValidationError):
        g.rpc.create_working_group({"title": "Nope", "cycle_id": cycle["id"], "theme": "Weather"})
    group = g.rpc.create_working_group({"title": "Fair pay", "cycle_id": cycle["id"], "theme": "Pay"})
    as_ann = member_cluster({"member_id": ann, "roles": ["member"]})
    as_ann.governance.join_working_group({"group_id": group["id"], "member_id": ann})
    with pytest.raises(Conflict):
        as_ann.governance.join_working_group({"group_id": group["id"], "member_id": ann})
    with pytest.raises(Forbidden):
        g.rpc.submit_recommendation({"group_id": group["id"], "member_id": outsider,
                                     "title": "Not mine", "text": "..."})
    rec = as_ann.governance.submit_recommendation({"group_id": group["id"], "member_id": ann,
                                                   "title": "Publish the pay scale", "text": "All of it."})
    with pytest.raises(Forbidden):
        as_ann.governance.answer_recommendation({"recommendation_id": rec["id"], "status": "accepted",
                                                 "text": "I accept my own idea"})
    as_board = member_cluster({"member_id": ben, **BOARD})
    as_board.governance.answer_recommendation({"recommendation_id": rec["id"], "status": "in_progress",
                                               "text": "Studied with the finance team"})
    answered = as_board.governance.answer_recommendation({"recommendation_id": rec["id"],
                                                          "status": "accepted", "text": "Published in March"})
    with pytest.raises(Conflict):
        as_board.governance.answer_recommendation({"recommendation_id": rec["id"], "status": "rejected",
                                                   "text": "changed our mind"})

    assert answered["status"] == "accepted"
    assert [a["status"] for a in answered["answers"]] == ["in_progress", "accepted"]
    [submitted] = recorder.wait_for("recommendation_submitted")
    assert submitted["data"] == {"recommendation_id": rec["id"], "group_id": group["id"], "cycle_id": cycle["id"]}
    assert [e["data"]["status"] for e in recorder.wait_for("recommendation_answered", 2)] == [
        "in_progress", "accepted"]
    # the recommendation goes before the assembly
    assembly = g.convene([{"kind": "resolution", "title": "Adopt: publish the pay scale",
                           "recommendation_id": rec["id"]}])
    assert assembly["agenda"][0]["recommendation_id"] == rec["id"]


def test_a_proposal_poll_hides_results_until_closed_and_keeps_changed_responses(governance, member_cluster, backend):
    g = governance
    ann, ben, cat = g.members(3)
    group = g.rpc.create_working_group({"title": "Tools"})
    for m in (ann, ben):
        g.rpc.join_working_group({"group_id": group["id"], "member_id": m})
    as_ann = member_cluster({"member_id": ann, "roles": ["member"]})
    closes_at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    poll = as_ann.governance.open_poll({"question": "Buy a laser cutter?", "kind": "proposal",
                                        "group_id": group["id"], "closes_at": closes_at,
                                        "hide_results": True})
    as_ann.governance.respond_poll({"poll_id": poll["id"], "member_id": ann, "choice": ["disagree"]})
    as_ann.governance.respond_poll({"poll_id": poll["id"], "member_id": ann, "choice": ["agree"]})
    g.rpc.respond_poll({"poll_id": poll["id"], "member_id": ben, "choice": ["block"]})
    with pytest.raises(Forbidden):
        g.rpc.respond_poll({"poll_id": poll["id"], "member_id": cat, "choice": ["agree"]})
    with pytest.raises(ValidationError):
        g.rpc.respond_poll({"poll_id": poll["id"], "member_id": ben, "choice": ["maybe"]})

    assert g.rpc.poll_results(poll["id"]) == {"poll_id": poll["id"], "kind": "proposal", "closed": False,
                                               "hidden": True, "responses": 2}
    closed = as_ann.governance.close_poll(poll["id"])
    assert closed["counts"] == {"agree": 1, "abstain": 0, "disagree": 0, "block": 1}
    assert closed["blocked"] is True and closed["closed"] is True
    assert g.count("SELECT count(*) FROM poll_responses WHERE poll_id = :p", p=poll["id"]) == 3
    with pytest.raises(PreconditionFailed):
        g.rpc.respond_poll({"poll_id": poll["id"], "member_id": ann, "choice": ["agree"]})


def test_ranked_choice_poll_is_counted_by_instant_runoff(governance, backend):
    g = governance
    members = g.members(5)
    closes_at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    poll = g.rpc.open_poll({"question": "Where is next year's assembly?", "kind": "ranked_choice",
                            "options": ["Brussels", "Ghent", "Liege"], "closes_at": closes_at})
    rankings = [["Brussels", "Ghent"], ["Brussels"], ["Ghent", "Liege"], ["Liege", "Ghent"], ["Ghent"]]
    for member, ranking in zip(members, rankings, strict=False):
        g.rpc.respond_poll({"poll_id": poll["id"], "member_id": member, "choice": ranking})
    result = g.rpc.close_poll(poll["id"])
    # round 1: Brussels 2, Ghent 2, Liege 1 -> Liege out, its ballot goes to Ghent: 3 of 5
    assert result["rounds"] == [{"Brussels": 2, "Ghent": 2, "Liege": 1}, {"Brussels": 2, "Ghent": 3}]
    assert result["winner"] == "Ghent"


def test_instant_runoff_with_exhausted_ballots_and_a_multiple_choice_count():
    rankings = [["a"], ["a"], ["b"], ["c", "b"], ["d"]]
    # d goes (last listed of the fewest) and its ballot is exhausted; then c, whose ballot
    # passes to b; a and b tie at 2 and the later-listed b goes
    result = instant_runoff(rankings, ["a", "b", "c", "d"])
    assert result["rounds"] == [{"a": 2, "b": 1, "c": 1, "d": 1}, {"a": 2, "b": 1, "c": 1},
                                {"a": 2, "b": 2}, {"a": 2}]
    assert result["winner"] == "a"


def test_assembly_minutes_record_attendance_proxies_quorum_and_results(governance, backend):
    g = governance
    a, b, c, d = g.members(4)
    assembly = g.convene([RESOLUTION, {"kind": "information", "title": "Report of the board"}])
    g.rpc.grant_proxy({"assembly_id": assembly["id"], "grantor_id": d, "holder_id": c})
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)
    for voter, choice, on_behalf in ((a, "for", None), (b, "against", None), (c, "for", None),
                                     (c, "for", d)):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": voter, "choice": choice, "on_behalf_of": on_behalf})
    g.rpc.close_vote(item_id)

    record = g.rpc.assembly_minutes({"assembly_id": assembly["id"]})
    assert {p["member_id"] for p in record["attendance"]} == {a, b, c}
    assert record["presence"]["represented"]["members"] == 1
    assert record["proxies"][0]["grantor_id"] == d and record["proxies"][0]["revoked_at"] is None
    resolution, information = record["items"]
    assert resolution["result"]["tally"]["for"] == 3 and resolution["result"]["adopted"] is True
    assert information["result"] is None
    pdf = g.rpc.assembly_minutes({"assembly_id": assembly["id"], "format": "pdf"})
    content = base64.b64decode(pdf["pdf_base64"])
    assert content.startswith(b"%PDF") and len(content) > 1000


def test_a_poll_closes_at_its_closing_time_and_multiple_choice_respects_its_limit(governance, backend):
    g = governance
    ann, ben = g.members(2)
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    with pytest.raises(ValidationError):
        g.rpc.open_poll({"question": "Too late?", "kind": "proposal", "closes_at": past})
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1.5)).isoformat()
    poll = g.rpc.open_poll({"question": "Which tools?", "kind": "multiple_choice", "audience": "members",
                            "options": ["lathe", "kiln", "press"], "max_choices": 2,
                            "closes_at": soon, "hide_results": True})
    with pytest.raises(ValidationError):
        g.rpc.respond_poll({"poll_id": poll["id"], "member_id": ann, "choice": ["lathe", "kiln", "press"]})
    g.rpc.respond_poll({"poll_id": poll["id"], "member_id": ann, "choice": ["lathe", "kiln"]})
    g.rpc.respond_poll({"poll_id": poll["id"], "member_id": ben, "choice": ["kiln"]})
    assert g.rpc.poll_results(poll["id"])["hidden"] is True
    eventlet.sleep(1.6)
    with pytest.raises(PreconditionFailed):
        g.rpc.respond_poll({"poll_id": poll["id"], "member_id": ben, "choice": ["press"]})
    # past its closing time the poll is closed and its results shown, closed by hand or not
    assert g.rpc.poll_results(poll["id"]) == {"poll_id": poll["id"], "kind": "multiple_choice",
                                               "closed": True, "responses": 2,
                                               "counts": {"lathe": 1, "kiln": 2, "press": 0}}
