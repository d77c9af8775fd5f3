"""compute_payslip over RPC: the contract billing relies on (docs/contracts.md)."""
import pytest
from nameko.exceptions import UnknownService

from shared.errors import ValidationError
from shared.testing import wait_until


def test_compute_payslip_answers_the_contract(declarations, cluster):
    declarations()
    slip = cluster.declarations.compute_payslip(
        {"gross": "3000.00", "worker_category": "employee", "pay_date": "2026-11-30"})
    assert {k: slip[k] for k in ("gross", "employee_contributions", "taxable", "withholding_tax", "net",
                                 "employer_contributions", "employer_cost", "worker_category", "pay_date",
                                 "withholding_tax_is_estimate")} == {
        "gross": "3000.00", "employee_contributions": "392.10", "taxable": "2607.90",
        "withholding_tax": "414.20", "net": "2193.70", "employer_contributions": "750.00",
        "employer_cost": "3750.00", "worker_category": "employee", "pay_date": "2026-11-30",
        "withholding_tax_is_estimate": True}


def test_compute_payslip_from_a_budget_lands_on_the_cent(declarations, cluster):
    declarations()
    slip = cluster.declarations.compute_payslip(
        {"employment_budget": "3810.00", "worker_category": "artist", "pay_date": "2026-11-30"})
    assert (slip["gross"], slip["employer_cost"], slip["budget_remainder"]) == ("3000.00", "3810.00", "0.00")


@pytest.mark.parametrize("request_, field", [
    ({"gross": 3000.0, "worker_category": "employee", "pay_date": "2026-11-30"}, "gross"),
    ({"gross": "3000.001", "worker_category": "employee", "pay_date": "2026-11-30"}, "gross"),
    ({"gross": "-1.00", "worker_category": "employee", "pay_date": "2026-11-30"}, "gross"),
    ({"gross": "1.00", "employment_budget": "2.00", "worker_category": "employee",
      "pay_date": "2026-11-30"}, "gross"),
    ({"gross": "1.00", "worker_category": "boss", "pay_date": "2026-11-30"}, "worker_category"),
    ({"gross": "1.00", "worker_category": "employee", "pay_date": "30/11/2026"}, "pay_date"),
    ({"gross": "1.00", "worker_category": "employee", "pay_date": "2026-11-30", "bonus": "1"}, "bonus"),
])
def test_bad_payslip_requests_are_refused_per_field(declarations, cluster, request_, field):
    declarations()
    with pytest.raises(ValidationError) as refused:
        cluster.declarations.compute_payslip(request_)
    assert field in refused.value.fields


@pytest.mark.slow
def test_the_service_runs_as_its_own_process(service_process, make_db, cluster):
    process = service_process("declarations", make_db("declarations")).wait_ready()

    def payslip():
        try:  # the HTTP port may answer a moment before the RPC queue is consumed
            return cluster.declarations.compute_payslip(
                {"gross": "3000.00", "worker_category": "artist", "pay_date": "2026-11-30"})
        except UnknownService:
            return None

    slip = wait_until(payslip, timeout=10)
    assert (slip["employee_contributions"], slip["employer_cost"]) == ("423.47", "3810.00")
    process.terminate()
    assert process.wait_exit() == 0
