"""The special social security contribution (bijzondere bijdrage voor de sociale zekerheid /
cotisation spéciale de sécurité sociale), withheld on each monthly pay by the ONSS bands
(ONSS administrative instructions; scale in force since 1 April 2022; DOMAIN.md "Payroll 2026").

The band is chosen by the quarter's pay subject to contributions (108% of gross for manual workers
and artists), taken here as three months of this pay. A month then withholds
    band's quarterly amount / 3 + band's rate x (monthly pay - band's monthly threshold),
rounded half-up to the cent, at least the household's quarterly minimum / 3 once a band applies
and at most its quarterly maximum / 3. The household decides the bands: single (taxed alone),
one income (joint taxation, the spouse has no professional income), two incomes.
Students under the solidarity contribution are not subject to it.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shared.parameters import ParameterBook

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
QUARTER = 3
HOUSEHOLDS = ("single", "one_income", "two_incomes")
HOUSEHOLD_OF = {"single": "single", "spouse_without_income": "one_income",
                "spouse_with_income": "two_incomes"}


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Band:
    quarter_from: Decimal
    monthly_amount: Decimal  # the quarterly amount / 3
    rate: Decimal
    monthly_threshold: Decimal


@dataclass(frozen=True)
class SpecialContributionScale:
    bands: tuple  # Band, by quarter_from ascending
    monthly_minimum: Decimal
    monthly_maximum: Decimal

    @classmethod
    def of(cls, book: ParameterBook, household: str, on: dt.date) -> "SpecialContributionScale":
        return book.memo(("special_contribution", household, on), lambda: cls._read(book, household, on))

    @classmethod
    def _read(cls, book: ParameterBook, household: str, on: dt.date) -> "SpecialContributionScale":
        name = f"special_contribution.{household}."
        bands = tuple(
            Band(quarter_from=book.decimal(f"{name}band_{i}_quarter_from", on),
                 monthly_amount=_cents(book.decimal(f"{name}band_{i}_quarterly_amount", on) / QUARTER),
                 rate=book.percent(f"{name}band_{i}_rate", on),
                 monthly_threshold=book.decimal(f"{name}band_{i}_monthly_threshold", on))
            for i in range(1, book.integer(name + "bands", on) + 1))
        return cls(bands=bands,
                   monthly_minimum=_cents(book.decimal(name + "minimum_quarterly", on) / QUARTER),
                   monthly_maximum=_cents(book.decimal(name + "maximum_quarterly", on) / QUARTER))

    def monthly(self, basis: Decimal) -> Decimal:
        """What a month withholds on ``basis`` (the pay subject to contributions)."""
        quarter = basis * QUARTER
        band = None
        for candidate in self.bands:
            if quarter < candidate.quarter_from:
                break
            band = candidate
        if band is None:
            return ZERO
        excess = basis - band.monthly_threshold
        amount = band.monthly_amount
        if band.rate and excess > 0:
            amount = (amount + band.rate * excess).quantize(CENT, ROUND_HALF_UP)
        if amount < self.monthly_minimum:
            return self.monthly_minimum
        return self.monthly_maximum if amount > self.monthly_maximum else amount


def special_contribution(book: ParameterBook, on: dt.date, basis: Decimal, marital_status: str,
                         student: bool) -> Decimal:
    if student and book.text("special_contribution.student_exempt", on) == "yes":
        return ZERO
    return SpecialContributionScale.of(book, HOUSEHOLD_OF[marital_status], on).monthly(basis)
