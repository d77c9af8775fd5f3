"""Credentials, roles and object-level access: a member reaches only their own record unless
staff, board or admin; only an admin grants roles."""
import pytest

from shared.errors import Forbidden, Unauthorized, ValidationError
from tests.membership.helpers import day

PASSWORD = "correct horse battery staple"


def test_authenticate_returns_the_member_and_roles(membership, events):
    member = membership.admitted(email="ada@example.org")
    membership.rpc.set_password(member_id=member["id"], password=PASSWORD)
    [stored] = membership.sql("SELECT password_hash FROM members")
    assert stored[0].startswith("$argon2id$") and PASSWORD not in stored[0]
    assert membership.rpc.authenticate(email="ADA@example.org", password=PASSWORD) == {
        "member_id": member["id"], "roles": ["member"]}
    grant = membership.rpc.grant_role(member_id=member["id"], role="board")
    assert grant == {"member_id": member["id"], "role": "board"}
    assert membership.rpc.authenticate(email="ada@example.org", password=PASSWORD)["roles"] == [
        "board", "member"]
    [event] = events.wait_for("role_granted")
    assert event["data"] == {"member_id": member["id"], "role": "board"}


@pytest.mark.parametrize("email, password", [
    ("ada@example.org", "wrong password!"),
    ("nobody@example.org", PASSWORD),
    ("grace@example.org", PASSWORD),   # a member who never set a password
])
def test_authenticate_refuses_wrong_credentials(membership, email, password):
    ada = membership.applicant(email="ada@example.org")
    membership.applicant(email="grace@example.org")
    membership.rpc.set_password(member_id=ada["id"], password=PASSWORD)
    with pytest.raises(Unauthorized):
        membership.rpc.authenticate(email=email, password=password)


def test_a_password_has_at_least_ten_characters(membership):
    ada = membership.applicant()
    with pytest.raises(ValidationError) as refused:
        membership.rpc.set_password(member_id=ada["id"], password="short")
    assert "password" in refused.value.fields
    assert membership.sql("SELECT password_hash FROM members") == [(None,)]


def test_only_an_admin_grants_roles(membership, member_cluster, events):
    member = membership.admitted()
    for roles in (["member"], ["staff"], ["board"]):
        caller = member_cluster({"member_id": member["id"], "roles": roles})
        with pytest.raises(Forbidden):
            caller.membership.grant_role(member_id=member["id"], role="admin")
    admin = member_cluster({"member_id": membership.applicant()["id"], "roles": ["admin"]})
    assert admin.membership.grant_role(member_id=member["id"], role="staff")["role"] == "staff"
    assert membership.counts()["role_grants"] == 1
    with pytest.raises(ValidationError) as unknown_role:
        admin.membership.grant_role(member_id=member["id"], role="king")
    assert "role" in unknown_role.value.fields
    assert len(events.wait_for("role_granted")) == 1


def test_a_member_reads_and_changes_only_their_own_record(membership, member_cluster):
    ada = membership.admitted()
    grace = membership.admitted()
    as_ada = member_cluster({"member_id": ada["id"], "roles": ["member"]}).membership
    assert as_ada.get_member(ada["id"])["id"] == ada["id"]
    assert as_ada.member_standing(ada["id"])["paid_shares"] == 1
    as_ada.set_password(member_id=ada["id"], password=PASSWORD)
    assert as_ada.subscribe_shares(member_id=ada["id"], shares=1)["shares"] == 1
    before = membership.counts()
    forbidden = [
        lambda: as_ada.get_member(grace["id"]),
        lambda: as_ada.member_standing(grace["id"]),
        lambda: as_ada.subscribe_shares(member_id=grace["id"], shares=1),
        lambda: as_ada.request_redemption(member_id=grace["id"], shares=1),
        lambda: as_ada.resign(member_id=grace["id"], requested_on=day("03-01")),
        lambda: as_ada.erase_member(grace["id"]),
        lambda: as_ada.set_password(member_id=grace["id"], password=PASSWORD),
        lambda: as_ada.find_members(),
        lambda: as_ada.suspend(member_id=grace["id"]),
        lambda: as_ada.exclude(member_id=grace["id"]),
        lambda: as_ada.transfer_shares(from_member_id=grace["id"], to_member_id=ada["id"],
                                       shares=1),
    ]
    for call in forbidden:
        with pytest.raises(Forbidden):
            call()
    with pytest.raises(Forbidden):   # paying one's own shares is the cooperative's bookkeeping
        as_ada.record_share_payment(member_id=ada["id"], reference="+++000/0000/09797+++",
                                    amount="30.00")
    assert membership.counts() == before
    as_staff = member_cluster({"member_id": ada["id"], "roles": ["staff"]}).membership
    assert as_staff.get_member(grace["id"])["id"] == grace["id"]


def test_find_members_filters_and_pages(membership):
    membership.admitted(member_class="A", first_name="Ada", last_name="Lovelace")
    membership.admitted(member_class="B", first_name="Grace", last_name="Hopper")
    membership.applicant(member_class="A", first_name="Alan", last_name="Turing")
    applicant_b = membership.applicant(member_class="B", first_name="Edsger", last_name="Dijkstra")
    admitted = membership.rpc.find_members(status="admitted")
    assert admitted["total"] == 2
    assert {m["last_name"] for m in admitted["items"]} == {"Lovelace", "Hopper"}
    assert membership.rpc.find_members(member_class="B", status="applicant")["items"][0]["id"] == \
        applicant_b["id"]
    assert [m["last_name"] for m in membership.rpc.find_members(text="hop")["items"]] == ["Hopper"]
    by_number = membership.rpc.find_members(text=str(applicant_b["number"]))
    assert [m["id"] for m in by_number["items"]] == [applicant_b["id"]]
    assert membership.rpc.find_members(text="100%_")["total"] == 0
    page = membership.rpc.find_members(limit=2, offset=2)
    assert (page["total"], [m["last_name"] for m in page["items"]]) == (4, ["Turing", "Dijkstra"])
    with pytest.raises(ValidationError) as refused:
        membership.rpc.find_members(limit=0, offset=-1, status="ghost")
    assert set(refused.value.fields) == {"limit", "offset", "status"}


def test_password_checks_do_not_stall_other_calls(membership):
    """argon2 takes a good part of a second by design; it runs in a thread, so a read made
    while logins are being checked is answered without waiting for them."""
    import time

    from services.membership.domain.credentials import HASHER

    ada = membership.applicant(email="ada@example.org")
    membership.rpc.set_password(member_id=ada["id"], password=PASSWORD)
    started = time.perf_counter()
    HASHER.verify(HASHER.hash(PASSWORD), PASSWORD)
    one_check = (time.perf_counter() - started) / 2
    logins = [membership.rpc.authenticate.call_async(email="ada@example.org", password=PASSWORD)
              for _ in range(4)]
    time.sleep(0.05)
    started = time.perf_counter()
    assert membership.rpc.get_member(ada["id"])["id"] == ada["id"]
    read = time.perf_counter() - started
    assert all(login.result()["member_id"] == ada["id"] for login in logins)
    assert read < one_check, (read, one_check)
