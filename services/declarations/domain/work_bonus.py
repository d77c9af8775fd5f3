"""The social work bonus (werkbonus / bonus à l'emploi): a reduction of the employee contributions
on low pay (ONSS administrative instructions, "Werkbonus"; DOMAIN.md "Payroll 2026").

For a full-time month, on the reference wage S (the gross pay at 100%):
- part A = maximum while S <= part_a_from, then maximum - slope x (S - part_a_from), nothing once
  S >= part_a_to;
- part B = the same with part B's figures, nothing once S >= part_a_from;
- part-time: S is the pay divided by its share of a full-time month, and each part is multiplied
  by that share;
- the reduction never exceeds the employee contributions: part B gives way first, then part A.
Manual workers (and artists, treated like them) take their own amounts (the white-collar ones x 1.08).
Each part is rounded half-up to the cent where it is defined.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from shared.parameters import ParameterBook

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal(1)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Part:
    maximum: Decimal
    start: Decimal  # full reduction up to here
    end: Decimal | None  # nothing from here (None: where the slope reaches zero)
    slope: Decimal

    def amount(self, reference: Decimal) -> Decimal:
        if reference <= self.start:
            return self.maximum
        if self.end is not None and reference >= self.end:
            return ZERO
        return max(_cents(self.maximum - self.slope * (reference - self.start)), ZERO)


@dataclass(frozen=True)
class WorkBonusScale:
    """The work bonus of one regime (white-collar or manual) on one date; None parts: no bonus."""

    part_a: Part | None
    part_b: Part | None

    @classmethod
    def of(cls, book: ParameterBook, category: str, on: dt.date) -> "WorkBonusScale":
        return book.memo(("work_bonus", category, on), lambda: cls._read(book, category, on))

    @classmethod
    def _read(cls, book: ParameterBook, category: str, on: dt.date) -> "WorkBonusScale":
        regime = book.text(f"work_bonus.regime.{category}", on)
        if regime == "none":
            return cls(None, None)
        name = f"work_bonus.{regime}."
        a_start = book.decimal(name + "part_a_from", on)
        return cls(
            part_a=Part(book.decimal(name + "part_a_maximum", on), a_start,
                        book.decimal(name + "part_a_to", on), book.decimal(name + "part_a_slope", on)),
            part_b=Part(book.decimal(name + "part_b_maximum", on), book.decimal(name + "part_b_from", on),
                        a_start, book.decimal(name + "part_b_slope", on)),
        )


class WorkBonus(NamedTuple):
    part_a: Decimal
    part_b: Decimal

    @property
    def total(self) -> Decimal:
        return self.part_a + self.part_b


NO_BONUS = WorkBonus(ZERO, ZERO)


def work_bonus(scale: WorkBonusScale, gross: Decimal, contributions: Decimal,
               working_time: Decimal = ONE) -> WorkBonus:
    """The reduction granted on a month's ``gross`` (at 100%) whose employee contributions are
    ``contributions``, for a pay that is ``working_time`` of a full-time month."""
    if scale.part_a is None or gross <= 0:
        return NO_BONUS
    if working_time == ONE:
        part_a, part_b = scale.part_a.amount(gross), scale.part_b.amount(gross)
    else:
        reference = _cents(gross / working_time)
        part_a = _cents(scale.part_a.amount(reference) * working_time)
        part_b = _cents(scale.part_b.amount(reference) * working_time)
    if part_a + part_b > contributions:  # part B gives way first
        part_a = min(part_a, contributions)
        part_b = contributions - part_a
    return WorkBonus(part_a, part_b)
