"""The authorization matrix (OWASP API1 and API5): every route of the OpenAPI document is tried
with a member's token on another member's real ids, and with no token at all.

The routes come from the generated document, so a new route cannot escape: it must either
refuse another member's ids (403/404), or be listed below as cooperative-wide, in which case
its answer may not carry the other member's private records.
"""
import datetime as dt
import re

TODAY = dt.date.today()

# readable by every member by design (the catalogue, assemblies, votes, polls, the board), or
# acting on the caller's own account whatever the ids (a client, a poll, a simulation)
COOPERATIVE_WIDE = {
    "list_resources", "get_resource", "availability", "get_assembly", "minutes", "minutes_pdf",
    "vote_results", "verify_receipt", "board", "poll_results", "simulate_payslip",
    "register_client", "list_invoices", "open_poll", "get_parameter", "list_parameters",
}
PUBLIC = {"apply", "issue_token", "openapi"}
PARAMETER = "declarations.social.employee_rate"


def other_members_world(platform):
    """Bob's records, made through the API, and Alice who will try to reach them."""
    http, admin = platform.http, platform.admin
    bob_id, bob = platform.member("Bob")
    alice_id, alice = platform.member("Alice")
    activity = platform.eventually("POST", f"/api/v1/members/{bob_id}/activities", bob,
                                   json={"name": "Bob's studio"}).json()["id"]
    client = http("POST", "/api/v1/clients", bob, json={"kind": "person", "name": "A neighbour",
                                                        "country": "BE"}).json()["id"]
    invoice = http("POST", f"/api/v1/activities/{activity}/invoices", bob, json={
        "client_id": client, "lines": [{"description": "Lesson", "quantity": "1", "unit_price": "80.00",
                                        "vat_category": "S", "vat_rate": "21"}]}).json()["id"]
    assert http("POST", f"/api/v1/invoices/{invoice}/issue", bob).status_code == 200
    payment = http("POST", "/api/v1/payments", admin, json={
        "amount": "96.80", "value_date": TODAY.isoformat(), "invoice_id": invoice}).json()["id"]
    expense = http("POST", f"/api/v1/activities/{activity}/expenses", bob, json={
        "expense_date": TODAY.isoformat(), "category": "goods", "description": "Strings",
        "net": "20.00"})
    assert expense.status_code == 201, expense.text
    room = http("POST", "/api/v1/resources", admin, json={"name": "Studio", "kind": "room"}).json()["id"]
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(minute=0, second=0,
                                                                             microsecond=0)
    window = {"start": start.isoformat(), "end": (start + dt.timedelta(hours=1)).isoformat()}
    booking = platform.eventually("POST", "/api/v1/bookings", bob, json={
        "resource_id": room, "activity_id": activity, **window}).json()["id"]
    assembly = http("POST", "/api/v1/assemblies", admin, json={
        "kind": "ordinary", "title": "Assembly", "meeting_date": (TODAY + dt.timedelta(days=20)).isoformat(),
        "agenda": [{"kind": "resolution", "title": "Accounts"}]}).json()
    group = http("POST", "/api/v1/working-groups", admin, json={"title": "Studios"}).json()["id"]
    assert http("PUT", f"/api/v1/working-groups/{group}/members/{bob_id}", bob).status_code == 200
    poll = http("POST", "/api/v1/polls", bob, json={
        "question": "A second studio?", "kind": "proposal", "group_id": group,
        "closes_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).isoformat()})
    assert poll.status_code == 201, poll.text
    recommendation = http("POST", f"/api/v1/working-groups/{group}/recommendations", bob, json={
        "title": "Open a second studio", "text": "Demand is there."}).json()["id"]
    ids = {"member_id": bob_id, "activity_id": activity, "invoice_id": invoice, "booking_id": booking,
           "expense_id": expense.json()["id"], "resource_id": room, "assembly_id": assembly["id"],
           "item_id": assembly["agenda"][0]["id"], "group_id": group, "poll_id": poll.json()["id"],
           "recommendation_id": recommendation, "payment_id": payment,
           "declaration_id": "00000000-0000-4000-8000-000000000000", "name": PARAMETER,
           "client_id": client}
    bodies = {  # the routes whose owner travels in the body
        "book": {"resource_id": room, "activity_id": activity, "member_id": bob_id, **window},
        "book_recurring": {"resource_id": room, "activity_id": activity, "member_id": bob_id, "weeks": 2,
                           **window},
        "cast_vote": {"voter_id": bob_id, "choice": "for"},
        "declare_candidacy": {"member_id": bob_id},
        "submit_recommendation": {"member_id": bob_id, "title": "Mine now", "text": "Taken over."},
    }
    private = [activity, invoice, booking, expense.json()["id"], recommendation]
    return {"bob": bob, "alice": alice, "ids": ids, "bodies": bodies, "private": private}


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def request_for(world, path, operation):
    names = re.findall(r"{([^}]+)}", path)
    missing = [n for n in names if n not in world["ids"]]
    assert not missing, f"{operation['operationId']}: give the test an id for {missing}"
    url = path.format(**{n: world["ids"][n] for n in names})
    kwargs = {"json": world["bodies"].get(operation["operationId"], {})}
    if "application/xml" in operation.get("requestBody", {}).get("content", {}):
        kwargs = {"data": b"<Document/>", "headers": {"Content-Type": "application/xml"}}
    return url, kwargs


def test_a_member_never_reaches_another_members_records_on_any_route(sqlite_only, platform):
    http = platform.http
    world = other_members_world(platform)
    assert http("GET", f"/api/v1/bookings/{world['ids']['booking_id']}", world["bob"]).status_code == 200
    assert http("GET", f"/api/v1/invoices/{world['ids']['invoice_id']}.pdf", world["bob"]).status_code == 200
    spec = http("GET", "/api/v1/openapi.json").json()

    leaks, tried = [], 0
    for path, method, operation in operations(spec):
        name = operation["operationId"]
        url, kwargs = request_for(world, path, operation)
        response = http(method, url, world["alice"], **kwargs)
        tried += 1
        if name in COOPERATIVE_WIDE or name in PUBLIC:
            if response.status_code >= 500:
                leaks.append(f"{method} {path} ({name}) failed: {response.text[:200]}")
            if any(private in response.text for private in world["private"]):
                leaks.append(f"{method} {path} shows another member's records")
        elif response.status_code not in (403, 404):
            leaks.append(f"{method} {path} ({name}) answered {response.status_code}: {response.text[:200]}")
    assert not leaks, "\n".join(leaks)
    assert tried >= 80


def test_every_route_but_the_public_ones_wants_a_token(sqlite_only, platform):
    http = platform.http
    spec = http("GET", "/api/v1/openapi.json").json()
    world = {"ids": {n: "00000000-0000-4000-8000-000000000000" for n in (
        "member_id", "activity_id", "invoice_id", "booking_id", "expense_id", "resource_id", "assembly_id",
        "item_id", "group_id", "poll_id", "recommendation_id", "payment_id", "declaration_id",
        "client_id")}, "bodies": {}}
    world["ids"]["name"] = PARAMETER
    public = set()
    for path, method, operation in operations(spec):
        url, kwargs = request_for(world, path, operation)
        response = http(method, url, None, **kwargs)
        if "security" not in operation:
            public.add(operation["operationId"])
            continue
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        assert response.json()["error"] == "unauthorized"
        forged = http(method, url, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", **kwargs)
        assert forged.status_code == 401, f"{method} {path} took an unsigned token"
    assert public == PUBLIC
