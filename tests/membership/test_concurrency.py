"""Concurrent movements on one member are serialised by a row lock (SELECT ... FOR UPDATE on
PostgreSQL, BEGIN IMMEDIATE on SQLite): the minimum share holding survives a race."""

from shared.errors import ValidationError
from tests.membership.helpers import day


def outcomes(replies):
    ok, refused = [], []
    for reply in replies:
        try:
            ok.append(reply.result())
        except ValidationError as error:
            refused.append(error)
    return ok, refused


def test_concurrent_redemptions_cannot_drop_below_the_minimum_share(membership):
    member = membership.admitted(shares=3)
    replies = [membership.rpc.request_redemption.call_async(
        member_id=member["id"], shares=1, effective_date=day("03-01")) for _ in range(6)]
    ok, refused = outcomes(replies)
    assert (len(ok), len(refused)) == (2, 4)
    assert sorted(r["paid_shares"] for r in ok) == [1, 2]
    assert all("keeps at least 1 share(s)" in e.fields["shares"][0] for e in refused)
    assert membership.rpc.member_standing(member["id"])["paid_shares"] == 1
    [(redemptions,)] = membership.sql("SELECT count(*) FROM share_register WHERE kind = 'redemption'")
    assert redemptions == 2


def test_crossed_transfers_do_not_deadlock(membership):
    ada, grace = membership.admitted(shares=5), membership.admitted(shares=5)
    replies = []
    for _ in range(4):
        replies.append(membership.rpc.transfer_shares.call_async(
            from_member_id=ada["id"], to_member_id=grace["id"], shares=1))
        replies.append(membership.rpc.transfer_shares.call_async(
            from_member_id=grace["id"], to_member_id=ada["id"], shares=1))
    ok, refused = outcomes(replies)
    assert (len(ok), refused) == (8, [])
    assert membership.rpc.member_standing(ada["id"])["paid_shares"] == 5
    assert membership.rpc.member_standing(grace["id"])["paid_shares"] == 5
    [(entries,)] = membership.sql("SELECT count(*) FROM share_register WHERE kind = 'transfer_in'")
    assert entries == 8


def test_concurrent_applications_get_distinct_numbers(membership):
    replies = [membership.rpc.apply.call_async({
        "first_name": "Ada", "last_name": f"Lovelace {n}", "email": f"ada{n}@example.net",
        "member_class": "A"}) for n in range(10)]
    numbers = sorted(reply.result()["number"] for reply in replies)
    assert numbers == list(range(1, 11))
