"""Billing's member standing (shared.standing) includes share coverage: each paid share covers a
year of use, and a member whose coverage has lapsed by the day of the invoice is refused."""
import datetime as dt
import uuid

import pytest

from services.billing.domain import members
from services.billing.service import BillingService
from shared.errors import NotInGoodStanding
from shared.testing import wait_until
from tests.billing.conftest import NOW, TODAY


def test_member_whose_coverage_lapsed_cannot_invoice_until_they_buy_a_share(platform, monkeypatch,
                                                                             backend):
    covered_until = dt.date.today() + dt.timedelta(days=2)
    member = str(uuid.uuid4())
    platform.member_event("member_admitted", member, number=1, member_class="A", admitted_on="2026-01-05",
                          paid_shares=1, covered_until=covered_until.isoformat())
    activity, client = platform.activity(member), platform.client()
    draft = platform.invoice(activity, client, issue=False)

    lapsed = covered_until + dt.timedelta(days=1)  # billing's day: the first one not covered
    monkeypatch.setattr(BillingService, "_today", lambda self: lapsed)
    with pytest.raises(NotInGoodStanding) as refused:
        platform.billing.issue_invoice(draft["id"])
    assert refused.value.fields == {"member_id": [
        f"member {member} is not in good standing on {lapsed}: the member's shares covered use "
        f"until {covered_until}, not {lapsed}: one more share extends the coverage"]}
    with pytest.raises(NotInGoodStanding):
        platform.invoice(activity, client, issue=False)
    assert platform.billing.get_invoice(draft["id"])["status"] == "draft"

    # the member buys a share: membership publishes the holdings and the coverage they give
    extended = covered_until.replace(year=covered_until.year + 1)
    platform.publish_event("membership", "shares_paid", {
        "member_id": member, "shares": 1, "amount": "30.00", "reference": "+++000001/0002/00095+++",
        "effective_date": lapsed.isoformat(), "paid_shares": 2, "covered_until": extended.isoformat()})
    wait_until(lambda: platform.billing.member_standing(member)["paid_shares"] == 2, 10,
               message="billing did not apply shares_paid")
    issued = platform.billing.issue_invoice(draft["id"])
    assert (issued["status"], issued["issue_date"]) == ("issued", lapsed.isoformat())


def test_coverage_is_judged_on_the_day_of_each_document(books, backend):
    member = str(uuid.uuid4())
    with books.tx() as s:
        members.apply_event(s, "member_admitted", {"member_id": member, "admitted_on": "2026-01-05",
                                                   "paid_shares": 1, "covered_until": "2026-12-31"}, NOW)
    activity, client = books.activity(member), books.client()
    assert books.invoice(activity, client, [("1", "100.00")], today=dt.date(2026, 12, 31))
    with pytest.raises(NotInGoodStanding, match="covered use until 2026-12-31, not 2027-01-01"):
        books.invoice(activity, client, [("1", "100.00")], today=dt.date(2027, 1, 1))
    # a later event with the same holdings and no coverage (an older publisher) leaves it unchecked
    with books.tx() as s:
        members.apply_event(s, "shares_paid", {"member_id": member, "effective_date": TODAY.isoformat(),
                                               "paid_shares": 1}, NOW + dt.timedelta(hours=1))
    assert books.invoice(activity, client, [("1", "100.00")], today=dt.date(2027, 1, 1))
