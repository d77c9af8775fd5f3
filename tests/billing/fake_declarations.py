"""A stand-in for the declarations service (another bounded context) in billing's tests.

It answers ``compute_payslip`` with the contract of docs/contracts.md, from an employment budget:
gross = budget / 1.25 (employer contributions 25%), employee contributions 13.07%, and a flat
20% withholding estimate. The figures are the fake's own; billing only relays them.
"""
from decimal import ROUND_DOWN, Decimal

from shared.money import round_cents
from shared.service import rpc

EMPLOYER = Decimal("0.25")
EMPLOYEE = Decimal("0.1307")
WITHHOLDING = Decimal("0.20")


def payslip(budget: Decimal, worker_category: str, pay_date: str) -> dict:
    gross = (budget / (1 + EMPLOYER)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    employer = round_cents(gross * EMPLOYER)
    employee = round_cents(gross * EMPLOYEE)
    taxable = gross - employee
    tax = round_cents(taxable * WITHHOLDING)
    return {"gross": str(gross), "employee_contributions": str(employee), "taxable": str(taxable),
            "withholding_tax": str(tax), "net": str(taxable - tax),
            "employer_contributions": str(employer), "employer_cost": str(gross + employer),
            "worker_category": worker_category, "pay_date": pay_date,
            "withholding_tax_is_estimate": True}


class FakeDeclarations:
    name = "declarations"
    calls: list = []

    @rpc
    def compute_payslip(self, request):
        FakeDeclarations.calls.append(request)
        return payslip(Decimal(request["employment_budget"]), request["worker_category"], request["pay_date"])
