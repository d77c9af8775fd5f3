"""The member-standing projection's rules (shared.standing), without a database or a broker."""
import datetime as dt
import importlib

import pytest
from nameko.cli.run import import_service

from shared import topology
from shared.standing import STANDING_EVENTS, Standing, StandingFact, applied, facts_of, in_good_standing, refusal
from shared.standing_handlers import MemberStandingHandlers

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
MEMBER = "6f1d3c1e-2b8a-4f0e-9a51-0c3f5e7d9a01"


def at(hours: int) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def fold(*facts: StandingFact) -> Standing:
    standing = Standing(MEMBER)
    for fact in facts:
        standing = applied(standing, fact)
    return standing


def status(event_type: str, when: dt.datetime, **data) -> StandingFact:
    [fact] = facts_of(event_type, {"member_id": MEMBER, "effective_date": "2026-03-01", **data}, when)
    return fact


def test_each_event_says_what_it_knows_of_the_member():
    admitted = facts_of("member_admitted", {"member_id": MEMBER, "number": 4, "member_class": "A",
                                            "admitted_on": "2026-02-10", "paid_shares": 2,
                                            "covered_until": "2028-02-09"}, T0)
    assert admitted == [StandingFact(MEMBER, "member_admitted", T0, dt.date(2026, 2, 10), "admitted",
                                     2, dt.date(2028, 2, 9))]
    [paid] = facts_of("shares_paid", {"member_id": MEMBER, "shares": 1, "amount": "30.00",
                                      "reference": "+++000004/0001/00089+++", "effective_date": "2026-03-01",
                                      "paid_shares": 3, "covered_until": "2029-02-09"}, T0)
    assert (paid.status, paid.paid_shares, paid.covered_until) == (None, 3, dt.date(2029, 2, 9))
    [erased] = facts_of("member_erased", {"member_id": MEMBER}, at(30))
    assert (erased.status, erased.effective_date, erased.paid_shares) == ("erased", dt.date(2026, 3, 2), None)


def test_a_transfer_speaks_of_both_members():
    giver, receiver = facts_of("shares_transferred", {
        "from_member_id": "a", "to_member_id": "b", "shares": 2, "effective_date": "2026-03-01",
        "from_paid_shares": 1, "to_paid_shares": 3, "from_covered_until": "2027-01-04",
        "to_covered_until": "2029-01-04"}, T0)
    assert (giver.member_id, giver.paid_shares, giver.covered_until) == ("a", 1, dt.date(2027, 1, 4))
    assert (receiver.member_id, receiver.paid_shares, receiver.covered_until) == ("b", 3, dt.date(2029, 1, 4))


def test_an_older_status_arriving_late_changes_nothing():
    standing = fold(status("member_suspended", at(5)), status("member_admitted", at(1), paid_shares=1))
    assert (standing.status, standing.status_at) == ("suspended", at(5))
    # the late admission still brings the holdings: they are a fact of their own
    assert standing.paid_shares == 1


def test_status_and_holdings_are_each_kept_from_their_newest_event():
    standing = fold(status("member_admitted", at(1), paid_shares=1, covered_until="2027-02-28"),
                    status("shares_paid", at(9), paid_shares=3, covered_until="2029-02-28"),
                    status("member_suspended", at(4), paid_shares=1, covered_until="2027-02-28"),
                    status("member_reinstated", at(6)))
    assert (standing.status, standing.status_at) == ("admitted", at(6))
    assert (standing.paid_shares, standing.covered_until) == (3, dt.date(2029, 2, 28))
    assert standing.holdings_at == at(9)


def test_erasure_is_final_whatever_arrives_after_it():
    standing = fold(status("member_admitted", at(1)), status("member_erased", at(2)),
                    status("member_reinstated", at(50)))
    assert standing.status == "erased"
    late_but_older = fold(status("member_reinstated", at(50)), status("member_erased", at(2)))
    assert late_but_older.status == "erased"


def test_good_standing_needs_admission_a_paid_share_and_coverage_on_the_day():
    last = dt.date(2027, 1, 4)
    assert in_good_standing("admitted", 1, last, last)
    assert refusal("admitted", 1, last, dt.date(2027, 1, 5)) == (
        "the member's shares covered use until 2027-01-04, not 2027-01-05: "
        "one more share extends the coverage")
    assert refusal("admitted", 0, None, last) == "the member holds no paid share"
    assert refusal("suspended", 3, dt.date(2030, 1, 1), last) == "the member is suspended, not admitted"
    assert refusal(None, None, None, last) == "the member is unknown, not admitted"


def test_rows_and_events_older_than_coverage_are_judged_as_before():
    # holdings never published to the projection: the status alone, as before coverage existed
    assert in_good_standing("admitted", None, None, dt.date(2026, 12, 1))
    # paid shares from an event that did not carry covered_until: coverage unchecked
    assert in_good_standing("admitted", 1, None, dt.date(2026, 12, 1))
    standing = fold(status("member_admitted", at(1), paid_shares=1))
    assert (standing.paid_shares, standing.covered_until) == (1, None)


def test_an_event_that_is_not_about_standing_is_refused():
    with pytest.raises(LookupError):
        facts_of("shares_subscribed", {"member_id": MEMBER}, T0)


@pytest.mark.parametrize("service", ["billing", "resources", "governance"])
def test_billing_resources_and_governance_keep_the_projection_with_the_one_set_of_handlers(service):
    module = importlib.import_module(f"services.{service}.service")
    [service_cls] = import_service(module.__name__)  # the mixin is no service of its own
    assert issubclass(service_cls, MemberStandingHandlers)
    for event_type in STANDING_EVENTS:
        assert getattr(service_cls, f"on_{event_type}") is getattr(MemberStandingHandlers, f"on_{event_type}")
    subscribed = {s.event_type for s in topology.SUBSCRIPTIONS
                  if s.service == service and s.source == "membership"}
    assert subscribed == set(STANDING_EVENTS)
