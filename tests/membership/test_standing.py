"""Coverage and good standing: each paid share held covers a year of use from the first
payment; good standing = admitted, a paid share, nothing unpaid, covered today."""
import datetime as dt
from decimal import Decimal

import pytest

from services.membership import domain
from services.membership.domain.dates import add_years
from services.membership.models import Parameter
from shared.errors import ValidationError

D = dt.date
APPLIED = D(2026, 1, 2)


def paid_member(session, shares=1, paid_on=D(2026, 1, 15), admit=True, email="ada@example.org"):
    member = domain.apply(session, {"first_name": "Ada", "last_name": "Lovelace", "email": email,
                                    "member_class": "A", "applied_on": paid_on}, today=paid_on)
    subscription = domain.subscribe_shares(session, member.id, shares, paid_on, today=paid_on)
    domain.record_share_payment(session, member.id, subscription.reference, subscription.amount,
                                paid_on, today=paid_on)
    if admit:
        domain.admit(session, member.id, paid_on, today=paid_on)
    return member


def test_each_paid_share_covers_one_year_from_the_first_payment(session):
    member = paid_member(session, shares=3, paid_on=D(2026, 1, 15))
    standing = domain.member_standing(session, member.id, today=D(2026, 6, 1))
    assert (standing.paid_shares, standing.covered_until) == (3, D(2029, 1, 14))
    assert standing.good_standing is True
    assert domain.member_standing(session, member.id, D(2029, 1, 14)).good_standing is True
    assert domain.member_standing(session, member.id, D(2029, 1, 15)).good_standing is False


def test_a_share_paid_later_extends_the_coverage(session):
    member = paid_member(session, shares=1, paid_on=D(2025, 3, 1))
    assert domain.member_standing(session, member.id, D(2026, 3, 1)).good_standing is False
    more = domain.subscribe_shares(session, member.id, 1, D(2026, 3, 2), today=D(2026, 3, 2))
    domain.record_share_payment(session, member.id, more.reference, Decimal("30.00"),
                                D(2026, 3, 2), today=D(2026, 3, 2))
    standing = domain.member_standing(session, member.id, D(2026, 3, 2))
    assert (standing.covered_until, standing.good_standing) == (D(2027, 2, 28), True)


def test_years_covered_per_share_is_a_dated_parameter(session):
    session.add(Parameter(name="years_covered_per_share", value="2",
                          effective_from=D(2026, 1, 1), source="statutes amended"))
    member = paid_member(session, shares=1, paid_on=D(2026, 1, 15))
    assert domain.member_standing(session, member.id, D(2026, 2, 1)).covered_until == D(2028, 1, 14)


def test_good_standing_needs_admission_and_no_unpaid_shares(session):
    applicant = paid_member(session, admit=False, paid_on=D(2026, 1, 15))
    assert domain.member_standing(session, applicant.id, D(2026, 2, 1)).good_standing is False
    member = paid_member(session, email="grace@example.org", paid_on=D(2026, 1, 15))
    domain.subscribe_shares(session, member.id, 1, D(2026, 2, 1), today=D(2026, 2, 1))
    standing = domain.member_standing(session, member.id, D(2026, 2, 1))
    assert (standing.unpaid_shares, standing.good_standing) == (1, False)


def test_a_suspended_member_is_not_in_good_standing(session):
    member = paid_member(session, shares=2, paid_on=D(2026, 1, 15))
    domain.suspend(session, member.id, D(2026, 2, 1), today=D(2026, 2, 1))
    standing = domain.member_standing(session, member.id, D(2026, 2, 1))
    assert (standing.status, standing.paid_shares, standing.good_standing) == ("suspended", 2, False)


def test_share_price_is_read_from_the_parameter_in_force_on_the_effective_date(session):
    session.add(Parameter(name="share_price", value="35.00", effective_from=D(2026, 6, 1),
                          source="statutes amended"))
    member = domain.apply(session, {"first_name": "Ada", "last_name": "Lovelace",
                                    "email": "ada@example.org", "member_class": "A",
                                    "applied_on": APPLIED}, today=D(2026, 7, 1))
    before = domain.subscribe_shares(session, member.id, 1, D(2026, 5, 31), today=D(2026, 7, 1))
    after = domain.subscribe_shares(session, member.id, 2, D(2026, 6, 1), today=D(2026, 7, 1))
    assert (before.amount, after.amount) == (Decimal("30.00"), Decimal("70.00"))


def test_redemption_window_is_the_dated_parameter(session):
    session.add(Parameter(name="redemption_last_month", value="3", effective_from=D(2026, 1, 1),
                          source="statutes amended"))
    member = paid_member(session, shares=3, paid_on=D(2026, 1, 15))
    assert domain.request_redemption(session, member.id, 1, D(2026, 3, 31),
                                     today=D(2026, 4, 2)).paid_shares == 2
    with pytest.raises(ValidationError) as refused:
        domain.request_redemption(session, member.id, 1, D(2026, 4, 1), today=D(2026, 4, 2))
    assert "first 3 months" in refused.value.fields["effective_date"][0]


def test_member_standing_over_rpc_for_a_member_who_paid_today(membership):
    today = dt.date.today()
    member = membership.admitted(shares=2, paid_on=today.isoformat(),
                                 admitted_on=today.isoformat())
    standing = membership.rpc.member_standing(member["id"])
    assert standing == {
        "member_id": member["id"], "number": member["number"], "status": "admitted",
        "subscribed_shares": 2, "paid_shares": 2, "unpaid_shares": 0,
        "covered_until": (add_years(today, 2) - dt.timedelta(days=1)).isoformat(),
        "good_standing": True, "as_of": today.isoformat()}


def test_member_standing_over_rpc_for_a_member_whose_coverage_ran_out(membership):
    member = membership.admitted(shares=1, paid_on=f"{dt.date.today().year - 2}-03-01",
                                 applied_on=f"{dt.date.today().year - 2}-03-01",
                                 admitted_on=f"{dt.date.today().year - 2}-03-02")
    standing = membership.rpc.member_standing(member["id"])
    last_day = dt.date(dt.date.today().year - 1, 3, 1) - dt.timedelta(days=1)
    assert standing["covered_until"] == last_day.isoformat()
    assert (standing["paid_shares"], standing["good_standing"]) == (1, False)
