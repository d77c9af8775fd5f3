"""Bad input of any shape gets a ValidationError with per-field messages (or NotFound for an
unknown id) and writes nothing: no member, no register entry, no status change, no event."""
import pytest

from shared.errors import NotFound, ValidationError
from tests.membership.helpers import day

UNKNOWN = "00000000-0000-4000-8000-000000000000"
M = "{member}"  # replaced by an existing member's id


BAD_INPUT = [
    ("apply", {}, {"first_name", "last_name", "email", "member_class"}),
    ("apply", {"first_name": 123, "last_name": ["x"], "email": "a@b.org", "member_class": 1},
     {"first_name", "last_name", "member_class"}),
    ("apply", {"first_name": "A", "last_name": "B", "email": "a@b.org", "member_class": "C",
               "iban": "BE00"}, {"member_class", "iban"}),
    ("apply", {"first_name": "A", "last_name": "B", "email": "a@b.org", "member_class": "A",
               "birth_date": "30/07/1985", "nickname": "Ada"}, {"birth_date", "nickname"}),
    ("apply", {"first_name": "", "last_name": "B" * 121, "email": None, "member_class": "A"},
     {"first_name", "last_name", "email"}),
    ("apply", "Ada Lovelace", {"_schema"}),
    ("subscribe_shares", {"member_id": M, "shares": -1}, {"shares"}),
    ("subscribe_shares", {"member_id": M, "shares": 0}, {"shares"}),
    ("subscribe_shares", {"member_id": M, "shares": 1.5}, {"shares"}),
    ("subscribe_shares", {"member_id": M, "shares": "2"}, {"shares"}),
    ("subscribe_shares", {"member_id": M, "shares": True}, {"shares"}),
    ("subscribe_shares", {"member_id": "not-a-uuid"}, {"member_id", "shares"}),
    ("subscribe_shares", {"member_id": M, "shares": 1, "effective_date": "2026-13-01"},
     {"effective_date"}),
    ("subscribe_shares", {"member_id": M, "shares": 1, "effective_date": "2026-01-01T10:00:00"},
     {"effective_date"}),
    ("record_share_payment", {"member_id": M, "reference": "{reference}", "amount": "30.005"},
     {"amount"}),
    ("record_share_payment", {"member_id": M, "reference": "{reference}", "amount": 30.0},
     {"amount"}),
    ("record_share_payment", {"member_id": M, "reference": "{reference}", "amount": "-30.00"},
     {"amount"}),
    ("record_share_payment", {"member_id": M, "reference": "{reference}", "amount": "thirty"},
     {"amount"}),
    ("record_share_payment", {"member_id": M, "amount": "30.00"}, {"reference"}),
    ("admit", {"member_id": M, "admitted_on": "tomorrow"}, {"admitted_on"}),
    ("suspend", {"member_id": M, "reason": 42}, {"reason"}),
    ("resign", {"member_id": M, "requested_on": day("03-01"), "effective_date": day("02-01")},
     {"effective_date"}),
    ("transfer_shares", {"from_member_id": 123, "to_member_id": M, "shares": 0},
     {"from_member_id", "shares"}),
    ("request_redemption", {"member_id": M, "shares": -2}, {"shares"}),
    ("request_redemption", {"member_id": M}, {"shares"}),
    ("find_members", {"limit": "ten", "text": ""}, {"limit", "text"}),
    ("share_register", {"as_of": 20260101}, {"as_of"}),
    ("set_password", {"member_id": M, "password": 12345678901}, {"password"}),
    ("grant_role", {"member_id": M, "role": None}, {"role"}),
    ("authenticate", {}, {"email", "password"}),
]


@pytest.fixture
def member_with_pending_subscription(membership):
    member = membership.admitted(shares=2)
    subscription = membership.rpc.subscribe_shares(member_id=member["id"], shares=1)
    return member, subscription["reference"]


def fill(value, member_id, reference):
    if isinstance(value, dict):
        return {k: fill(v, member_id, reference) for k, v in value.items()}
    if value == M:
        return member_id
    if value == "{reference}":
        return reference
    return value


@pytest.mark.parametrize("method, payload, fields", BAD_INPUT,
                         ids=[f"{m}-{i}" for i, (m, _, _) in enumerate(BAD_INPUT)])
def test_bad_input_is_refused_with_per_field_messages_and_writes_nothing(
        membership, member_with_pending_subscription, method, payload, fields):
    member, reference = member_with_pending_subscription
    before = membership.counts()
    with pytest.raises(ValidationError) as refused:
        getattr(membership.rpc, method)(fill(payload, member["id"], reference))
    assert set(refused.value.fields) == fields
    assert all(isinstance(m, list) and m and all(isinstance(s, str) for s in m)
               for m in refused.value.fields.values())
    assert membership.counts() == before


@pytest.mark.parametrize("method, payload", [
    ("get_member", UNKNOWN),
    ("member_standing", UNKNOWN),
    ("erase_member", UNKNOWN),
    ("admit", {"member_id": UNKNOWN}),
    ("suspend", {"member_id": UNKNOWN}),
    ("resign", {"member_id": UNKNOWN, "requested_on": day("03-01")}),
    ("subscribe_shares", {"member_id": UNKNOWN, "shares": 1}),
    ("record_share_payment", {"member_id": UNKNOWN, "reference": "+++000/0000/09797+++",
                              "amount": "30.00"}),
    ("transfer_shares", {"from_member_id": UNKNOWN, "to_member_id": M, "shares": 1}),
    ("set_password", {"member_id": UNKNOWN, "password": "long enough password"}),
    ("grant_role", {"member_id": UNKNOWN, "role": "staff"}),
])
def test_an_unknown_member_is_not_found_and_nothing_is_written(
        membership, member_with_pending_subscription, method, payload):
    member, reference = member_with_pending_subscription
    before = membership.counts()
    with pytest.raises(NotFound):
        getattr(membership.rpc, method)(fill(payload, member["id"], reference))
    assert membership.counts() == before


def test_a_malformed_id_is_a_validation_error_not_a_lookup(membership):
    with pytest.raises(ValidationError) as refused:
        membership.rpc.get_member("'; DROP TABLE members; --")
    assert refused.value.fields == {"member_id": ["not a valid UUID"]}
    with pytest.raises(ValidationError):
        membership.rpc.member_standing({"member_id": "x"})
