"""Membership's statutory parameters are set by staff from a date, over RPC, with history."""
import uuid

import pytest

from shared.errors import Forbidden, ValidationError
from tests.membership.helpers import TODAY, day

STAFF = {"member_id": str(uuid.uuid4()), "roles": ["staff"]}


def test_staff_set_the_share_price_from_a_date_and_subscriptions_follow_it(membership, member_cluster,
                                                                          record_events):
    recorder = record_events("membership")
    staff = member_cluster(STAFF)
    recorded = staff.membership.set_parameter({"name": "membership.share_price", "value": "35.00",
                                               "effective_from": day("06-01"),
                                               "source": "general assembly: nominal value raised"})
    assert (recorded["value"], recorded["recorded_by"]) == ("35.00", STAFF["member_id"])
    applicant = membership.applicant()
    before = membership.rpc.subscribe_shares(member_id=applicant["id"], shares=1, effective_date=day("05-31"))
    after = membership.rpc.subscribe_shares(member_id=applicant["id"], shares=2, effective_date=day("06-01"))
    assert (before["amount"], after["amount"]) == ("30.00", "70.00")
    found = membership.rpc.get_parameter("membership.share_price", day("06-01"))
    assert found["value"] == "35.00" and [h["value"] for h in found["history"]] == ["30.00", "35.00"]
    listed = {p["name"]: p["value"] for p in membership.rpc.list_parameters({"on": TODAY.isoformat()})}
    assert listed["membership.share_price"] == "35.00" and listed["membership.member_classes"] == "A,B"
    event = recorder.wait_for("parameter_changed")[0]
    assert (event["source"], event["data"]["name"], event["data"]["value"]) == (
        "membership", "membership.share_price", "35.00")


def test_a_member_cannot_set_the_share_price_and_a_bad_value_is_refused(membership, member_cluster):
    member = member_cluster({"member_id": str(uuid.uuid4()), "roles": ["member"]})
    change = {"name": "membership.share_price", "value": "1.00", "effective_from": day("06-01"),
              "source": "a member's wish"}
    with pytest.raises(Forbidden):
        member.membership.set_parameter(change)
    with pytest.raises(ValidationError) as refused:
        member_cluster(STAFF).membership.set_parameter(dict(change, value="thirty"))
    assert "decimal number" in refused.value.fields["value"][0]
    history = membership.rpc.get_parameter("membership.share_price")["history"]
    assert [h["value"] for h in history] == ["30.00"]
