from services.membership.service import MembershipService


def test_apply_publishes_member_applied(start_service, cluster, record_events, backend):
    recorder = record_events("membership")
    start_service(MembershipService)
    member = cluster.membership.apply({"first_name": "Ada", "last_name": "Lovelace",
                                       "email": "ada@example.org", "member_class": "A"})
    assert member["status"] == "applicant"
    [event] = recorder.wait_for("member_applied")
    assert event["data"]["member_id"] == member["id"]
    assert cluster.membership.get_member(member["id"])["email"] == "ada@example.org"
