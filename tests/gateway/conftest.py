import pytest
import requests

from services.gateway.service import GatewayService


class Http:
    def __init__(self, base):
        self.base = base
        self.session = requests.Session()

    def __call__(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

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
