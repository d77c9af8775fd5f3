"""Governance's member standing includes share coverage. The electoral roll is fixed at the
record date (DOMAIN.md), so coverage is judged on that date: a member whose shares no longer
covered it is not on the roll and may not vote; a share bought later puts them on the roll of
the next assembly, never on a roll already fixed."""
import datetime as dt

import pytest

from shared.errors import Forbidden
from tests.governance.conftest import RECORD, RESOLUTION


def test_member_whose_coverage_lapsed_by_the_record_date_cannot_vote_until_they_buy_a_share(
        governance, backend):
    g = governance
    lapsed_on = RECORD - dt.timedelta(days=10)
    covered = g.admit(covered_until=RECORD)  # covered on the record date itself: enough
    lapsed = g.admit(covered_until=lapsed_on)
    g.wait_handled()
    assert g.rpc.member_standing(lapsed, RECORD.isoformat())["good_standing"] is False
    assert g.rpc.member_standing(lapsed, lapsed_on.isoformat())["good_standing"] is True

    first = g.convene([RESOLUTION])
    item = first["agenda"][0]["id"]
    g.rpc.open_vote(item)
    g.rpc.cast_vote({"item_id": item, "voter_id": covered, "choice": "for"})
    with pytest.raises(Forbidden, match="not on the assembly's electoral roll"):
        g.rpc.cast_vote({"item_id": item, "voter_id": lapsed, "choice": "for"})

    # a share paid before the record date, registered after the first roll was fixed
    g.event("shares_paid", {"member_id": lapsed, "shares": 1, "amount": "30.00",
                            "reference": "+++000002/0002/00092+++",
                            "effective_date": (RECORD - dt.timedelta(days=1)).isoformat(),
                            "paid_shares": 2,
                            "covered_until": lapsed_on.replace(year=lapsed_on.year + 1).isoformat()})
    g.wait_handled()
    assert g.rpc.member_standing(lapsed, RECORD.isoformat())["good_standing"] is True
    with pytest.raises(Forbidden):  # the first roll stays as it was fixed
        g.rpc.cast_vote({"item_id": item, "voter_id": lapsed, "choice": "for"})

    second = g.convene([RESOLUTION])
    item = second["agenda"][0]["id"]
    g.rpc.open_vote(item)
    receipt = g.rpc.cast_vote({"item_id": item, "voter_id": lapsed, "choice": "against"})
    assert receipt["member_id"] == lapsed
    assert g.rpc.close_vote(item)["result"]["roll_members"] == 2
    assert g.rpc.close_vote(first["agenda"][0]["id"])["result"]["roll_members"] == 1

