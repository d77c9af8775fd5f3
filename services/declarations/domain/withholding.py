"""Withholding tax (bedrijfsvoorheffing / précompte professionnel) by the official key formula:
annex III to the Royal Decree implementing the Income Tax Code 1992, for pay from 1 January 2026
(DOMAIN.md "Payroll 2026"). Every figure is a dated parameter ``withholding.key_formula.*``.

The formula's steps, each rounded half-up to the cent (key formula, point 3):
1. annual gross taxable pay = the month's taxable pay x 12;
2. lump-sum professional expenses = 30% of it, at most 6,070;
3. annual net taxable pay = 1 - 2;
4. tax by the formula's scale (the income-tax rates x 1.07: the municipal surcharge is built in),
   the tax below each bracket rounded to the cent as the annex publishes it (4,469.93, 9,944.05,
   20,320.38); a spouse or legal cohabitant without professional income: 30% of 3 (at most
   13,790) is taxed apart as the marital quotient, each part by the scale;
5. minus the reduction for the basic allowance (2,987.98; twice with the marital quotient), not
   below zero;
6. minus the reductions for the family situation from the formula's tables: dependent children
   (by their number), other dependants, a single taxpayer with children; not below zero;
7. monthly withholding = 6 / 12;
8. minus the fiscal work bonus: 33.14% of the social work bonus part A and 52.54% of part B
   granted on the same pay; not below zero.
Students working within their yearly quota under the solidarity contribution: none.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.errors import rule_broken
from shared.parameters import ParameterBook

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MONTHS = 12
CHILDREN_TABLE = 8  # the formula's table gives 1 to 8 children, then an amount per child more
MARITAL_STATUSES = ("single", "spouse_with_income", "spouse_without_income")


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Family:
    """What the key formula needs of a member's family; the default is single without dependants."""

    marital_status: str = "single"
    dependent_children: int = 0
    other_dependants: int = 0

    def __post_init__(self):
        if self.marital_status not in MARITAL_STATUSES:
            raise rule_broken("marital_status", f"must be one of {', '.join(MARITAL_STATUSES)}")
        if self.dependent_children < 0:
            raise rule_broken("dependent_children", "must not be negative")
        if self.other_dependants < 0:
            raise rule_broken("other_dependants", "must not be negative")


SINGLE = Family()


@dataclass(frozen=True)
class Steps:
    """The key formula's intermediate figures for one pay (what a payslip may show)."""

    annual_gross: Decimal
    expenses: Decimal
    annual_net: Decimal
    marital_quotient: Decimal
    scale_tax: Decimal
    after_allowance: Decimal
    family_reduction: Decimal
    annual_tax: Decimal
    monthly_before_bonus: Decimal
    fiscal_work_bonus: Decimal
    withholding: Decimal


@dataclass(frozen=True)
class KeyFormula:
    expenses_rate: Decimal
    expenses_cap: Decimal
    expenses_from_cap: Decimal  # the annual pay from which the expenses are the cap
    brackets: tuple  # ((lower, upper or None, rate, tax below lower), ...)
    basic_reduction: Decimal
    quotient_rate: Decimal
    quotient_cap: Decimal
    children: tuple  # reduction for 0, 1, ... n children
    per_child_beyond: Decimal
    other_dependant: Decimal
    single_parent: Decimal
    bonus_a_rate: Decimal
    bonus_b_rate: Decimal
    student_exempt: bool

    @classmethod
    def of(cls, book: ParameterBook, on: dt.date) -> "KeyFormula":
        return book.memo(("key_formula", on), lambda: cls._read(book, on))

    @classmethod
    def _read(cls, book: ParameterBook, on: dt.date) -> "KeyFormula":
        name = "withholding.key_formula."
        uppers = [book.decimal(f"{name}bracket_{i}_upper", on) for i in (1, 2, 3)] + [None]
        rates = [book.percent(f"{name}bracket_{i}_rate", on) for i in (1, 2, 3)] + [
            book.percent(name + "top_rate", on)]
        brackets, lower, below = [], ZERO, ZERO
        for upper, rate in zip(uppers, rates, strict=False):
            brackets.append((lower, upper, rate, below))
            if upper is not None:
                below, lower = _cents(below + _cents((upper - lower) * rate)), upper
        children = [ZERO] + [book.decimal(f"{name}children_reduction_{count}", on)
                             for count in range(1, CHILDREN_TABLE + 1)]
        expenses_rate, expenses_cap = book.percent(name + "expenses_rate", on), book.decimal(name + "expenses_cap", on)
        return cls(
            expenses_rate=expenses_rate,
            expenses_cap=expenses_cap,
            expenses_from_cap=(expenses_cap / expenses_rate).quantize(CENT, ROUND_HALF_UP) + CENT,
            brackets=tuple(brackets),
            basic_reduction=book.decimal(name + "basic_allowance_reduction", on),
            quotient_rate=book.percent(name + "marital_quotient_rate", on),
            quotient_cap=book.decimal(name + "marital_quotient_cap", on),
            children=tuple(children),
            per_child_beyond=book.decimal(f"{name}children_reduction_per_child_above_{CHILDREN_TABLE}", on),
            other_dependant=book.decimal(name + "other_dependant_reduction", on),
            single_parent=book.decimal(name + "single_parent_reduction", on),
            bonus_a_rate=book.percent("withholding.fiscal_work_bonus.part_a_rate", on),
            bonus_b_rate=book.percent("withholding.fiscal_work_bonus.part_b_rate", on),
            student_exempt=book.text("pit.student_exempt", on) == "yes",
        )

    def scale(self, income: Decimal) -> Decimal:
        """Tax on a year's net taxable pay (in cents) by the formula's scale (surcharge included)."""
        if income <= 0:
            return ZERO
        for lower, upper, rate, below in self.brackets:
            if upper is None or income <= upper:
                return below + ((income - lower) * rate).quantize(CENT, ROUND_HALF_UP)
        raise AssertionError("the last bracket has no upper bound")

    def family_reduction(self, family: Family) -> Decimal:
        if family is SINGLE:
            return ZERO
        count = family.dependent_children
        last = len(self.children) - 1
        children = (self.children[count] if count <= last
                    else self.children[last] + self.per_child_beyond * (count - last))
        single_parent = self.single_parent if family.marital_status == "single" and count else ZERO
        return children + self.other_dependant * family.other_dependants + single_parent

    def fiscal_work_bonus(self, part_a: Decimal, part_b: Decimal) -> Decimal:
        bonus = (part_a * self.bonus_a_rate).quantize(CENT, ROUND_HALF_UP) if part_a else ZERO
        if part_b:
            bonus += (part_b * self.bonus_b_rate).quantize(CENT, ROUND_HALF_UP)
        return bonus

    def _annual(self, taxable: Decimal, family: Family) -> tuple:
        """Steps 1 to 6 on a month's taxable pay (in cents): every product and sum below is
        rounded to the cent where it is not already exact."""
        annual = taxable * MONTHS
        expenses = self.expenses_cap if annual >= self.expenses_from_cap else min(
            (annual * self.expenses_rate).quantize(CENT, ROUND_HALF_UP), self.expenses_cap)
        net = annual - expenses
        if family.marital_status == "spouse_without_income":
            quotient = min((net * self.quotient_rate).quantize(CENT, ROUND_HALF_UP), self.quotient_cap)
            tax = self.scale(net - quotient) + self.scale(quotient)
            after_allowance = max(tax - 2 * self.basic_reduction, ZERO)
        else:
            quotient = ZERO
            tax = self.scale(net)
            after_allowance = max(tax - self.basic_reduction, ZERO)
        reduction = self.family_reduction(family)
        annual_tax = max(after_allowance - reduction, ZERO) if reduction else after_allowance
        return annual, expenses, net, quotient, tax, after_allowance, reduction, annual_tax

    def withholding(self, taxable: Decimal, family: Family = SINGLE, part_a: Decimal = ZERO,
                    part_b: Decimal = ZERO) -> tuple[Decimal, Decimal]:
        """(withholding, fiscal work bonus deducted) on a month's taxable pay."""
        annual_tax = self._annual(taxable, family)[-1]
        before_bonus = (annual_tax / MONTHS).quantize(CENT, ROUND_HALF_UP)
        withholding = max(before_bonus - self.fiscal_work_bonus(part_a, part_b), ZERO)
        return withholding, before_bonus - withholding

    def monthly(self, taxable: Decimal, family: Family = SINGLE, part_a: Decimal = ZERO,
                part_b: Decimal = ZERO) -> Steps:
        """The key formula's every step on a month's taxable pay (gross - contributions after the
        work bonus)."""
        annual, expenses, net, quotient, tax, after_allowance, reduction, annual_tax = self._annual(
            taxable, family)
        before_bonus = (annual_tax / MONTHS).quantize(CENT, ROUND_HALF_UP)
        bonus = self.fiscal_work_bonus(part_a, part_b)
        return Steps(annual_gross=annual, expenses=expenses, annual_net=net, marital_quotient=quotient,
                     scale_tax=tax, after_allowance=after_allowance, family_reduction=reduction,
                     annual_tax=annual_tax, monthly_before_bonus=before_bonus, fiscal_work_bonus=bonus,
                     withholding=max(before_bonus - bonus, ZERO))
