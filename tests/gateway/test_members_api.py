from services.membership.service import MembershipService

ADA = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "member_class": "A"}
BOB = {"first_name": "Bob", "last_name": "Marley", "email": "bob@example.org", "member_class": "A"}


def test_a_member_reads_their_own_record_and_not_anothers(gateway, start_service, cluster, backend):
    start_service(MembershipService)
    http = gateway()
    created = http("POST", "/api/v1/members", json=ADA)
    assert created.status_code == 201, created.text
    ada = created.json()
    bob = http("POST", "/api/v1/members", json=BOB).json()
    cluster.membership.set_password({"member_id": ada["id"], "password": "correct horse battery"})
    token = http.token("ada@example.org", "correct horse battery")

    mine = http("GET", f"/api/v1/members/{ada['id']}", token)
    assert mine.status_code == 200 and mine.json()["email"] == "ada@example.org"
    theirs = http("GET", f"/api/v1/members/{bob['id']}", token)
    assert theirs.status_code == 404 and "Bob" not in theirs.text
    assert http("GET", f"/api/v1/members/{ada['id']}").status_code == 401
    assert http("GET", f"/api/v1/members/{ada['id']}", "not.a.token").status_code == 401
    assert http("GET", "/api/v1/members", token).status_code == 403


def test_errors_are_json_with_the_status_design_gives(gateway, start_service, backend):
    start_service(MembershipService)
    http = gateway()
    bad = http("POST", "/api/v1/members", json={**ADA, "email": "not-an-email", "birth_date": "yesterday"})
    assert bad.status_code == 422
    assert bad.json()["error"] == "validation_error"
    assert set(bad.json()["fields"]) >= {"email", "birth_date"}
    broken = http("POST", "/api/v1/members", data="{oops", headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert http("POST", "/api/v1/members", json=ADA).status_code == 201
    assert http("POST", "/api/v1/members", json=ADA).status_code == 409
    wrong = http("POST", "/api/v1/auth/token", json={"email": "ada@example.org", "password": "nope-nope-nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized"


def test_an_unanswered_call_is_a_504_and_a_missing_service_a_503(gateway, rabbit_config, backend):
    from kombu import Connection, Exchange, Queue

    http = gateway(RPC_TIMEOUT=0.5)
    assert http("POST", "/api/v1/members", json=ADA).status_code == 503
    with Connection(rabbit_config["AMQP_URI"]) as connection:  # a membership that never answers
        exchange = Exchange("nameko-rpc", type="topic", durable=True)
        Queue("rpc-membership", exchange=exchange, routing_key="membership.*",
              durable=True)(connection.default_channel).declare()
    response = http("POST", "/api/v1/members", json=ADA)
    assert response.status_code == 504 and response.json()["error"] == "timeout"


def test_request_size_and_rate_are_limited(gateway, backend):
    http = gateway(MAX_BODY_BYTES=1000, RATE_LIMIT_PER_MINUTE=60)
    assert http("POST", "/api/v1/members", data="x" * 5000).status_code == 413
    statuses = [http("GET", "/api/v1/openapi.json").status_code for _ in range(30)]
    assert 429 in statuses and statuses[0] == 200


def test_openapi_document_is_served_and_committed(gateway, backend):
    import json

    from services.gateway.openapi import build_spec
    from services.gateway.service import GatewayService
    from shared.config import ROOT

    served = gateway()("GET", "/api/v1/openapi.json").json()
    assert served["openapi"] == "3.0.3" and "/api/v1/members/{member_id}" in served["paths"]
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text())
    assert committed == json.loads(json.dumps(build_spec(GatewayService))), \
        "run `coop openapi` and commit docs/openapi.json"
