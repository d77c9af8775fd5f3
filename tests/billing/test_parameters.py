"""Billing's dated parameters changed by staff: the fee rate from a date, over HTTP, seen by every
instance within a second; invoices keep the fee in force on their issue date."""
import datetime as dt
import re
import time
import uuid
from decimal import Decimal

import pytest
import requests

from services.gateway import tokens
from shared.errors import Forbidden, NotFound, ValidationError
from shared.standing import STATUS_AFTER
from shared.testing import free_port, wait_until

SECRET = "a-secret-for-this-test-only-0123456789"
TODAY = dt.date.today()
TOMORROW = TODAY + dt.timedelta(days=1)
STAFF = {"member_id": str(uuid.uuid4()), "roles": ["staff"]}


def bearer(roles):
    token = tokens.issue(SECRET, str(uuid.uuid4()), roles, 600)["access_token"]
    return {"Authorization": f"Bearer {token}"}


def fees(invoices) -> set:
    return {(Decimal(i["fee_rate"]), i["fee"]) for i in invoices}


def invoices_issued(process) -> float:
    text = requests.get(f"http://127.0.0.1:{process.metrics_port}/metrics", timeout=5).text
    found = re.search(r'^coop_invoices_issued_total\{series="F"\} ([0-9.e+]+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


def test_staff_change_the_fee_rate_from_a_date_over_http_on_two_instances(
        service_process, make_db, cluster, publish_event):
    db_uri = make_db("billing")
    instances = [service_process("billing", db_uri) for _ in range(2)]
    port = free_port()
    gateway = service_process("gateway", "sqlite://", env={
        "GATEWAY_PORT": str(port), "GATEWAY_BIND": "127.0.0.1", "JWT_SECRET": SECRET,
        "RATE_LIMIT_PER_MINUTE": "1000000"})
    gateway.metrics_port = port
    for process in [*instances, gateway]:
        process.wait_ready(60)
    api = f"http://127.0.0.1:{port}/api/v1/parameters/billing.fee_rate"

    member_id = str(uuid.uuid4())
    publish_event("membership", "member_admitted", {"member_id": member_id, "number": 1, "member_class": "A",
                                                    "admitted_on": "2026-01-05", "paid_shares": 1})
    wait_until(lambda: _known(cluster, member_id), 20)
    activity = cluster.billing.open_activity({"member_id": member_id, "name": "Studio"})["id"]
    client = cluster.billing.register_client({"kind": "person", "name": "A neighbour", "country": "BE"})["id"]

    def issue(count):
        return [cluster.billing.create_invoice({
            "activity_id": activity, "client_id": client, "issue": True, "lines": [
                {"description": "Lesson", "quantity": "1", "unit_price": "1000.00", "vat_category": "S",
                 "vat_rate": "21"}]}) for _ in range(count)]

    before = issue(4)
    change = {"value": "0.08", "effective_from": TOMORROW.isoformat(), "source": "board decision 2026-12"}
    assert requests.put(api, json=change, headers=bearer(["member"]), timeout=20).status_code == 403
    assert requests.put(api, json=change, timeout=20).status_code == 401
    refused = requests.put(api, json=dict(change, value="eight percent"), headers=bearer(["staff"]),
                           timeout=20)
    assert refused.status_code == 422 and "value" in refused.json()["fields"]
    recorded = requests.put(api, json=change, headers=bearer(["staff"]), timeout=20)
    assert recorded.status_code == 200, recorded.text
    assert (recorded.json()["value"], recorded.json()["effective_from"]) == ("0.08", TOMORROW.isoformat())

    time.sleep(1.2)  # past every instance's cache delay: the change is seen, not yet in force
    issued = [invoices_issued(process) for process in instances]
    not_yet = issue(6)
    today_change = {"value": "0.07", "effective_from": TODAY.isoformat(), "source": "board decision 2026-12"}
    assert requests.put(api, json=today_change, headers=bearer(["staff"]), timeout=20).status_code == 200
    time.sleep(1.1)  # every instance checks the version at most a second after the change
    after = issue(8)

    assert fees(before + not_yet) == {(Decimal("0.065"), "65.00")}
    assert fees(after) == {(Decimal("0.07"), "70.00")}
    # both instances issued some of the invoices after the change
    issued_after = [invoices_issued(process) for process in instances]
    assert all(a > b for a, b in zip(issued_after, issued, strict=True)), (issued, issued_after)
    # the invoices issued before keep the fee of their issue date
    kept = [cluster.billing.get_invoice(i["id"]) for i in before]
    assert fees(kept) == {(Decimal("0.065"), "65.00")}

    member = bearer(["member"])
    found = requests.get(api, params={"on": TOMORROW.isoformat()}, headers=member, timeout=20).json()
    assert found["value"] == "0.08"
    assert [(h["value"], h["effective_from"]) for h in found["history"]] == [
        ("0.065", "2017-01-01"), ("0.07", TODAY.isoformat()), ("0.08", TOMORROW.isoformat())]
    listed = requests.get(f"http://127.0.0.1:{port}/api/v1/parameters", headers=member, timeout=20)
    assert listed.status_code == 503  # membership, declarations and governance are not running here


def test_billing_parameters_over_rpc_list_read_and_set_with_history(platform, member_cluster):
    staff = member_cluster(STAFF)
    listed = {p["name"]: p["value"] for p in platform.billing.list_parameters({"on": "2026-12-01"})}
    assert listed["billing.fee_rate"] == "0.065" and listed["billing.payment_terms_days"] == "30"
    assert listed["billing.dunning_delays"] == "15,30,45"
    recorded = staff.billing.set_parameter({"name": "billing.payment_terms_days", "value": "45",
                                            "effective_from": "2027-01-01", "source": "general terms 2027"})
    assert (recorded["name"], recorded["recorded_by"]) == ("billing.payment_terms_days", STAFF["member_id"])
    found = platform.billing.get_parameter("billing.payment_terms_days", "2027-01-01")
    assert found["value"] == "45" and [h["value"] for h in found["history"]] == ["30", "45"]
    assert platform.billing.get_parameter("billing.payment_terms_days", "2026-12-31")["value"] == "30"


def test_a_bad_billing_parameter_change_is_refused_and_nothing_is_written(platform, member_cluster):
    staff = member_cluster(STAFF)
    member = member_cluster({"member_id": str(uuid.uuid4()), "roles": ["member"]})
    change = {"name": "billing.payment_terms_days", "value": "45", "effective_from": "2027-01-01",
              "source": "general terms 2027"}
    with pytest.raises(Forbidden):
        member.billing.set_parameter(change)
    with pytest.raises(ValidationError) as refused:
        staff.billing.set_parameter(dict(change, value="30.5"))
    assert "whole number" in refused.value.fields["value"][0]
    with pytest.raises(NotFound):
        staff.billing.set_parameter(dict(change, name="billing.payment_term_days"))
    with pytest.raises(NotFound):
        staff.billing.set_parameter(dict(change, name="membership.share_price"))
    found = platform.billing.get_parameter("billing.payment_terms_days", "2027-06-01")
    assert [h["value"] for h in found["history"]] == ["30"]
    assert platform.billing.get_parameter("billing.fee_rate")["value"] == "0.065"


def _known(cluster, member_id: str) -> bool:
    """Billing has projected the admission (an unknown member is a NotFound until then)."""
    try:
        return cluster.billing.member_standing(member_id)["status"] == STATUS_AFTER["member_admitted"]
    except NotFound:
        return False
