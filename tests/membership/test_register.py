"""The share register as of a date: holders by name, their shares, every movement; as CSV."""
import csv
import io

import pytest

from shared.errors import Forbidden, ValidationError
from tests.membership.helpers import day


@pytest.fixture
def history(membership):
    """Ada pays 3 shares in January, gives 1 to Grace in February, redeems 1 in March."""
    ada = membership.admitted(shares=3, paid_on=day("01-05"), admitted_on=day("01-06"),
                              first_name="Ada", last_name="Lovelace")
    grace = membership.admitted(shares=1, paid_on=day("01-20"), admitted_on=day("01-21"),
                                first_name="Grace", last_name="Hopper")
    membership.rpc.transfer_shares(from_member_id=ada["id"], to_member_id=grace["id"],
                                   shares=1, effective_date=day("02-10"))
    membership.rpc.request_redemption(member_id=ada["id"], shares=1, effective_date=day("03-15"))
    return ada, grace


def shares_by_holder(register):
    return {h["holder"]: h["paid_shares"] for h in register["holders"]}


def test_share_register_as_of_a_date(membership, history):
    ada, grace = history
    january = membership.rpc.share_register(as_of=day("01-31"))
    assert shares_by_holder(january) == {"Lovelace, Ada": 3, "Hopper, Grace": 1}
    assert (january["total_shares"], january["paid_capital"]) == (4, "120.00")
    february = membership.rpc.share_register(as_of=day("02-28"))
    assert shares_by_holder(february) == {"Lovelace, Ada": 2, "Hopper, Grace": 2}
    march = membership.rpc.share_register(as_of=day("03-31"))
    assert shares_by_holder(march) == {"Lovelace, Ada": 1, "Hopper, Grace": 2}
    assert (march["total_shares"], march["paid_capital"]) == (3, "90.00")
    [ada_holder] = [h for h in march["holders"] if h["member_id"] == ada["id"]]
    assert [(e["kind"], e["shares"], e["amount"], e["effective_date"], e["paid_shares_after"])
            for e in ada_holder["entries"]] == [
        ("subscription", 3, "90.00", day("01-05"), 0),
        ("payment", 3, "90.00", day("01-05"), 3),
        ("transfer_out", 1, "30.00", day("02-10"), 2),
        ("redemption", 1, "30.00", day("03-15"), 1)]
    assert ada_holder["entries"][2]["counterparty_number"] == grace["number"]
    assert membership.rpc.share_register(as_of=day("01-01"))["holders"] == []


def test_share_register_as_csv(membership, history):
    ada, grace = history
    text = membership.rpc.share_register(as_of=day("03-31"), format="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["member_number"], r["holder"], r["movement"], r["shares"], r["amount"],
             r["paid_shares_after"]) for r in rows] == [
        (str(ada["number"]), "Lovelace, Ada", "subscription", "3", "90.00", "0"),
        (str(ada["number"]), "Lovelace, Ada", "payment", "3", "90.00", "3"),
        (str(ada["number"]), "Lovelace, Ada", "transfer_out", "1", "30.00", "2"),
        (str(ada["number"]), "Lovelace, Ada", "redemption", "1", "30.00", "1"),
        (str(grace["number"]), "Hopper, Grace", "subscription", "1", "30.00", "0"),
        (str(grace["number"]), "Hopper, Grace", "payment", "1", "30.00", "1"),
        (str(grace["number"]), "Hopper, Grace", "transfer_in", "1", "30.00", "2")]
    assert rows[1]["reference"].startswith("+++")


def test_share_register_csv_neutralises_spreadsheet_formulas(membership):
    membership.admitted(first_name="1+1", last_name="=HYPERLINK(\"http://x\")")
    text = membership.rpc.share_register(format="csv")
    assert {r["holder"] for r in csv.DictReader(io.StringIO(text))} == {
        "'=HYPERLINK(\"http://x\"), 1+1"}


def test_share_register_is_for_staff_and_board(membership, member_cluster):
    member = membership.admitted()
    with pytest.raises(Forbidden):
        member_cluster({"member_id": member["id"], "roles": ["member"]}).membership.share_register()
    staff = member_cluster({"member_id": member["id"], "roles": ["staff"]})
    assert staff.membership.share_register()["total_shares"] == 1


def test_share_register_refuses_an_unknown_format(membership):
    with pytest.raises(ValidationError) as refused:
        membership.rpc.share_register(as_of="31/03/2026", format="pdf")
    assert set(refused.value.fields) == {"as_of", "format"}


def test_a_member_gets_a_certificate_of_the_registered_shares(membership, history,
                                                              member_cluster):
    import base64

    ada, grace = history
    as_ada = member_cluster({"member_id": ada["id"], "roles": ["member"]}).membership
    certificate = as_ada.share_certificate(member_id=ada["id"], as_of=day("02-28"))
    assert (certificate["holder"], certificate["paid_shares"]) == ("Lovelace, Ada", 2)
    pdf = base64.b64decode(certificate["pdf"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert certificate["filename"] == f"share-certificate-{ada['number']:06d}-{day('02-28')}.pdf"
    with pytest.raises(Forbidden):
        as_ada.share_certificate(member_id=grace["id"])
    with pytest.raises(ValidationError) as none_yet:
        membership.rpc.share_certificate(member_id=ada["id"], as_of=day("01-01"))
    assert "holds no paid share" in none_yet.value.fields["member_id"][0]
