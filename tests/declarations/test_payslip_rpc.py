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
        "gross": "3000.00", "employee_contributions": "392.10", "taxable": "2718.44",
        "withholding_tax": "437.87", "net": "2261.33", "employer_contributions": "750.00",
        "employer_cost": "3750.00", "worker_category": "employee", "pay_date": "2026-11-30",
        "withholding_tax_is_estimate": False}
    assert (slip["work_bonus"], slip["special_contribution"]) == ("110.54", "19.24")


def test_compute_payslip_takes_the_family_situation_and_the_working_time(declarations, cluster):
    """3,000 in May 2026, spouse without income, two children (tests/declarations/test_payroll_2026.py)."""
    declarations()
    slip = cluster.declarations.compute_payslip(
        {"gross": "3000.00", "worker_category": "employee", "pay_date": "2026-05-29",
         "marital_status": "spouse_without_income", "dependent_children": 2})
    assert {k: slip[k] for k in ("employee_contributions", "work_bonus", "withholding_tax",
                                 "special_contribution", "net")} == {
        "employee_contributions": "392.10", "work_bonus": "92.27", "withholding_tax": "0.00",
        "special_contribution": "23.35", "net": "2676.82"}
    half = cluster.declarations.compute_payslip(
        {"gross": "1500.00", "worker_category": "employee", "pay_date": "2026-05-29", "working_time": "0.5"})
    assert (half["work_bonus"], half["employee_contributions_withheld"]) == ("46.14", "149.91")


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
    ({"gross": "1.00", "worker_category": "employee", "pay_date": "2026-11-30", "marital_status": "widowed"},
     "marital_status"),
    ({"gross": "1.00", "worker_category": "employee", "pay_date": "2026-11-30", "dependent_children": -1},
     "dependent_children"),
    ({"gross": "1.00", "worker_category": "employee", "pay_date": "2026-11-30", "working_time": "1.5"},
     "working_time"),
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
