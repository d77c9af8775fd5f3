"""Governance's statutory parameters are set by staff from a date, over RPC, with history."""
import datetime as dt
import uuid

import pytest

from shared.errors import Forbidden, NotFound, ValidationError
from tests.governance.conftest import RESOLUTION, TODAY

STAFF = {"member_id": str(uuid.uuid4()), "roles": ["staff"]}


def test_staff_lengthen_the_convocation_delay_and_a_meeting_too_soon_is_refused(governance, member_cluster):
    twenty_days = (TODAY + dt.timedelta(days=20)).isoformat()
    assert governance.convene([RESOLUTION], meeting_date=twenty_days)["meeting_date"] == twenty_days
    member_cluster(STAFF).governance.set_parameter({
        "name": "governance.convocation_delay_days", "value": "30", "effective_from": TODAY.isoformat(),
        "source": "statutes amended by the general assembly"})
    with pytest.raises(ValidationError) as refused:
        governance.convene([RESOLUTION], meeting_date=twenty_days)
    assert "at least 30 days" in refused.value.fields["meeting_date"][0]
    found = governance.rpc.get_parameter("governance.convocation_delay_days")
    assert found["value"] == "30" and [h["value"] for h in found["history"]] == ["15", "30"]


def test_governance_parameters_refuse_members_bad_values_and_unknown_names(governance, member_cluster):
    change = {"name": "governance.max_proxies_per_holder", "value": "2", "effective_from": TODAY.isoformat(),
              "source": "statutes amended"}
    with pytest.raises(Forbidden):
        member_cluster({"member_id": str(uuid.uuid4()), "roles": ["member"]}).governance.set_parameter(change)
    staff = member_cluster(STAFF).governance
    with pytest.raises(ValidationError):
        staff.set_parameter(dict(change, value="two"))
    with pytest.raises(NotFound):
        staff.set_parameter(dict(change, name="governance.max_proxy"))
    assert [h["value"] for h in governance.rpc.get_parameter(change["name"])["history"]] == ["1"]
    names = {p["name"] for p in governance.rpc.list_parameters()}
    assert {"governance.convocation_delay_days", "governance.vote_weighting"} <= names
