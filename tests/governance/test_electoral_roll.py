import datetime as dt

import eventlet
import pytest

from services.governance.domain import roll
from shared.errors import Forbidden
from tests.governance.conftest import LONG_AGO, RECORD, RESOLUTION, seed_member

DAY = dt.timedelta(days=1)


def test_roll_holds_members_in_good_standing_on_the_record_date_whatever_happens_after(governance, backend):
    g = governance
    steady = g.admit()
    suspended_after = g.admit()
    g.event("member_suspended", {"member_id": suspended_after, "effective_date": (RECORD + DAY).isoformat()})
    resigned_after = g.admit()
    g.event("member_resigned", {"member_id": resigned_after, "effective_date": (RECORD + 2 * DAY).isoformat()})
    admitted_after = g.admit(admitted_on=RECORD + DAY)
    suspended_before = g.admit()
    g.event("member_suspended", {"member_id": suspended_before, "effective_date": (RECORD - DAY).isoformat()})
    reinstated_before = g.admit()
    g.event("member_suspended", {"member_id": reinstated_before, "effective_date": "2026-03-01"})
    g.event("member_reinstated", {"member_id": reinstated_before, "effective_date": (RECORD - DAY).isoformat()})
    gave_away_shares = g.admit(paid_shares=2)
    g.event("shares_transferred", {"from_member_id": gave_away_shares, "to_member_id": steady, "shares": 2,
                                   "effective_date": (RECORD - DAY).isoformat(),
                                   "from_paid_shares": 0, "to_paid_shares": 3})
    g.wait_handled()

    assembly = g.convene([RESOLUTION])
    listed = g.rpc.electoral_roll({"assembly_id": assembly["id"]})

    on_roll = {e["member_id"]: e for e in listed["entries"]}
    assert set(on_roll) == {steady, suspended_after, resigned_after, reinstated_before}
    assert admitted_after not in on_roll and suspended_before not in on_roll
    assert listed["members"] == 4
    assert listed["paid_shares"] == 3 + 1 + 1 + 1
    assert on_roll[steady]["paid_shares"] == 3
    standing = g.rpc.member_standing(suspended_after)
    assert (standing["status"], standing["good_standing"]) == ("suspended", False)
    assert g.rpc.member_standing(suspended_after, RECORD.isoformat())["good_standing"] is True


def test_member_suspended_after_the_record_date_votes_one_admitted_after_does_not(governance, backend):
    g = governance
    suspended_after = g.admit()
    admitted_after = g.admit(admitted_on=RECORD + DAY)
    g.event("member_suspended", {"member_id": suspended_after, "effective_date": (RECORD + DAY).isoformat()})
    g.wait_handled()
    assembly = g.convene([RESOLUTION])
    item_id = assembly["agenda"][0]["id"]
    g.rpc.open_vote(item_id)

    receipt = g.rpc.cast_vote({"item_id": item_id, "voter_id": suspended_after, "choice": "for"})
    with pytest.raises(Forbidden):
        g.rpc.cast_vote({"item_id": item_id, "voter_id": admitted_after, "choice": "for"})

    assert receipt["member_id"] == suspended_after
    result = g.rpc.close_vote(item_id)["result"]
    assert result["tally"] == {"for": 1, "against": 0, "abstain": 0, "blank": 0}
    assert result["roll_members"] == 1


def test_events_arriving_out_of_order_still_give_the_standing_at_a_date(session):
    member_id = "7d4e3a56-5b7a-4c32-9f0e-0d2b6c1a9e11"
    # the payment's event arrives before the admission it led to
    roll.record_paid_shares(session, "shares_paid", member_id, 2, dt.date(2026, 2, 1))
    roll.record_admission(session, {"member_id": member_id, "number": 7, "member_class": "A",
                                    "admitted_on": dt.date(2026, 2, 3), "paid_shares": 1})
    roll.record_status(session, "member_suspended", member_id, dt.date(2026, 6, 1))
    session.commit()

    assert roll.standing_on(session, dt.date(2026, 2, 2))[member_id] == {
        "status": None, "paid_shares": 2, "covered_until": None}
    assert roll.member_in_good_standing(session, member_id, dt.date(2026, 2, 3))
    assert not roll.member_in_good_standing(session, member_id, dt.date(2026, 6, 1))


def test_vote_weights_by_paid_shares_are_capped_per_member():
    shares = {"a": 50, "b": 30, "c": 15, "d": 5}
    from decimal import Decimal

    assert roll.vote_weights(shares, "per_member", None) == {"a": 1, "b": 1, "c": 1, "d": 1}
    # 10% of the roll's 100 shares: no member counts for more than 10 votes
    assert roll.vote_weights(shares, "shares", Decimal("10")) == {"a": 10, "b": 10, "c": 10, "d": 5}
    assert roll.vote_weights(shares, "shares", None) == shares


def test_weighted_assembly_freezes_capped_weights_on_its_roll(session):
    from services.governance.domain import assemblies
    from tests.governance.conftest import MEETING, TODAY

    big = seed_member(session, 1, paid_shares=40)
    small = [seed_member(session, n, paid_shares=10) for n in range(2, 8)]
    session.commit()
    assembly = assemblies.convene(session, {
        "kind": "ordinary", "title": "AG", "meeting_date": MEETING, "record_date": RECORD,
        "weighting": "shares", "agenda": [RESOLUTION]}, TODAY, None)
    roll.ensure_roll(session, assembly.id, dt.datetime.now(dt.UTC))
    session.commit()

    assert assembly.share_cap_percent == 10
    assert roll.roll_entry(session, assembly.id, big).weight == 10  # 10% of 100 shares
    assert roll.roll_entry(session, assembly.id, small[0]).weight == 10
    assert roll.roll_totals(session, assembly.id) == {"members": 7, "paid_shares": 100, "weight": 70}
    assert LONG_AGO < RECORD


def test_before_its_record_date_the_roll_is_provisional_and_nothing_is_voted(governance, backend):
    from shared.errors import PreconditionFailed
    from tests.governance.conftest import TODAY

    g = governance
    member = g.admit(wait=True)
    assembly = g.convene([RESOLUTION], record_date=(TODAY + 5 * DAY).isoformat())
    provisional = g.rpc.electoral_roll({"assembly_id": assembly["id"]})
    assert provisional["frozen"] is False
    assert [e["member_id"] for e in provisional["entries"]] == [member]
    with pytest.raises(PreconditionFailed):
        g.rpc.open_vote(assembly["agenda"][0]["id"])
    with pytest.raises(PreconditionFailed):
        g.rpc.register_attendance({"assembly_id": assembly["id"], "member_id": member})
    assert g.count("SELECT count(*) FROM roll_entries") == 0


def test_a_redelivered_membership_event_is_applied_once(governance, backend):
    g = governance
    data = {"member_id": "3f1c1a52-7a9e-4bde-a3c5-2f8b9d6e0a11", "number": 42, "member_class": "A",
            "admitted_on": LONG_AGO.isoformat(), "paid_shares": 1}
    for _ in range(2):
        g.publish("membership", "member_admitted", data, event_id="0b8f6f3e-2d2a-4c1e-9a57-5d7c7c0e4b21")
    g.publish("membership", "member_suspended", {"member_id": data["member_id"],
                                                 "effective_date": RECORD.isoformat()})
    g.handled += 2
    g.wait_handled()
    eventlet.sleep(0.5)  # time for the duplicate, on its own queue, to be seen and skipped
    assert g.count("SELECT count(*) FROM standing_changes WHERE member_id = :m", m=data["member_id"]) == 3
