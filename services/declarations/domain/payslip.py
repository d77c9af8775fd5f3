"""Payslips: from a gross salary, or back from an employment budget, with the dated parameters.

From gross (DOMAIN.md "Declarations"):
- contribution basis = gross x the category's basis percent (108% for artists and blue-collar);
- employee contributions = basis x 13.07% (students: 2.71% solidarity contribution);
- taxable = gross - employee contributions;
- withholding tax, an ESTIMATE: taxable x 12, minus the capped lump-sum professional expenses,
  through the progressive scale, minus the tax on the tax-free allowance at the lowest rate,
  divided by 12 (students within their quota: none);
- net = taxable - withholding tax;
- employer contributions = basis x the employer rate (students: 5.42%);
- employer cost = gross + employer contributions.
Each figure is rounded half-up to the cent once, where it is defined.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from shared.parameters import ParameterBook
from shared.errors import rule_broken

CATEGORIES = ("employee", "artist", "blue_collar", "student")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONTHS = 12


@dataclass(frozen=True)
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
    employment_budget: Decimal | None = None
    budget_remainder: Decimal | None = None
    withholding_tax_is_estimate: bool = True


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


@dataclass(frozen=True)
class Scale:
    """The income-tax scale of a date: lump-sum expenses, brackets, the allowance's relief."""

    expenses_rate: Decimal
    expenses_cap: Decimal
    brackets: tuple  # ((upper or None, rate), ...)
    allowance_relief: Decimal
    student_exempt: bool

    @classmethod
    def of(cls, book: ParameterBook, on: dt.date) -> "Scale":
        return book.memo(("scale", on), lambda: cls._read(book, on))

    @classmethod
    def _read(cls, book: ParameterBook, on: dt.date) -> "Scale":
        brackets = (
            (book.decimal("pit.bracket_1_upper", on), book.percent("pit.bracket_1_rate", on)),
            (book.decimal("pit.bracket_2_upper", on), book.percent("pit.bracket_2_rate", on)),
            (book.decimal("pit.bracket_3_upper", on), book.percent("pit.bracket_3_rate", on)),
            (None, book.percent("pit.top_rate", on)),
        )
        return cls(
            expenses_rate=book.percent("pit.lump_sum_expenses_rate", on),
            expenses_cap=book.decimal("pit.lump_sum_expenses_cap", on),
            brackets=brackets,
            # the tax-free allowance is taxed at the lowest rate and that tax is deducted
            allowance_relief=book.decimal("pit.tax_free_allowance", on) * brackets[0][1],
            student_exempt=book.text("pit.student_exempt", on) == "yes",
        )

    def annual_tax(self, annual_pay: Decimal) -> Decimal:
        """Income tax on a year's taxable pay, before any rounding."""
        income = annual_pay - min(annual_pay * self.expenses_rate, self.expenses_cap)
        tax, lower = Decimal(0), Decimal(0)
        for upper, rate in self.brackets:
            if income <= lower:
                break
            top = income if upper is None else min(income, upper)
            tax += (top - lower) * rate
            lower = top
        return max(tax - self.allowance_relief, Decimal(0))


def withholding_estimate(book: ParameterBook, on: dt.date, taxable: Decimal, student: bool) -> Decimal:
    scale = Scale.of(book, on)
    if student and scale.student_exempt:
        return ZERO
    return _cents(scale.annual_tax(taxable * MONTHS) / MONTHS)


def from_gross(book: ParameterBook, gross: Decimal, category: str, pay_date: dt.date) -> Payslip:
    if gross < 0:
        raise rule_broken("gross", "must not be negative")
    rates = Rates.of(book, category, pay_date)
    basis = _cents(gross * rates.basis)
    employee = _cents(basis * rates.employee)
    taxable = gross - employee
    withholding = withholding_estimate(book, pay_date, taxable, rates.student)
    employer = _cents(basis * rates.employer)
    return Payslip(
        gross=gross, employee_contributions=employee, taxable=taxable,
        withholding_tax=withholding, net=taxable - withholding,
        employer_contributions=employer, employer_cost=gross + employer,
        worker_category=category, pay_date=pay_date, contribution_basis=basis,
    )


def employer_cost(rates: Rates, gross: Decimal) -> Decimal:
    return gross + _cents(_cents(gross * rates.basis) * rates.employer)


def from_budget(book: ParameterBook, budget: Decimal, category: str, pay_date: dt.date) -> Payslip:
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
    slip = from_gross(book, gross, category, pay_date)
    return Payslip(**{**slip.__dict__, "employment_budget": budget,
                      "budget_remainder": budget - slip.employer_cost})
