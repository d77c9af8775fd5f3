import datetime as dt

import pytest

from services.governance.domain import assemblies, voting
from services.governance.models import Parameter
from shared.errors import Conflict, Forbidden, ValidationError
from tests.governance.conftest import MEETING, RECORD, RESOLUTION, TODAY, seed_member

NOW = dt.datetime.now(dt.UTC)


def _convene(session):
    assembly = assemblies.convene(session, {"kind": "ordinary", "title": "AG", "meeting_date": MEETING,
                                            "record_date": RECORD, "agenda": [RESOLUTION]}, TODAY, None)
    session.commit()
    return assembly


@pytest.fixture
def five(session):
    members = [seed_member(session, n) for n in range(1, 6)]
    session.commit()
    return members


def test_a_holder_carries_at_most_one_proxy_by_default(session, five, backend):
    a, b, holder, *_ = five
    assembly = _convene(session)
    assemblies.grant_proxy(session, assembly.id, a, holder, NOW)
    session.commit()
    with pytest.raises(ValidationError) as refused:
        assemblies.grant_proxy(session, assembly.id, b, holder, NOW)
    assert "holder_id" in refused.value.fields
    assert assembly.max_proxies == 1


def test_the_proxy_limit_is_a_dated_parameter(session, five, backend):
    a, b, c, holder, _ = five
    session.add(Parameter(name="max_proxies_per_holder", value="2", effective_from=TODAY,
                          source="statutes amended"))
    session.commit()
    assembly = _convene(session)
    assemblies.grant_proxy(session, assembly.id, a, holder, NOW)
    assemblies.grant_proxy(session, assembly.id, b, holder, NOW)
    session.commit()
    with pytest.raises(ValidationError):
        assemblies.grant_proxy(session, assembly.id, c, holder, NOW)
    assert assembly.max_proxies == 2


def test_proxies_do_not_chain(session, five, backend):
    a, b, c, *_ = five
    assembly = _convene(session)
    assemblies.grant_proxy(session, assembly.id, a, b, NOW)
    session.commit()
    # b carries a's proxy, so cannot hand their vote (and a's) on to c
    with pytest.raises(ValidationError) as onward:
        assemblies.grant_proxy(session, assembly.id, b, c, NOW)
    assert "grantor_id" in onward.value.fields
    session.rollback()
    # a gave their proxy, so cannot carry c's
    with pytest.raises(ValidationError) as backward:
        assemblies.grant_proxy(session, assembly.id, c, a, NOW)
    assert "holder_id" in backward.value.fields


def test_both_ends_of_a_proxy_are_on_the_roll_and_a_member_gives_one_proxy(session, five, backend):
    a, b, c, *_ = five
    late = seed_member(session, 99, admitted_on=RECORD + dt.timedelta(days=1))
    session.commit()
    assembly = _convene(session)
    with pytest.raises(ValidationError) as not_on_roll:
        assemblies.grant_proxy(session, assembly.id, a, late, NOW)
    assert "holder_id" in not_on_roll.value.fields
    session.rollback()
    with pytest.raises(ValidationError):
        assemblies.grant_proxy(session, assembly.id, late, a, NOW)
    session.rollback()
    with pytest.raises(ValidationError):
        assemblies.grant_proxy(session, assembly.id, a, a, NOW)
    session.rollback()
    assemblies.grant_proxy(session, assembly.id, a, b, NOW)
    session.commit()
    with pytest.raises(Conflict):
        assemblies.grant_proxy(session, assembly.id, a, c, NOW)


def test_attending_in_person_revokes_ones_proxy(session, five, backend):
    a, holder, *_ = five
    assembly = _convene(session)
    proxy = assemblies.grant_proxy(session, assembly.id, a, holder, NOW)
    assemblies.register_attendance(session, assembly.id, holder, None, NOW)
    session.commit()
    assert assemblies.presence(session, assembly.id)["represented"]["members"] == 1

    registered = assemblies.register_attendance(session, assembly.id, a, None, NOW)
    session.commit()

    assert registered["proxy_revoked"] == proxy.id
    session.refresh(proxy)
    assert proxy.revoked_reason == "attends_in_person"
    counted = assemblies.presence(session, assembly.id)
    assert (counted["present"]["members"], counted["represented"]["members"]) == (2, 0)
    [item] = assemblies.items_of(session, assembly.id)
    voting.open_vote(session, item.id, NOW)
    session.commit()
    with pytest.raises(Forbidden):
        voting.cast_vote(session, item.id, holder, a, "for", None, NOW)


def test_voting_in_person_revokes_the_proxy_and_the_holder_cannot_vote_twice_for_them(session, five, backend):
    a, holder, *_ = five
    assembly = _convene(session)
    assemblies.grant_proxy(session, assembly.id, a, holder, NOW)
    [item] = assemblies.items_of(session, assembly.id)
    voting.open_vote(session, item.id, NOW)
    session.commit()
    voting.cast_vote(session, item.id, holder, a, "for", None, NOW)
    session.commit()
    # a then comes in person: their ballot was already cast by the holder, once
    with pytest.raises(Conflict):
        voting.cast_vote(session, item.id, a, None, "against", None, NOW)
    session.rollback()
    assert assemblies.active_proxy_of(session, assembly.id, a) is not None


def test_a_proxy_can_be_revoked_and_given_again(session, five, backend):
    a, b, c, *_ = five
    assembly = _convene(session)
    assemblies.grant_proxy(session, assembly.id, a, b, NOW)
    session.commit()
    revoked = assemblies.revoke_proxy(session, assembly.id, a, NOW)
    session.commit()
    assemblies.grant_proxy(session, assembly.id, a, c, NOW + dt.timedelta(minutes=1))
    session.commit()
    assert revoked.revoked_reason == "revoked"
    assert [p.holder_id for p in assemblies.proxies_of(session, assembly.id)] == [b, c]


def test_concurrent_grants_to_one_holder_respect_the_limit(governance, backend):
    g = governance
    holder, *grantors = g.members(6)
    assembly = g.convene([RESOLUTION])
    # five grants to the same holder, all in flight at once before any answer is read
    replies = [g.rpc.grant_proxy.call_async({"assembly_id": assembly["id"], "grantor_id": grantor,
                                             "holder_id": holder}) for grantor in grantors]
    results = []
    for reply in replies:
        try:
            results.append(reply.result())
        except (ValidationError, Conflict) as error:
            results.append(error)

    assert sum(1 for r in results if isinstance(r, dict)) == 1
    assert g.count("SELECT count(*) FROM proxies WHERE holder_id = :h AND revoked_at IS NULL", h=holder) == 1
