"""The share rules on plain facts: no database, no broker."""
import datetime as dt
from decimal import Decimal

import pytest

from services.membership.domain.share_rules import (
    Holding,
    covered_until,
    distinct_parties,
    holding_of,
    in_good_standing,
    in_redemption_window,
    keeps_minimum,
    may_be_admitted,
    may_be_erased,
    may_receive,
    may_subscribe,
    movement_date,
    nominal_value,
    parse_reference,
    shares_paid,
    structured_reference,
)
from shared.errors import ValidationError

TODAY = dt.date(2026, 11, 20)


def refusal(call, *args) -> dict:
    with pytest.raises(ValidationError) as refused:
        call(*args)
    return refused.value.fields


def test_a_holding_adds_up_subscriptions_payments_and_transfers_of_the_register():
    held = holding_of([("subscription", 3, dt.date(2024, 1, 10)), ("payment", 2, dt.date(2024, 1, 20)),
                       ("transfer_in", 4, dt.date(2023, 6, 1)), ("transfer_out", 1, dt.date(2025, 3, 1)),
                       ("redemption", 1, dt.date(2025, 4, 2))])
    assert held == Holding(subscribed_shares=3, paid_by_member=2, paid_shares=4,
                           first_paid_on=dt.date(2023, 6, 1), last_movement_on=dt.date(2025, 4, 2))
    assert held.unpaid_shares == 1
    assert holding_of([]) == Holding()


def test_each_paid_share_covers_a_year_from_the_first_payment():
    held = Holding(2, 2, 2, dt.date(2025, 3, 15))
    assert covered_until(held, years_per_share=1) == dt.date(2027, 3, 14)
    assert covered_until(held, years_per_share=2) == dt.date(2029, 3, 14)
    # from 29 February: a year on is 28 February, less a day
    assert covered_until(Holding(1, 1, 1, dt.date(2024, 2, 29)), 1) == dt.date(2025, 2, 27)
    assert covered_until(Holding(1, 0, 0, None), 1) is None


def test_good_standing_is_admitted_fully_paid_and_covered_today():
    held = Holding(2, 2, 2, dt.date(2025, 1, 1))
    assert in_good_standing("admitted", held, dt.date(2026, 12, 31), TODAY)
    assert in_good_standing("admitted", held, TODAY, TODAY)  # the last day covered still counts
    assert not in_good_standing("admitted", held, TODAY - dt.timedelta(days=1), TODAY)  # coverage lapsed
    assert not in_good_standing("suspended", held, dt.date(2026, 12, 31), TODAY)
    unpaid = Holding(3, 2, 2, dt.date(2025, 1, 1))  # one subscribed share not paid
    assert not in_good_standing("admitted", unpaid, dt.date(2026, 12, 31), TODAY)
    assert not in_good_standing("admitted", Holding(0, 0, 0), None, TODAY)


def test_a_movement_is_dated_neither_in_the_future_nor_before_the_application_or_the_previous_movement():
    applied, last = dt.date(2025, 1, 5), dt.date(2026, 3, 1)
    assert movement_date(dt.date(2026, 3, 1), TODAY, applied, last) == dt.date(2026, 3, 1)
    assert "in the future" in refusal(movement_date, TODAY + dt.timedelta(days=1), TODAY, applied, last)[
        "effective_date"][0]
    assert "application" in refusal(movement_date, dt.date(2025, 1, 4), TODAY, applied, None)[
        "effective_date"][0]
    assert "previous share movement" in refusal(movement_date, dt.date(2026, 2, 28), TODAY, applied, last)[
        "effective_date"][0]


def test_a_member_who_left_neither_subscribes_nor_receives_shares():
    may_subscribe("applicant")
    may_receive("suspended")
    assert list(refusal(may_subscribe, "resigned")) == ["member_id"]
    assert list(refusal(may_receive, "excluded")) == ["to_member_id"]


def test_a_subscription_carries_a_structured_reference_of_member_number_and_sequence():
    reference = structured_reference(1234, 2)
    assert reference == "+++001/2340/00250+++"  # check digits: 0012340002 mod 97 = 50
    assert parse_reference("001234000250") == reference
    assert list(refusal(structured_reference, 1_000_000, 1)) == ["shares"]
    assert list(refusal(parse_reference, "+++001/2340/00251+++")) == ["reference"]


def test_a_payment_settles_a_whole_number_of_the_subscriptions_unpaid_shares():
    assert shares_paid(Decimal("60.00"), Decimal("90.00"), 3, already_paid=0) == 2
    assert shares_paid(Decimal("30.00"), Decimal("90.00"), 3, already_paid=2) == 1
    assert "not a whole number of shares at 30.00" in refusal(
        shares_paid, Decimal("45.00"), Decimal("90.00"), 3, 0)["amount"][0]
    assert "only 1 of this subscription remain unpaid" in refusal(
        shares_paid, Decimal("60.00"), Decimal("90.00"), 3, 2)["amount"][0]
    assert list(refusal(shares_paid, Decimal("0.00"), Decimal("90.00"), 3, 0)) == ["amount"]


def test_an_active_member_keeps_the_minimum_but_one_who_left_may_give_up_everything():
    keeps_minimum("admitted", held=3, shares=2, minimum=1)
    keeps_minimum("resigned", held=3, shares=3, minimum=1)
    assert "keeps at least 1 share(s) while suspended (holds 2, 0 would remain)" in refusal(
        keeps_minimum, "suspended", 2, 2, 1)["shares"][0]
    assert "holds 1 paid shares, fewer than 2" in refusal(keeps_minimum, "resigned", 1, 2, 1)["shares"][0]


def test_shares_are_redeemed_only_in_the_first_months_of_the_financial_year():
    in_redemption_window(dt.date(2026, 6, 30), last_month=6)
    assert "first 6 months" in refusal(in_redemption_window, dt.date(2026, 7, 1), 6)["effective_date"][0]


def test_shares_are_transferred_to_another_member_at_their_nominal_value():
    distinct_parties("ann", "bob")
    assert list(refusal(distinct_parties, "ann", "ann")) == ["to_member_id"]
    assert nominal_value(Decimal("30.00"), 4) == Decimal("120.00")


def test_an_applicant_is_admitted_with_one_share_paid_and_an_active_holder_is_not_erased():
    may_be_admitted("applicant", 1, TODAY)
    assert "this applicant has 0" in refusal(may_be_admitted, "applicant", 0, TODAY)["member_id"][0]
    may_be_erased("resigned", 3)
    may_be_erased("admitted", 0)
    assert "must resign or be excluded first" in refusal(may_be_erased, "admitted", 2)["member_id"][0]
