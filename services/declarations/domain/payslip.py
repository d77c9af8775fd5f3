"""Payslips: from a gross salary, or back from an employment budget, with the dated parameters.

From gross (DOMAIN.md "Declarations" and "Payroll 2026"):
- contribution basis = gross x the category's basis percent (108% for artists and blue-collar);
- employee contributions = basis x 13.07% (students: 2.71% solidarity contribution), before the
  social work bonus (domain/work_bonus.py), which reduces what is withheld;
- taxable = gross - (employee contributions - work bonus);
- withholding tax by the official key formula (domain/withholding.py), minus the fiscal work bonus;
- special social security contribution by the ONSS bands (domain/special_contribution.py);
- net = taxable - withholding tax - special contribution;
- employer contributions = basis x the employer rate (students: 5.42%);
- employer cost = gross + employer contributions.
Each figure is rounded half-up to the cent where it is defined.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from services.declarations.domain.special_contribution import special_contribution
from services.declarations.domain.withholding import SINGLE, Family, KeyFormula
from services.declarations.domain.work_bonus import WorkBonusScale, work_bonus
from shared.errors import rule_broken
from shared.parameters import ParameterBook

CATEGORIES = ("employee", "artist", "blue_collar", "student")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal(1)
MONTHS = 12


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs a third of the computation
class Payslip:
    gross: Decimal
    employee_contributions: Decimal
    taxable: Decimal
    withholding_tax: Decimal
    net: Decimal
    employer_contributions: Decimal
    employer_cost: Decimal
    worker_category: str
    pay_date: dt.date
    contribution_basis: Decimal
    work_bonus: Decimal = ZERO
    work_bonus_part_a: Decimal = ZERO
    work_bonus_part_b: Decimal = ZERO
    employee_contributions_withheld: Decimal = ZERO
    fiscal_work_bonus: Decimal = ZERO
    special_contribution: Decimal = ZERO
    family: Family = SINGLE
    working_time: Decimal = ONE
    employment_budget: Decimal | None = None
    budget_remainder: Decimal | None = None
    withholding_tax_is_estimate: bool = False


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rates:
    """The parameters one payslip needs, read once per (category, date)."""

    basis: Decimal
    employee: Decimal
    employer: Decimal
    student: bool

    @classmethod
    def of(cls, book: ParameterBook, category: str, on: dt.date) -> "Rates":
        if category not in CATEGORIES:
            raise rule_broken("worker_category", f"must be one of {', '.join(CATEGORIES)}")
        return book.memo(("rates", category, on), lambda: cls._read(book, category, on))

    @classmethod
    def _read(cls, book: ParameterBook, category: str, on: dt.date) -> "Rates":
        student = category == "student"
        return cls(
            basis=book.percent(f"social.basis_percent.{category}", on),
            employee=book.percent("social.student_employee_rate" if student else "social.employee_rate", on),
            employer=book.percent("social.student_employer_rate" if student else "social.employer_rate", on),
            student=student,
        )


def from_gross(book: ParameterBook, gross: Decimal, category: str, pay_date: dt.date,
               family: Family = SINGLE, working_time: Decimal = ONE) -> Payslip:
    """``working_time``: the pay's share of a full-time month (for the work bonus)."""
    if gross < 0:
        raise rule_broken("gross", "must not be negative")
    if working_time is not ONE and not 0 < working_time <= 1:
        raise rule_broken("working_time", "must be more than 0 and at most 1")
    rates = Rates.of(book, category, pay_date)
    basis = gross if rates.basis == ONE else _cents(gross * rates.basis)
    employee = _cents(basis * rates.employee)
    bonus = work_bonus(WorkBonusScale.of(book, category, pay_date), gross, employee, working_time)
    withheld = employee - bonus.total
    taxable = gross - withheld
    formula = KeyFormula.of(book, pay_date)
    if rates.student and formula.student_exempt:
        withholding = fiscal = ZERO
    else:
        withholding, fiscal = formula.withholding(taxable, family, bonus.part_a, bonus.part_b)
    special = special_contribution(book, pay_date, basis, family.marital_status, rates.student)
    employer = _cents(basis * rates.employer)
    return Payslip(
        gross=gross, employee_contributions=employee, taxable=taxable,
        withholding_tax=withholding, net=taxable - withholding - special,
        employer_contributions=employer, employer_cost=gross + employer,
        worker_category=category, pay_date=pay_date, contribution_basis=basis,
        work_bonus=bonus.total, work_bonus_part_a=bonus.part_a, work_bonus_part_b=bonus.part_b,
        employee_contributions_withheld=withheld, fiscal_work_bonus=fiscal,
        special_contribution=special, family=family, working_time=working_time,
    )


def employer_cost(rates: Rates, gross: Decimal) -> Decimal:
    return gross + _cents(_cents(gross * rates.basis) * rates.employer)


def from_budget(book: ParameterBook, budget: Decimal, category: str, pay_date: dt.date,
                family: Family = SINGLE, working_time: Decimal = ONE) -> Payslip:
    """The largest gross whose employer cost is at most ``budget``; exact when one exists.

    Employer cost grows with gross by steps of one or two cents, so some budgets have no
    exact gross: then the cent left over is reported as ``budget_remainder``.
    """
    if budget < 0:
        raise rule_broken("employment_budget", "must not be negative")
    rates = Rates.of(book, category, pay_date)
    factor = 1 + rates.basis * rates.employer
    gross = (budget / factor).quantize(CENT, rounding=ROUND_DOWN)
    while gross > 0 and employer_cost(rates, gross) > budget:
        gross -= CENT
    while employer_cost(rates, gross + CENT) <= budget:
        gross += CENT
    slip = from_gross(book, gross, category, pay_date, family, working_time)
    slip.employment_budget, slip.budget_remainder = budget, budget - slip.employer_cost
    return slip
