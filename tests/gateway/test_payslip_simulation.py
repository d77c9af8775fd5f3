"""POST /api/v1/payslips/simulation: the worked 2026 payslips of tests/declarations/test_payroll_2026.py
(where each is computed by hand) through the HTTP route a front end uses, with every field it answers."""
import uuid

import pytest

from services.declarations.service import DeclarationsService
from services.gateway import tokens
from services.gateway.service import GatewayService
from tests.gateway.conftest import Http

MAY = "2026-05-29"
FIELDS = ("gross", "employee_contributions", "work_bonus", "withholding_tax", "special_contribution",
          "net", "employer_contributions", "employer_cost")
WORKED = [
    ({"gross": "2000.00", "worker_category": "employee", "pay_date": MAY},
     ("2000.00", "261.40", "261.40", "53.93", "2.30", "1943.77", "500.00", "2500.00")),
    ({"gross": "3000.00", "worker_category": "employee", "pay_date": MAY},
     ("3000.00", "392.10", "92.27", "436.10", "19.24", "2244.83", "750.00", "3750.00")),
    ({"gross": "5000.00", "worker_category": "employee", "pay_date": MAY},
     ("5000.00", "653.50", "0.00", "1245.27", "49.51", "3051.72", "1250.00", "6250.00")),
    ({"gross": "3000.00", "worker_category": "employee", "pay_date": MAY,
      "marital_status": "spouse_without_income", "dependent_children": 2},
     ("3000.00", "392.10", "92.27", "0.00", "23.35", "2676.82", "750.00", "3750.00")),
    ({"gross": "3000.00", "worker_category": "artist", "pay_date": MAY},
     ("3000.00", "423.47", "99.65", "423.39", "21.88", "2230.91", "810.00", "3810.00")),
    ({"gross": "2400.00", "worker_category": "blue_collar", "pay_date": MAY},
     ("2400.00", "338.77", "275.03", "192.63", "14.75", "2128.88", "648.00", "3048.00")),
    ({"gross": "2500.00", "worker_category": "employee", "pay_date": "2026-03-31"},
     ("2500.00", "326.75", "212.96", "244.29", "13.74", "2128.18", "625.00", "3125.00")),
    ({"employment_budget": "3800.00", "worker_category": "employee", "pay_date": MAY},
     ("3040.00", "397.33", "81.32", "449.93", "19.68", "2254.38", "760.00", "3800.00")),
]


@pytest.fixture
def simulation(start_service, make_db):
    """Declarations and the gateway in this process, and a member's token."""
    start_service(DeclarationsService, make_db("declarations"), PARAMETER_CACHE_TTL=0.2)
    container = start_service(GatewayService, db_uri="sqlite://")
    http = Http(f"http://{container.config['WEB_SERVER_ADDRESS']}")
    token = tokens.issue(container.config["JWT_SECRET"], str(uuid.uuid4()), ["member"], 300)["access_token"]
    return http, token


def test_the_worked_payslips_through_the_simulation_route(simulation, backend):
    http, token = simulation
    for body, expected in WORKED:
        answer = http("POST", "/api/v1/payslips/simulation", token, json=body)
        assert answer.status_code == 200, answer.text
        slip = answer.json()
        assert tuple(slip[k] for k in FIELDS) == expected, body
        assert slip["withholding_tax_is_estimate"] is False
    budget = http("POST", "/api/v1/payslips/simulation", token, json=WORKED[-1][0]).json()
    assert (budget["employment_budget"], budget["budget_remainder"]) == ("3800.00", "0.00")


def test_the_simulation_route_refuses_a_bad_family_situation(simulation, backend):
    http, token = simulation
    refused = http("POST", "/api/v1/payslips/simulation", token, json={
        "gross": "3000.00", "worker_category": "employee", "pay_date": MAY, "marital_status": "widowed"})
    assert refused.status_code == 422 and "marital_status" in refused.json()["fields"]
    assert http("POST", "/api/v1/payslips/simulation", json=WORKED[0][0]).status_code == 401
