import pytest
import requests

from services.gateway.service import GatewayService
from tests.gateway import conformance


class Http:
    """An HTTP client of the gateway that checks every JSON answer against the document the
    gateway serves (``tests/gateway/conformance.py``)."""

    def __init__(self, base):
        self.base = base
        self.session = requests.Session()

    def __call__(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.session.request(method, self.base + path, headers=headers, timeout=30, **kwargs)
        conformance.check(method, path, response)
        return response

    def token(self, email, password):
        response = self("POST", "/api/v1/auth/token", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]


@pytest.fixture
def gateway(start_service):
    """The gateway in this process; returns an HTTP client bound to its address."""

    def start(**config):
        container = start_service(GatewayService, db_uri="sqlite://", **config)
        return Http(f"http://{container.config['WEB_SERVER_ADDRESS']}")

    return start


SERVICES = ("membership", "billing", "declarations", "resources", "governance")
ADMIN = {"first_name": "Grace", "last_name": "Hopper", "email": "admin@coop.example", "member_class": "B"}
PASSWORD = "correct horse battery staple"


class Platform:
    """Every service and the gateway as separate processes on the test's vhost, reached over HTTP."""

    def __init__(self, http: Http, cluster):
        self.http = http
        self.cluster = cluster
        self.numbers = iter(range(1, 10_000))

    def admin_token(self) -> str:
        admin = self.cluster.membership.apply(ADMIN)
        self.cluster.membership.grant_role({"member_id": admin["id"], "role": "admin"})
        self.cluster.membership.set_password({"member_id": admin["id"], "password": PASSWORD})
        self.admin_id = admin["id"]
        self.admin = self.http.token(ADMIN["email"], PASSWORD)
        return self.admin

    def member(self, first_name: str) -> tuple[str, str]:
        """A member admitted through the API (apply, shares, payment, admission): (id, token)."""
        http, admin = self.http, self.admin
        email = f"{first_name.lower()}.{next(self.numbers)}@example.org"
        applied = http("POST", "/api/v1/members", json={"first_name": first_name, "last_name": "Test",
                                                         "email": email, "member_class": "A"})
        assert applied.status_code == 201, applied.text
        member_id = applied.json()["id"]
        assert http("PUT", f"/api/v1/members/{member_id}/password", admin,
                    json={"password": PASSWORD}).status_code == 200
        token = http.token(email, PASSWORD)
        subscribed = http("POST", f"/api/v1/members/{member_id}/shares", token, json={"shares": 1})
        assert subscribed.status_code == 201, subscribed.text
        movement = subscribed.json()
        paid = http("POST", f"/api/v1/members/{member_id}/share-payments", admin,
                    json={"reference": movement["reference"], "amount": movement["amount"]})
        assert paid.status_code == 201, paid.text
        admitted = http("POST", f"/api/v1/members/{member_id}/admission", admin, json={})
        assert admitted.status_code == 200 and admitted.json()["status"] == "admitted", admitted.text
        return member_id, token

    def eventually(self, method, path, token, expect=(200, 201), timeout=20, **kwargs):
        """Retry a call refused while a service's projection catches up with the events."""
        from shared.testing import wait_until

        responses = []

        def accepted():
            response = self.http(method, path, token, **kwargs)
            responses.append(response)
            return response.status_code in expect

        try:
            wait_until(accepted, timeout, 0.2)
        except AssertionError:
            raise AssertionError(f"{method} {path}: {responses[-1].status_code} {responses[-1].text}") from None
        return responses[-1]


@pytest.fixture
def platform(service_process, make_db, cluster):
    """All five services and the gateway, each its own ``nameko run`` process."""
    from shared.testing import free_port

    processes = [service_process(name, make_db(name)) for name in SERVICES]
    port = free_port()
    gateway = service_process("gateway", "sqlite://", env={
        "GATEWAY_PORT": str(port), "GATEWAY_BIND": "127.0.0.1",
        "RATE_LIMIT_PER_MINUTE": "1000000", "RPC_TIMEOUT": "20"})
    gateway.metrics_port = port  # the gateway serves /metrics on its API port
    processes.append(gateway)
    for process in processes:
        process.wait_ready(60)
    platform = Platform(Http(f"http://127.0.0.1:{port}"), cluster)
    platform.admin_token()
    return platform


@pytest.fixture
def sqlite_only(backend):
    """For tests of the HTTP layer itself: the database behind it does not change what they check.
    Listed before ``platform`` so that the skip comes before six processes are started."""
    if backend != "sqlite":
        pytest.skip("checks the HTTP layer: SQLite is enough")
