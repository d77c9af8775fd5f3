"""The member's life cycle: admission by the board once a share is paid, then suspension,
reinstatement, exclusion or resignation, each only from the right status."""
import datetime as dt

import pytest

from services.membership import domain
from services.membership.models import Parameter
from shared.errors import Forbidden, ValidationError
from tests.membership.helpers import LAST_YEAR, day


def test_apply_returns_an_applicant_with_a_number(membership, events):
    first = membership.applicant(member_class="A")
    second = membership.applicant(member_class="B")
    assert (first["status"], second["status"]) == ("applicant", "applicant")
    assert second["number"] == first["number"] + 1
    [event, _] = events.wait_for("member_applied", 2)
    assert event["data"] == {"member_id": first["id"], "number": first["number"],
                             "member_class": "A", "applied_on": day("01-02")}


def test_member_classes_are_those_the_statutes_define(membership):
    assert membership.applicant(member_class="B")["member_class"] == "B"
    with pytest.raises(ValidationError) as refused:
        membership.applicant(member_class="C")
    assert refused.value.fields == {"member_class": ["must be one of: A, B"]}


def test_member_classes_are_a_dated_parameter(session):
    session.add(Parameter(name="member_classes", value="A,B,C", effective_from=dt.date(2026, 6, 1),
                          source="statutes amended"))
    application = {"first_name": "Ada", "last_name": "Lovelace", "member_class": "C"}
    with pytest.raises(ValidationError):
        domain.apply(session, {**application, "email": "a@example.org"}, dt.date(2026, 5, 31))
    member = domain.apply(session, {**application, "email": "b@example.org"}, dt.date(2026, 6, 1))
    assert member.member_class == "C"


def test_admission_needs_a_paid_share(membership, events):
    applicant = membership.applicant()
    membership.rpc.subscribe_shares(member_id=applicant["id"], shares=1,
                                    effective_date=day("01-05"))
    before = membership.counts()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.admit(member_id=applicant["id"], admitted_on=day("01-10"))
    assert "admission needs at least one paid share" in refused.value.fields["member_id"][0]
    assert membership.counts() == before

    paid = membership.paid_applicant(shares=2, on=day("01-05"))
    admitted = membership.rpc.admit(member_id=paid["id"], admitted_on=day("01-10"))
    assert (admitted["status"], admitted["admitted_on"]) == ("admitted", day("01-10"))
    [event] = events.wait_for("member_admitted")
    assert event["data"] == {"member_id": paid["id"], "number": paid["number"],
                             "member_class": "A", "admitted_on": day("01-10"), "paid_shares": 2,
                             # two shares first paid on 01-05 cover two years of use
                             "covered_until": day("01-04", LAST_YEAR + 2)}


def test_admission_counts_shares_paid_by_the_admission_date(membership):
    paid = membership.paid_applicant(shares=1, on=day("02-01"))
    with pytest.raises(ValidationError):
        membership.rpc.admit(member_id=paid["id"], admitted_on=day("01-15"))


def test_admission_is_decided_by_the_board_or_staff(membership, member_cluster):
    paid = membership.paid_applicant()
    as_member = member_cluster({"member_id": paid["id"], "roles": ["member"]})
    with pytest.raises(Forbidden):
        as_member.membership.admit(member_id=paid["id"])
    as_board = member_cluster({"member_id": membership.applicant()["id"], "roles": ["board"]})
    assert as_board.membership.admit(member_id=paid["id"])["status"] == "admitted"


def test_admission_only_for_an_applicant(membership):
    member = membership.admitted()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.admit(member_id=member["id"])
    assert "a member who is admitted cannot be admitted" in refused.value.fields["member_id"][0]


def test_suspend_reinstate_exclude_only_from_the_right_status(membership, events):
    applicant = membership.paid_applicant()
    for method in ("suspend", "reinstate", "exclude"):
        with pytest.raises(ValidationError):
            getattr(membership.rpc, method)(member_id=applicant["id"])
    member = membership.admitted()
    with pytest.raises(ValidationError):
        membership.rpc.reinstate(member_id=member["id"])
    suspended = membership.rpc.suspend(member_id=member["id"], effective_date=day("02-01"),
                                       reason="unpaid fees")
    assert suspended["status"] == "suspended"
    with pytest.raises(ValidationError):
        membership.rpc.suspend(member_id=member["id"])
    assert membership.rpc.reinstate(member_id=member["id"],
                                    effective_date=day("03-01"))["status"] == "admitted"
    excluded = membership.rpc.exclude(member_id=member["id"], effective_date=day("04-01"))
    assert (excluded["status"], excluded["left_on"]) == ("excluded", day("04-01"))
    for method in ("suspend", "reinstate", "exclude"):
        with pytest.raises(ValidationError):
            getattr(membership.rpc, method)(member_id=member["id"])
    assert [e["data"] for e in events.wait_for("member_suspended")] == [
        {"member_id": member["id"], "effective_date": day("02-01"), "paid_shares": 1,
         "covered_until": day("01-04", LAST_YEAR + 1)}]
    assert events.wait_for("member_reinstated")[0]["data"]["effective_date"] == day("03-01")
    assert events.wait_for("member_excluded")[0]["data"]["effective_date"] == day("04-01")
    history = membership.sql("SELECT from_status, to_status FROM member_status_changes "
                             "WHERE member_id = :id ORDER BY id", id=member["id"])
    assert [tuple(row) for row in history] == [
        ("applicant", "admitted"), ("admitted", "suspended"), ("suspended", "admitted"),
        ("admitted", "excluded")]


def test_resignation_is_a_dated_request_of_an_admitted_or_suspended_member(membership, events,
                                                                           member_cluster):
    applicant = membership.paid_applicant()
    with pytest.raises(ValidationError):
        membership.rpc.resign(member_id=applicant["id"], requested_on=day("03-01"))
    member = membership.admitted()
    with pytest.raises(ValidationError) as missing:
        membership.rpc.resign(member_id=member["id"])
    assert "requested_on" in missing.value.fields
    with pytest.raises(ValidationError) as wrong_order:
        membership.rpc.resign(member_id=member["id"], requested_on=day("03-01"),
                              effective_date=day("02-01"))
    assert "before the request date" in wrong_order.value.fields["effective_date"][0]
    as_self = member_cluster({"member_id": member["id"], "roles": ["member"]})
    resigned = as_self.membership.resign(member_id=member["id"], requested_on=day("03-01"),
                                         effective_date=day("03-31"))
    assert (resigned["status"], resigned["left_on"]) == ("resigned", day("03-31"))
    [event] = events.wait_for("member_resigned")
    assert event["data"] == {"member_id": member["id"], "effective_date": day("03-31"),
                             "paid_shares": 1, "covered_until": day("01-04", LAST_YEAR + 1)}
    [row] = membership.sql("SELECT requested_on, effective_date FROM member_status_changes "
                           "WHERE to_status = 'resigned'")
    assert [str(value) for value in row] == [day("03-01"), day("03-31")]


def test_status_decisions_are_never_dated_before_the_previous_one(membership):
    member = membership.admitted(admitted_on=day("01-10"))
    with pytest.raises(ValidationError) as refused:
        membership.rpc.suspend(member_id=member["id"], effective_date=day("01-09"))
    assert "before the member's previous status date" in refused.value.fields["effective_date"][0]
