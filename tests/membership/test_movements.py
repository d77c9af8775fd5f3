"""Transfers and redemptions: paid shares only, one share kept while active, redemption in
the first six months at nominal value, effective dates never in the future nor out of order."""
import datetime as dt

import pytest

from shared.errors import NotFound, ValidationError
from tests.membership.helpers import LAST_YEAR, TODAY, day

TOMORROW = (TODAY + dt.timedelta(days=1)).isoformat()


def test_transfer_moves_paid_shares_between_members(membership, events):
    giver = membership.admitted(shares=3)
    receiver = membership.admitted(shares=1)
    transfer = membership.rpc.transfer_shares(from_member_id=giver["id"],
                                              to_member_id=receiver["id"], shares=2,
                                              effective_date=day("02-01"))
    assert (transfer["from_paid_shares"], transfer["to_paid_shares"]) == (1, 3)
    assert transfer["amount"] == "60.00"
    [event] = events.wait_for("shares_transferred")
    assert event["data"] == {"from_member_id": giver["id"], "to_member_id": receiver["id"],
                             "shares": 2, "effective_date": day("02-01"),
                             "from_paid_shares": 1, "to_paid_shares": 3,
                             # a share each year from the first payment (01-05): 1 and 3 years
                             "from_covered_until": day("01-04", LAST_YEAR + 1),
                             "to_covered_until": day("01-04", LAST_YEAR + 3)}
    assert membership.rpc.member_standing(receiver["id"])["paid_shares"] == 3
    assert membership.rpc.member_standing(giver["id"])["paid_shares"] == 1


def test_transfer_only_of_paid_shares_held(membership):
    giver = membership.admitted(shares=1)
    membership.rpc.subscribe_shares(member_id=giver["id"], shares=5, effective_date=day("01-20"))
    receiver = membership.admitted()
    before = membership.counts()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.transfer_shares(from_member_id=giver["id"], to_member_id=receiver["id"],
                                       shares=3, effective_date=day("02-01"))
    assert "holds 1 paid shares, fewer than 3" in refused.value.fields["shares"][0]
    with pytest.raises(ValidationError) as to_self:
        membership.rpc.transfer_shares(from_member_id=giver["id"], to_member_id=giver["id"],
                                       shares=1, effective_date=day("02-01"))
    assert "to_member_id" in to_self.value.fields
    assert membership.counts() == before


def test_one_share_is_kept_while_active(membership):
    member = membership.admitted(shares=2)
    other = membership.admitted(shares=1)
    before = membership.counts()
    with pytest.raises(ValidationError) as redemption:
        membership.rpc.request_redemption(member_id=member["id"], shares=2,
                                          effective_date=day("03-01"))
    assert "keeps at least 1 share(s) while admitted" in redemption.value.fields["shares"][0]
    with pytest.raises(ValidationError) as transfer:
        membership.rpc.transfer_shares(from_member_id=member["id"], to_member_id=other["id"],
                                       shares=2, effective_date=day("03-01"))
    assert "keeps at least 1 share(s)" in transfer.value.fields["shares"][0]
    membership.rpc.suspend(member_id=member["id"], effective_date=day("03-01"))
    with pytest.raises(ValidationError) as suspended:
        membership.rpc.request_redemption(member_id=member["id"], shares=2,
                                          effective_date=day("03-02"))
    assert "while suspended" in suspended.value.fields["shares"][0]
    assert membership.counts()["share_register"] == before["share_register"]
    redeemed = membership.rpc.request_redemption(member_id=member["id"], shares=1,
                                                 effective_date=day("03-02"))
    assert redeemed["paid_shares"] == 1


def test_a_member_who_left_may_redeem_every_share(membership, events):
    member = membership.admitted(shares=2)
    membership.rpc.resign(member_id=member["id"], requested_on=day("02-01"))
    redeemed = membership.rpc.request_redemption(member_id=member["id"], shares=2,
                                                 effective_date=day("02-15"))
    assert (redeemed["paid_shares"], redeemed["amount"]) == (0, "60.00")
    [event] = events.wait_for("shares_redeemed")
    assert event["data"] == {"member_id": member["id"], "shares": 2, "amount": "60.00",
                             "effective_date": day("02-15"), "paid_shares": 0, "covered_until": None}


def test_redemption_only_in_the_first_six_months_of_the_financial_year(membership):
    member = membership.admitted(shares=3)
    before = membership.counts()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.request_redemption(member_id=member["id"], shares=1,
                                          effective_date=day("07-01"))
    assert "only in the first 6 months" in refused.value.fields["effective_date"][0]
    assert membership.counts() == before
    june = membership.rpc.request_redemption(member_id=member["id"], shares=1,
                                             effective_date=day("06-30"))
    assert june["paid_shares"] == 2


def test_redemption_is_at_nominal_value(membership):
    member = membership.admitted(shares=4)
    redeemed = membership.rpc.request_redemption(member_id=member["id"], shares=3,
                                                 effective_date=day("03-01"))
    assert (redeemed["shares"], redeemed["amount"], redeemed["paid_shares"]) == (3, "90.00", 1)


@pytest.mark.parametrize("movement", ["subscription", "payment", "transfer", "redemption",
                                      "resignation", "admission", "application"])
def test_effective_dates_are_never_in_the_future(membership, movement):
    member = membership.admitted(shares=2)
    other = membership.admitted()
    pending = membership.rpc.subscribe_shares(member_id=member["id"], shares=1)
    before = membership.counts()
    calls = {
        "subscription": lambda: membership.rpc.subscribe_shares(
            member_id=member["id"], shares=1, effective_date=TOMORROW),
        "payment": lambda: membership.rpc.record_share_payment(
            member_id=member["id"], reference=pending["reference"], amount="30.00",
            effective_date=TOMORROW),
        "transfer": lambda: membership.rpc.transfer_shares(
            from_member_id=member["id"], to_member_id=other["id"], shares=1,
            effective_date=TOMORROW),
        "redemption": lambda: membership.rpc.request_redemption(
            member_id=member["id"], shares=1, effective_date=TOMORROW),
        "resignation": lambda: membership.rpc.resign(
            member_id=member["id"], requested_on=TODAY.isoformat(), effective_date=TOMORROW),
        "admission": lambda: membership.rpc.admit(
            member_id=membership.paid_applicant()["id"], admitted_on=TOMORROW),
        "application": lambda: membership.applicant(applied_on=TOMORROW),
    }
    if movement in ("admission", "application"):
        before = None
    with pytest.raises(ValidationError) as refused:
        calls[movement]()
    [messages] = refused.value.fields.values()
    assert f"{TOMORROW} is in the future" in messages[0]
    if before is not None:
        assert membership.counts() == before


def test_movements_are_recorded_in_date_order(membership):
    member = membership.admitted(shares=2, paid_on=day("02-01"), admitted_on=day("02-02"))
    with pytest.raises(ValidationError) as refused:
        membership.rpc.request_redemption(member_id=member["id"], shares=1,
                                          effective_date=day("01-31"))
    assert "before the member's previous share movement" in refused.value.fields["effective_date"][0]


def test_movements_of_an_unknown_member_are_not_found(membership):
    before = membership.counts()
    unknown = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(NotFound):
        membership.rpc.subscribe_shares(member_id=unknown, shares=1)
    with pytest.raises(NotFound):
        membership.rpc.request_redemption(member_id=unknown, shares=1, effective_date=day("02-01"))
    with pytest.raises(NotFound):
        membership.rpc.transfer_shares(from_member_id=membership.admitted()["id"],
                                       to_member_id=unknown, shares=1)
    # only the admitted member's own subscription and payment
    assert membership.counts()["share_register"] == before["share_register"] + 2


def test_a_member_who_left_neither_subscribes_nor_receives_shares(membership):
    leaver = membership.admitted(shares=1)
    giver = membership.admitted(shares=3)
    membership.rpc.resign(member_id=leaver["id"], requested_on=day("02-01"))
    before = membership.counts()
    with pytest.raises(ValidationError) as subscription:
        membership.rpc.subscribe_shares(member_id=leaver["id"], shares=1)
    assert "a member who is resigned cannot subscribe" in subscription.value.fields["member_id"][0]
    with pytest.raises(ValidationError) as transfer:
        membership.rpc.transfer_shares(from_member_id=giver["id"], to_member_id=leaver["id"],
                                       shares=1, effective_date=day("03-01"))
    assert "cannot receive shares" in transfer.value.fields["to_member_id"][0]
    assert membership.counts() == before
