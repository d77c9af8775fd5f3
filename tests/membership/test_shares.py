"""Subscription and payment of shares: dated price, OGM/VCS reference, matching payments."""
from decimal import Decimal

import pytest
from stdnum.be import ogm_vcs

from shared.errors import ValidationError
from tests.membership.helpers import LAST_YEAR, day


def test_share_price_is_the_dated_parameter_of_30_euros(membership, events):
    member = membership.applicant()
    subscription = membership.rpc.subscribe_shares(member_id=member["id"], shares=3,
                                                   effective_date=day("01-05"))
    assert subscription["amount"] == "90.00"
    assert subscription["shares"] == 3
    [event] = events.wait_for("shares_subscribed")
    assert event["data"] == {"member_id": member["id"], "shares": 3, "amount": "90.00",
                             "reference": subscription["reference"],
                             "effective_date": day("01-05")}


def test_subscription_carries_a_structured_ogm_vcs_reference(membership):
    member = membership.applicant()
    first = membership.rpc.subscribe_shares(member_id=member["id"], shares=1)
    second = membership.rpc.subscribe_shares(member_id=member["id"], shares=1)
    for sequence, subscription in ((1, first), (2, second)):
        reference = subscription["reference"]
        assert reference.startswith("+++") and reference.endswith("+++")
        digits = ogm_vcs.validate(reference)
        assert digits[:10] == f"{member['number']:06d}{sequence:04d}"
        assert int(digits[10:]) == (int(digits[:10]) % 97 or 97)
    [entry] = membership.sql("SELECT kind, shares, amount, reference FROM share_register "
                             "WHERE reference = :ref", ref=first["reference"])
    assert (entry.kind, entry.shares, Decimal(str(entry.amount))) == ("subscription", 1, 30)


def test_payment_records_paid_shares_with_the_reference(membership, events):
    member = membership.applicant()
    subscription = membership.rpc.subscribe_shares(member_id=member["id"], shares=3,
                                                   effective_date=day("01-05"))
    # typed by hand: digits only, no slashes
    digits = ogm_vcs.compact(subscription["reference"])
    paid = membership.rpc.record_share_payment(member_id=member["id"], reference=digits,
                                               amount="60.00", effective_date=day("01-06"))
    assert (paid["shares"], paid["amount"], paid["paid_shares"]) == (2, "60.00", 2)
    assert paid["reference"] == subscription["reference"]
    [event] = events.wait_for("shares_paid")
    assert event["data"] == {"member_id": member["id"], "shares": 2, "amount": "60.00",
                             "reference": subscription["reference"],
                             "effective_date": day("01-06"), "paid_shares": 2,
                             "covered_until": day("01-05", LAST_YEAR + 2)}
    standing = membership.rpc.member_standing(member["id"])
    assert (standing["subscribed_shares"], standing["paid_shares"],
            standing["unpaid_shares"]) == (3, 2, 1)


def test_payment_must_carry_the_reference_of_the_members_subscription(membership):
    member, other = membership.applicant(), membership.applicant()
    membership.rpc.subscribe_shares(member_id=member["id"], shares=1)
    others = membership.rpc.subscribe_shares(member_id=other["id"], shares=1)
    before = membership.counts()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.record_share_payment(member_id=member["id"],
                                            reference=others["reference"], amount="30.00")
    assert "reference" in refused.value.fields
    with pytest.raises(ValidationError) as malformed:
        membership.rpc.record_share_payment(member_id=member["id"],
                                            reference="+++000/0000/00000+++", amount="30.00")
    assert "not a valid structured communication" in malformed.value.fields["reference"][0]
    assert membership.counts() == before


def test_payment_must_be_a_whole_number_of_shares(membership):
    member = membership.applicant()
    subscription = membership.rpc.subscribe_shares(member_id=member["id"], shares=2)
    before = membership.counts()
    for amount in ("45.00", "15.00", "29.99"):
        with pytest.raises(ValidationError) as refused:
            membership.rpc.record_share_payment(member_id=member["id"], amount=amount,
                                                reference=subscription["reference"])
        assert "not a whole number of shares at 30.00" in refused.value.fields["amount"][0]
    assert membership.counts() == before


def test_payment_cannot_exceed_the_unpaid_subscribed_shares(membership):
    member = membership.applicant()
    subscription = membership.rpc.subscribe_shares(member_id=member["id"], shares=2)
    membership.rpc.record_share_payment(member_id=member["id"], amount="30.00",
                                        reference=subscription["reference"])
    before = membership.counts()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.record_share_payment(member_id=member["id"], amount="60.00",
                                            reference=subscription["reference"])
    assert "only 1 of this subscription remain unpaid" in refused.value.fields["amount"][0]
    assert membership.counts() == before
    last = membership.rpc.record_share_payment(member_id=member["id"], amount="30.00",
                                               reference=subscription["reference"])
    assert last["paid_shares"] == 2


def test_share_movements_are_counted_in_metrics(membership):
    from prometheus_client import REGISTRY

    def paid():
        return REGISTRY.get_sample_value("coop_shares_moved_total", {"kind": "payment"}) or 0

    before = paid()
    membership.paid_applicant(shares=3)
    assert paid() - before == 3
