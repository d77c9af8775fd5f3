"""A realistic cooperative, loaded through the services' public RPC interfaces.

About 200 members (most of them workers, some clients and supporters) with their shares, a
few staff and board members, activities with clients and a month of invoices and payments,
salary payouts, shared rooms and machines with bookings, and a general assembly with a vote.
"""
import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

FIRST = ["Ada", "Bram", "Chloé", "Dries", "Elise", "Fatima", "Gilles", "Hanne", "Ilias", "Jana",
         "Karim", "Lotte", "Mathis", "Nora", "Olivier", "Pauline", "Quentin", "Rania", "Sander",
         "Tine", "Ugo", "Véronique", "Wout", "Xavier", "Yasmine", "Zoé"]
LAST = ["Peeters", "Janssens", "Maes", "Dubois", "Lambert", "Claes", "Mertens", "Dupont",
        "Willems", "Goossens", "Wouters", "De Smet", "Leroy", "Martin", "Jacobs", "Renard"]
TRADES = ["Sound engineering", "Illustration", "Translation", "Video editing", "Dance workshops",
          "Web development", "Photography", "Stage lighting", "Graphic design", "Training"]
CLIENTS = [("Théâtre National", 4765432), ("Bozar", 4463490), ("Flagey", 4664457),
           ("Atelier 210", 4190522), ("Ancienne Belgique", 4233853)]
DEMO_PASSWORD = "demo-cooperative-2026"


@dataclass
class DemoReport:
    members: int = 0
    admitted: int = 0
    activities: int = 0
    clients: int = 0
    invoices: int = 0
    invoiced: Decimal = Decimal("0.00")
    payments: int = 0
    payouts: int = 0
    resources: int = 0
    bookings: int = 0
    votes: int = 0
    logins: list = field(default_factory=list)
    seconds: float = 0.0


def _wait_for(check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the services did not catch up with the membership events in time")
        time.sleep(0.3)


def enterprise_number(base: int) -> str:
    """A well-formed Belgian enterprise number: eight digits, then 97 minus their rest mod 97."""
    first = f"0{base:07d}"
    return first + f"{97 - int(first) % 97:02d}"


def load_demo(cluster, members: int = 200, seed: int = 2026, say=print) -> DemoReport:
    rng = random.Random(seed)
    report = DemoReport()
    started = time.monotonic()
    today = dt.date.today()
    people = []

    say(f"members: applying, subscribing and paying shares, admitting ({members})")
    for n in range(members):
        member_class = "A" if n < members * 0.85 else "B"
        member = cluster.membership.apply({
            "first_name": FIRST[n % len(FIRST)], "last_name": LAST[(n * 7) % len(LAST)],
            "email": f"member{n:03d}@demo.coop", "member_class": member_class})
        shares = 1 + (n % 3)
        movement = cluster.membership.subscribe_shares({"member_id": member["id"], "shares": shares})
        cluster.membership.record_share_payment({
            "member_id": member["id"], "reference": movement["reference"],
            "amount": str(Decimal(movement["amount"]))})
        cluster.membership.admit({"member_id": member["id"]})
        people.append(member)
    report.members = report.admitted = len(people)

    for n, roles in ((0, ("admin", "staff")), (1, ("board",)), (2, ("member",))):
        for role in roles:
            cluster.membership.grant_role({"member_id": people[n]["id"], "role": role})
        cluster.membership.set_password({"member_id": people[n]["id"], "password": DEMO_PASSWORD})
        report.logins.append((f"member{n:03d}@demo.coop", ", ".join(roles)))

    last = people[-1]["id"]
    say("waiting for billing, resources and governance to learn of the members")
    _wait_for(lambda: cluster.billing.member_standing(last)["good_standing"])
    _wait_for(lambda: cluster.resources.member_standing(last)["good_standing"])

    say("activities, clients, a month of invoices and payments")
    clients = []
    for name, base in CLIENTS:
        enterprise = enterprise_number(base)
        clients.append(cluster.billing.register_client({
            "kind": "company", "name": name, "vat_number": "BE" + enterprise,
            "enterprise_number": enterprise, "endpoint_scheme": "0208", "endpoint_id": enterprise,
            "street": "Rue de la Coopérative 1", "city": "Bruxelles", "postal_code": "1000",
            "country": "BE"}))
    report.clients = len(clients)
    workers = [p for p in people if p["member_class"] == "A"][:80]
    activities = []
    for n, person in enumerate(workers):
        activity = cluster.billing.open_activity({"member_id": person["id"], "name": TRADES[n % len(TRADES)]})
        activities.append(activity)
        for _ in range(1 + n % 3):
            lines = [{"description": "Services rendered", "quantity": str(rng.choice([1, 2, 3, Decimal("1.5")])),
                      "unit_price": f"{rng.randint(150, 900)}.{rng.randint(0, 99):02d}",
                      "vat_category": "S", "vat_rate": "21.00"}]
            if n % 4 == 0:
                lines.append({"description": "Books", "quantity": "2", "unit_price": "24.95",
                              "vat_category": "S", "vat_rate": "6.00"})
            draft = cluster.billing.create_invoice({"activity_id": activity["id"],
                                                    "client_id": rng.choice(clients)["id"], "lines": lines})
            invoice = cluster.billing.issue_invoice(draft["id"])
            report.invoices += 1
            report.invoiced += Decimal(invoice["total_gross"])
            if rng.random() < 0.6:
                cluster.billing.record_payment({"amount": invoice["total_gross"], "value_date": today.isoformat(),
                                                "invoice_id": invoice["id"]})
                report.payments += 1
    report.activities = len(activities)

    say("salary payouts")
    for activity in activities[:20]:
        work_day = today - dt.timedelta(days=3)
        try:
            cluster.billing.request_salary({"activity_id": activity["id"], "work_dates": [work_day.isoformat()],
                                            "amount": "400.00"})
            report.payouts += 1
        except Exception as exc:  # an activity short of money and of fund cover is refused, as it should be
            say(f"  salary for {activity['name']} refused: {exc}")

    say("shared rooms and machines, bookings")
    room = cluster.resources.add_resource({"name": "Meeting room Rivoli", "kind": "room", "capacity": 12,
                                           "location": "Brussels", "price_per_hour": "15.00"})
    cutter = cluster.resources.add_resource({"name": "Laser cutter", "kind": "machine", "location": "Brussels",
                                             "price_per_hour": "25.00", "training": "laser"})
    cameras = cluster.resources.add_resource({"name": "Camera kit", "kind": "equipment", "units": 5,
                                              "location": "Ghent", "price_per_day": "40.00"})
    report.resources = 3
    start = dt.datetime.combine(today + dt.timedelta(days=2), dt.time(8, 0), tzinfo=dt.UTC)
    for n, activity in enumerate(activities[:30]):
        slot = start + dt.timedelta(hours=2 * (n % 5), days=n // 5)
        resource = room if n % 2 == 0 else cameras
        cluster.resources.book({"resource_id": resource["id"], "member_id": activity["member_id"],
                                "activity_id": activity["id"], "start": slot.isoformat(),
                                "end": (slot + dt.timedelta(hours=2)).isoformat()})
        report.bookings += 1
    cluster.resources.certify_member(activities[0]["member_id"], "laser")
    cluster.resources.book({"resource_id": cutter["id"], "member_id": activities[0]["member_id"],
                            "activity_id": activities[0]["id"], "start": start.isoformat(),
                            "end": (start + dt.timedelta(hours=1)).isoformat()})
    report.bookings += 1

    say("a general assembly and a vote")
    assembly = cluster.governance.convene_assembly({
        "kind": "ordinary", "title": f"Ordinary general assembly {today.year}",
        "meeting_date": (today + dt.timedelta(days=21)).isoformat(), "record_date": today.isoformat(),
        "place": "Brussels", "agenda": [{"kind": "resolution", "title": "Approve the annual accounts",
                                         "majority": "simple"}]})
    item_id = assembly["agenda"][0]["item_id"] if "item_id" in assembly["agenda"][0] else assembly["agenda"][0]["id"]
    cluster.governance.open_vote(item_id)
    for person in people[:120]:
        choice = rng.choices(["for", "against", "abstain"], weights=[7, 2, 1])[0]
        cluster.governance.cast_vote({"item_id": item_id, "voter_id": person["id"], "choice": choice})
        report.votes += 1
    report.seconds = time.monotonic() - started
    return report
