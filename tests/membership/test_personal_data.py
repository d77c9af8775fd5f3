"""Personal data: NISS, IBAN and e-mail validated; one member per e-mail; erasure keeps the
share register under a pseudonym; events carry no personal data."""
import json

import pytest

from shared.errors import Conflict, ValidationError
from tests.membership.helpers import IBAN, NISS, day

PERSONAL = {"first_name": "Grace", "last_name": "Hopper", "email": "Grace@Example.org",
            "member_class": "B", "birth_date": "1985-07-30", "national_number": "85.07.30-033.28",
            "iban": IBAN, "address": "Rue Coenraets 72, 1060 Saint-Gilles", "phone": "+32 2 542 10 80"}


def test_valid_personal_data_is_kept_in_normal_form(membership):
    member = membership.rpc.apply(PERSONAL)
    assert (member["national_number"], member["iban"], member["email"]) == (
        NISS, "BE71096123456769", "grace@example.org")
    assert member["birth_date"] == "1985-07-30"


@pytest.mark.parametrize("field, value, message", [
    ("national_number", "85.07.30-033.29", "not a valid Belgian national number"),
    ("national_number", "12345", "not a valid Belgian national number"),
    ("iban", "BE71 0961 2345 6768", "not a valid IBAN"),
    ("iban", "XX00", "not a valid IBAN"),
    ("email", "grace.example.org", "Not a valid email address."),
    ("email", "grace@", "Not a valid email address."),
    ("birth_date", "2999-01-01", "cannot be in the future"),
])
def test_niss_iban_and_email_are_validated(membership, events, field, value, message):
    before = membership.counts()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.apply({**PERSONAL, field: value})
    assert list(refused.value.fields) == [field]
    assert message in refused.value.fields[field][0]
    assert membership.counts() == before


def test_a_second_application_with_the_same_email_is_a_conflict(membership):
    membership.rpc.apply(PERSONAL)
    before = membership.counts()
    with pytest.raises(Conflict) as conflict:
        membership.rpc.apply({**PERSONAL, "email": "GRACE@example.ORG"})
    assert conflict.value.fields == {"email": ["already registered"]}
    assert membership.counts() == before


def test_events_carry_no_personal_data(membership, events):
    member = membership.rpc.apply({**PERSONAL, "applied_on": day("01-02")})
    subscription = membership.rpc.subscribe_shares(member_id=member["id"], shares=1,
                                                   effective_date=day("01-05"))
    membership.rpc.record_share_payment(member_id=member["id"], amount="30.00",
                                        reference=subscription["reference"],
                                        effective_date=day("01-05"))
    membership.rpc.admit(member_id=member["id"], admitted_on=day("01-06"))
    events.wait_for("member_admitted")
    wire = json.dumps(events.events).lower()
    for value in ("grace", "hopper", "example.org", NISS, "be71", "coenraets", "542 10",
                  "1985-07-30"):
        assert value.lower() not in wire


def test_erasure_removes_personal_data_and_keeps_the_register_under_a_pseudonym(membership, events):
    member = membership.rpc.apply({**PERSONAL, "applied_on": day("01-02")})
    subscription = membership.rpc.subscribe_shares(member_id=member["id"], shares=2,
                                                   effective_date=day("01-05"))
    membership.rpc.record_share_payment(member_id=member["id"], amount="60.00",
                                        reference=subscription["reference"],
                                        effective_date=day("01-05"))
    membership.rpc.admit(member_id=member["id"], admitted_on=day("01-06"))
    membership.rpc.set_password(member_id=member["id"], password="correct horse battery")
    membership.rpc.grant_role(member_id=member["id"], role="staff")
    membership.rpc.resign(member_id=member["id"], requested_on=day("02-01"),
                          reason="moving abroad, to Grace's sister")

    erased = membership.rpc.erase_member(member["id"])

    pseudonym = f"member-{member['number']:06d}"
    assert erased["erased"] is True and erased["pseudonym"] == pseudonym
    for field in ("first_name", "last_name", "email", "birth_date", "national_number", "iban",
                  "address", "phone"):
        assert erased[field] is None, field
    assert erased["roles"] == []
    [row] = membership.sql("SELECT first_name, last_name, email, birth_date, national_number, "
                           "iban, address, phone, password_hash, status_reason FROM members")
    assert set(row) == {None}
    assert membership.sql("SELECT reason FROM member_status_changes WHERE reason IS NOT NULL") == []
    [holder] = membership.rpc.share_register(as_of=day("12-31"))["holders"]
    assert (holder["holder"], holder["paid_shares"]) == (pseudonym, 2)
    assert [e["kind"] for e in holder["entries"]] == ["subscription", "payment"]
    assert pseudonym in membership.rpc.share_register(as_of=day("12-31"), format="csv")
    [event] = events.wait_for("member_erased")
    assert event["data"] == {"member_id": member["id"]}
    # the e-mail is free again and the erased person cannot log in
    membership.rpc.apply(PERSONAL)
    with pytest.raises(Conflict):
        membership.rpc.erase_member(member["id"])


def test_erasure_is_refused_for_an_active_member_with_shares(membership):
    member = membership.admitted(shares=1)
    membership.rpc.suspend(member_id=member["id"], effective_date=day("02-01"))
    before = membership.counts()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.erase_member(member["id"])
    assert "must resign or be excluded first" in refused.value.fields["member_id"][0]
    assert membership.counts() == before
    assert membership.rpc.get_member(member["id"])["email"] is not None
    membership.rpc.exclude(member_id=member["id"], effective_date=day("03-01"))
    assert membership.rpc.erase_member(member["id"])["erased"] is True


def test_an_applicant_without_shares_can_be_erased(membership):
    applicant = membership.applicant()
    assert membership.rpc.erase_member(applicant["id"])["pseudonym"] == \
        f"member-{applicant['number']:06d}"
    with pytest.raises(ValidationError):
        membership.rpc.subscribe_shares(member_id=applicant["id"], shares=1)
