"""Worked payslips of 2026 by the official method, each computed by hand in its docstring
(no broker, no database): the key formula of annex III (FPS Finance, pay from 1 January 2026),
the ONSS work bonus and special social security contribution. DOMAIN.md "Payroll 2026".

Every step is rounded half-up to the cent. The key formula's scale: 26.75% to 16,710 (4,469.93
at the top), 42.80% to 29,500 (9,944.05), 48.15% to 51,050 (20,320.38), 53.50% above; lump-sum
expenses 30% capped at 6,070; basic allowance reduction 2,987.98.
"""
import datetime as dt
from decimal import Decimal

import pytest

from services.declarations.domain.payslip import from_budget, from_gross
from services.declarations.domain.special_contribution import SpecialContributionScale
from services.declarations.domain.withholding import Family, KeyFormula
from services.declarations.domain.work_bonus import WorkBonusScale, work_bonus
from services.declarations.models import shipped_parameters
from shared.errors import ValidationError
from shared.parameters import ParameterBook

MAY_2026 = dt.date(2026, 5, 29)
MARCH_2026 = dt.date(2026, 3, 31)
BOOK = ParameterBook([(r["name"], r["value"], r["effective_from"]) for r in shipped_parameters()])
FIELDS = ("gross", "employee_contributions", "work_bonus", "taxable", "withholding_tax",
          "special_contribution", "net", "employer_contributions", "employer_cost")


def figures(slip) -> dict:
    return {k: str(getattr(slip, k)) for k in FIELDS}


def test_the_key_formula_scale_gives_the_annex_tax_at_each_bracket_top():
    """The tax below each bracket, rounded to the cent as annex III publishes it:
    16,710 x 26.75% = 4,469.925 -> 4,469.93; + 12,790 x 42.80% = 5,474.12 -> 9,944.05;
    + 21,550 x 48.15% = 10,376.325 -> 10,376.33 -> 20,320.38."""
    formula = KeyFormula.of(BOOK, MAY_2026)
    assert [formula.scale(Decimal(top)) for top in ("16710", "29500", "51050")] == [
        Decimal("4469.93"), Decimal("9944.05"), Decimal("20320.38")]
    assert formula.scale(Decimal("0")) == Decimal("0.00")


def test_employee_at_2000_gross_in_may_2026_pays_no_contributions_after_the_work_bonus():
    """White-collar, single, no dependants, paid in May 2026.
    Contributions 2,000 x 13.07% = 261.40. Work bonus (from 1 April 2026), S = 2,000: part A
    125.04 (S <= 2,880.32), part B 168.62 (S <= 2,255.50): 293.66 > 261.40, so part B gives way:
    B = 261.40 - 125.04 = 136.36; bonus 261.40, nothing withheld; taxable 2,000.00.
    Key formula: 24,000.00 a year; expenses 30% = 7,200 capped at 6,070; net 17,930.00; scale
    4,469.93 + (17,930 - 16,710) x 42.80% (522.16) = 4,992.09; - 2,987.98 = 2,004.11; / 12 = 167.01.
    Fiscal work bonus 125.04 x 33.14% (41.44) + 136.36 x 52.54% (71.64) = 113.08 -> 53.93.
    Special contribution, single: quarter 6,000 in [5,836.14, 6,570.54]: 4.22% x (2,000 - 1,945.38)
    = 2.30. Net 2,000.00 - 53.93 - 2.30 = 1,943.77; employer 25% = 500.00, cost 2,500.00."""
    slip = from_gross(BOOK, Decimal("2000.00"), "employee", MAY_2026)
    assert figures(slip) == {
        "gross": "2000.00", "employee_contributions": "261.40", "work_bonus": "261.40",
        "taxable": "2000.00", "withholding_tax": "53.93", "special_contribution": "2.30",
        "net": "1943.77", "employer_contributions": "500.00", "employer_cost": "2500.00"}
    assert (slip.work_bonus_part_a, slip.work_bonus_part_b, slip.fiscal_work_bonus) == (
        Decimal("125.04"), Decimal("136.36"), Decimal("113.08"))
    assert slip.employee_contributions_withheld == Decimal("0.00")


def test_employee_at_3000_gross_in_may_2026():
    """Contributions 392.10. Part A: 125.04 - 0.2738 x (3,000 - 2,880.32) = 125.04 - 32.768 =
    92.27; part B nothing (S > 2,880.32). Withheld 299.83; taxable 2,700.17.
    Key formula: 32,402.04; expenses 6,070; net 26,332.04; scale 4,469.93 + 9,622.04 x 42.80%
    (4,118.23) = 8,588.16; - 2,987.98 = 5,600.18; / 12 = 466.68; fiscal work bonus 92.27 x 33.14%
    = 30.58 -> 436.10. Special contribution: quarter 9,000 in (6,570.54, 11,211.00]: 30.99 / 3 +
    1.10% x (3,000 - 2,190.18) = 10.33 + 8.91 = 19.24. Net 2,700.17 - 436.10 - 19.24 = 2,244.83."""
    slip = from_gross(BOOK, Decimal("3000.00"), "employee", MAY_2026)
    assert figures(slip) == {
        "gross": "3000.00", "employee_contributions": "392.10", "work_bonus": "92.27",
        "taxable": "2700.17", "withholding_tax": "436.10", "special_contribution": "19.24",
        "net": "2244.83", "employer_contributions": "750.00", "employer_cost": "3750.00"}
    assert (slip.employee_contributions_withheld, slip.fiscal_work_bonus) == (
        Decimal("299.83"), Decimal("30.58"))


def test_employee_at_5000_gross_in_may_2026_has_no_work_bonus():
    """Contributions 653.50, no bonus (S >= 3,336.98); taxable 4,346.50.
    Key formula: 52,158.00; expenses 6,070; net 46,088.00; scale 9,944.05 + 16,588 x 48.15%
    (7,987.12) = 17,931.17; - 2,987.98 = 14,943.19; / 12 = 1,245.27. Special contribution:
    quarter 15,000 in (12,300, 18,116.46]: 118.83 / 3 + 1.10% x (5,000 - 4,100) = 39.61 + 9.90 =
    49.51. Net 4,346.50 - 1,245.27 - 49.51 = 3,051.72."""
    slip = from_gross(BOOK, Decimal("5000.00"), "employee", MAY_2026)
    assert figures(slip) == {
        "gross": "5000.00", "employee_contributions": "653.50", "work_bonus": "0.00",
        "taxable": "4346.50", "withholding_tax": "1245.27", "special_contribution": "49.51",
        "net": "3051.72", "employer_contributions": "1250.00", "employer_cost": "6250.00"}


def test_married_employee_whose_spouse_has_no_income_with_two_children_at_3000():
    """As the single employee at 3,000 up to the net taxable 26,332.04 a year.
    Marital quotient: 30% = 7,899.61 (below the 13,790 cap), taxed apart: 7,899.61 x 26.75% =
    2,113.15; the rest 18,432.43: 4,469.93 + 1,722.43 x 42.80% (737.20) = 5,207.13; together
    7,320.28, minus the basic allowance twice (5,975.96) = 1,344.32. Two dependent children:
    1,656.00 a year, more than the tax: 0.00, so no withholding (the fiscal work bonus has nothing
    left to reduce). Special contribution, one income (joint taxation, spouse without income):
    quarter 9,000 above 6,570.54: 43.32 / 3 + 1.10% x 809.82 = 14.44 + 8.91 = 23.35.
    Net 2,700.17 - 0.00 - 23.35 = 2,676.82."""
    family = Family("spouse_without_income", dependent_children=2)
    slip = from_gross(BOOK, Decimal("3000.00"), "employee", MAY_2026, family)
    assert figures(slip) == {
        "gross": "3000.00", "employee_contributions": "392.10", "work_bonus": "92.27",
        "taxable": "2700.17", "withholding_tax": "0.00", "special_contribution": "23.35",
        "net": "2676.82", "employer_contributions": "750.00", "employer_cost": "3750.00"}
    steps = KeyFormula.of(BOOK, MAY_2026).monthly(slip.taxable, family, slip.work_bonus_part_a)
    assert (steps.marital_quotient, steps.scale_tax, steps.after_allowance, steps.family_reduction) == (
        Decimal("7899.61"), Decimal("7320.28"), Decimal("1344.32"), Decimal("1656.00"))


def test_the_marital_quotient_without_children_leaves_tax_to_withhold():
    """The same without children: 1,344.32 / 12 = 112.03, minus the fiscal work bonus 30.58 =
    81.45. Net 2,700.17 - 81.45 - 23.35 = 2,595.37."""
    slip = from_gross(BOOK, Decimal("3000.00"), "employee", MAY_2026, Family("spouse_without_income"))
    assert (slip.withholding_tax, slip.net) == (Decimal("81.45"), Decimal("2595.37"))


def test_children_and_other_dependants_reduce_the_tax_by_the_formula_table():
    """Single at 5,000 (annual tax 14,943.19): one child 624 and the single-parent 624 -> 13,695.19
    / 12 = 1,141.27; three children 4,404 + 624 -> 9,915.19 / 12 = 826.27; ten children 21,996 +
    2 x 3,864 + 624 = 30,348, more than the tax -> 0.00; one other dependant 624 -> 14,319.19 / 12
    = 1,193.27. A spouse with income changes no withholding (scale I)."""
    def withholding(family):
        return from_gross(BOOK, Decimal("5000.00"), "employee", MAY_2026, family).withholding_tax

    assert withholding(Family(dependent_children=1)) == Decimal("1141.27")
    assert withholding(Family(dependent_children=3)) == Decimal("826.27")
    assert withholding(Family(dependent_children=10)) == Decimal("0.00")
    assert withholding(Family(other_dependants=1)) == Decimal("1193.27")
    assert withholding(Family("spouse_with_income")) == Decimal("1245.27")


def test_artist_at_3000_takes_the_manual_workers_work_bonus_on_108_percent():
    """Basis 3,240.00; contributions 13.07% = 423.47. Manual workers' part A (from 1 April 2026):
    135.04 - 0.2957 x (3,000 - 2,880.32) = 135.04 - 35.389 = 99.65. Withheld 323.82; taxable
    2,676.18. Key formula: 32,114.16; - 6,070 = 26,044.16; 4,469.93 + 9,334.16 x 42.80% (3,995.02)
    = 8,464.95; - 2,987.98 = 5,476.97; / 12 = 456.41; fiscal work bonus 99.65 x 33.14% = 33.02 ->
    423.39. Special contribution on the basis 3,240: 10.33 + 1.10% x 1,049.82 = 21.88.
    Net 2,676.18 - 423.39 - 21.88 = 2,230.91; employer 25% of 3,240 = 810.00."""
    slip = from_gross(BOOK, Decimal("3000.00"), "artist", MAY_2026)
    assert figures(slip) == {
        "gross": "3000.00", "employee_contributions": "423.47", "work_bonus": "99.65",
        "taxable": "2676.18", "withholding_tax": "423.39", "special_contribution": "21.88",
        "net": "2230.91", "employer_contributions": "810.00", "employer_cost": "3810.00"}


def test_manual_worker_at_2400_has_both_parts_of_the_work_bonus():
    """Basis 2,592.00; contributions 338.77. Part A 135.04 (S <= 2,880.32); part B 182.11 -
    0.2915 x (2,400 - 2,255.50) = 182.11 - 42.122 = 139.99; bonus 275.03; withheld 63.74;
    taxable 2,336.26. Key formula: 28,035.12; - 6,070 = 21,965.12; 4,469.93 + 5,255.12 x 42.80%
    (2,249.19) = 6,719.12; - 2,987.98 = 3,731.14; / 12 = 310.93; fiscal work bonus 135.04 x
    33.14% (44.75) + 139.99 x 52.54% (73.55) = 118.30 -> 192.63. Special contribution on 2,592:
    10.33 + 1.10% x 401.82 = 14.75. Net 2,336.26 - 192.63 - 14.75 = 2,128.88."""
    slip = from_gross(BOOK, Decimal("2400.00"), "blue_collar", MAY_2026)
    assert figures(slip) == {
        "gross": "2400.00", "employee_contributions": "338.77", "work_bonus": "275.03",
        "taxable": "2336.26", "withholding_tax": "192.63", "special_contribution": "14.75",
        "net": "2128.88", "employer_contributions": "648.00", "employer_cost": "3048.00"}
    assert (slip.work_bonus_part_a, slip.work_bonus_part_b, slip.fiscal_work_bonus) == (
        Decimal("135.04"), Decimal("139.99"), Decimal("118.30"))


def test_a_march_2026_pay_takes_the_work_bonus_before_the_1_april_amounts():
    """2,500 gross, white-collar, single, paid 31 March 2026: contributions 326.75. Work bonus of
    1 March 2026: part A 123.00 (S <= 2,833.36); part B 165.87 - 0.2699 x (2,500 - 2,218.73) =
    165.87 - 75.915 = 89.96; bonus 212.96; withheld 113.79; taxable 2,386.21. Key formula:
    28,634.52; - 6,070 = 22,564.52; 4,469.93 + 5,854.52 x 42.80% (2,505.73) = 6,975.66; - 2,987.98
    = 3,987.68; / 12 = 332.31; fiscal work bonus 123.00 x 33.14% (40.76) + 89.96 x 52.54% (47.26) =
    88.02 -> 244.29. Special contribution: 10.33 + 1.10% x 309.82 = 13.74. Net 2,386.21 - 244.29 -
    13.74 = 2,128.18. In May the 1 April amounts give part A 125.04 and part B 168.62 - 0.2699 x
    244.50 = 102.63: bonus 227.67, withholding 243.24, net 2,143.94."""
    march = from_gross(BOOK, Decimal("2500.00"), "employee", MARCH_2026)
    assert figures(march) == {
        "gross": "2500.00", "employee_contributions": "326.75", "work_bonus": "212.96",
        "taxable": "2386.21", "withholding_tax": "244.29", "special_contribution": "13.74",
        "net": "2128.18", "employer_contributions": "625.00", "employer_cost": "3125.00"}
    may = from_gross(BOOK, Decimal("2500.00"), "employee", MAY_2026)
    assert (may.work_bonus_part_a, may.work_bonus_part_b, may.withholding_tax, may.net) == (
        Decimal("125.04"), Decimal("102.63"), Decimal("243.24"), Decimal("2143.94"))


def test_a_budget_of_3800_goes_to_gross_and_back_to_the_cent():
    """Employee, May 2026: employer cost = gross x 1.25, so 3,800.00 / 1.25 = 3,040.00 exactly.
    Contributions 397.33; part A 125.04 - 0.2738 x 159.68 = 81.32; withheld 316.01; taxable
    2,723.99; key formula 32,687.88 - 6,070 = 26,617.88; 4,469.93 + 9,907.88 x 42.80% (4,240.57) =
    8,710.50; - 2,987.98 = 5,722.52; / 12 = 476.88; fiscal work bonus 81.32 x 33.14% = 26.95 ->
    449.93. Special contribution 10.33 + 1.10% x 849.82 = 19.68. Net 2,723.99 - 449.93 - 19.68 =
    2,254.38. Back: 3,040.00 + 760.00 = 3,800.00."""
    slip = from_budget(BOOK, Decimal("3800.00"), "employee", MAY_2026)
    assert figures(slip) == {
        "gross": "3040.00", "employee_contributions": "397.33", "work_bonus": "81.32",
        "taxable": "2723.99", "withholding_tax": "449.93", "special_contribution": "19.68",
        "net": "2254.38", "employer_contributions": "760.00", "employer_cost": "3800.00"}
    assert (slip.employment_budget, slip.budget_remainder) == (Decimal("3800.00"), Decimal("0.00"))
    assert from_gross(BOOK, slip.gross, "employee", MAY_2026).employer_cost == Decimal("3800.00")


def test_part_time_work_bonus_is_computed_on_the_full_time_wage_and_prorated():
    """1,500 gross for half a full-time month: S = 1,500 / 0.5 = 3,000; part A 92.27 (as at
    3,000 full time) x 0.5 = 46.135 -> 46.14; contributions 196.05 - 46.14 = 149.91 withheld."""
    slip = from_gross(BOOK, Decimal("1500.00"), "employee", MAY_2026, working_time=Decimal("0.5"))
    assert (slip.work_bonus, slip.employee_contributions_withheld) == (Decimal("46.14"), Decimal("149.91"))
    full = from_gross(BOOK, Decimal("1500.00"), "employee", MAY_2026)
    # full time at 1,500 the bonus covers all the contributions (196.05)
    assert full.work_bonus == Decimal("196.05")
    with pytest.raises(ValidationError):
        from_gross(BOOK, Decimal("1500.00"), "employee", MAY_2026, working_time=Decimal("0"))


def test_work_bonus_parts_follow_the_onss_thresholds():
    """1 April 2026, white-collar: at 2,255.50 both maxima (293.66); at 2,880.32 part A 125.04
    and no part B; at 3,336.98 nothing. Never more than the contributions."""
    scale = WorkBonusScale.of(BOOK, "employee", MAY_2026)
    plenty = Decimal("1000.00")
    assert work_bonus(scale, Decimal("2255.50"), plenty).total == Decimal("293.66")
    at_a = work_bonus(scale, Decimal("2880.32"), plenty)
    assert (at_a.part_a, at_a.part_b) == (Decimal("125.04"), Decimal("0.00"))
    assert work_bonus(scale, Decimal("3336.98"), plenty).total == Decimal("0.00")
    capped = work_bonus(scale, Decimal("1000.00"), Decimal("100.00"))
    assert (capped.part_a, capped.part_b) == (Decimal("100.00"), Decimal("0.00"))


@pytest.mark.parametrize("household, gross, monthly", [
    # two incomes: 15.45 a quarter (5.15 a month) from a quarter of 3,285.29; 5.90% above 1,945.38
    # a month with that minimum; 43.32 / 3 + 1.10% above 2,190.18, at most 154.92 / 3 = 51.64
    ("two_incomes", "1000.00", "0.00"), ("two_incomes", "1500.00", "5.15"),
    ("two_incomes", "2000.00", "5.15"), ("two_incomes", "2100.00", "9.12"),
    ("two_incomes", "3000.00", "23.35"), ("two_incomes", "9000.00", "51.64"),
    # single: nothing below a quarter of 5,836.14; at most 182.82 / 3 = 60.94
    ("single", "1500.00", "0.00"), ("single", "3800.00", "29.48"), ("single", "9000.00", "60.94"),
    ("one_income", "2100.00", "9.12"), ("one_income", "9000.00", "60.94"),
])
def test_special_contribution_follows_the_onss_bands(household, gross, monthly):
    """Two incomes at 2,000 (quarter 6,000): 5.90% x 54.62 = 3.22, raised to the minimum 5.15;
    at 2,100 (one or two incomes): 5.90% x (2,100 - 1,945.38) = 9.12; at 3,000: 43.32 / 3 + 1.10% x
    809.82 = 23.35. Single at 3,800 (quarter 11,400 in (11,211, 12,300]): 82.05 / 3 + 3.38% x
    (3,800 - 3,737) = 27.35 + 2.13 = 29.48."""
    scale = SpecialContributionScale.of(BOOK, household, MAY_2026)
    assert scale.monthly(Decimal(gross)) == Decimal(monthly)
