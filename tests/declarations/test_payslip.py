"""Payslips checked by hand against the shipped parameters (no broker, no database)."""
import datetime as dt
from decimal import Decimal

import pytest

from services.declarations.domain.payslip import Rates, employer_cost, from_budget, from_gross
from services.declarations.models import shipped_parameters
from shared.errors import NotFound, ValidationError
from shared.parameters import ParameterBook

NOV_2026 = dt.date(2026, 11, 30)


SHIPPED = [(r["name"], r["value"], r["effective_from"]) for r in shipped_parameters()]


def book(*extra_rows):
    return ParameterBook(SHIPPED + list(extra_rows))


def figures(slip):
    return {k: str(getattr(slip, k)) for k in ("gross", "employee_contributions", "taxable",
                                               "withholding_tax", "net", "employer_contributions",
                                               "employer_cost")}


def test_employee_at_3000_gross_in_november_2026_by_the_key_formula():
    # by hand (1 September 2026 work bonus): 3000 x 13.07% = 392.10; part A 127.54 - 0.2739 x
    # (3000 - 2937.93) = 110.54; withheld 281.56; taxable 2718.44; a year 32,621.28 - 6,070 =
    # 26,551.28; scale 4,469.93 + 9,841.28 x 42.80% (4,212.07) = 8,682.00; - 2,987.98 = 5,694.02;
    # / 12 = 474.50; fiscal work bonus 110.54 x 33.14% = 36.63 -> 437.87; special contribution
    # 10.33 + 1.10% x (3000 - 2190.18) = 19.24; employer 25% = 750.00
    slip = from_gross(book(), Decimal("3000.00"), "employee", NOV_2026)
    assert figures(slip) == {
        "gross": "3000.00", "employee_contributions": "392.10", "taxable": "2718.44",
        "withholding_tax": "437.87", "net": "2261.33", "employer_contributions": "750.00",
        "employer_cost": "3750.00"}
    assert (slip.work_bonus, slip.fiscal_work_bonus, slip.special_contribution) == (
        Decimal("110.54"), Decimal("36.63"), Decimal("19.24"))
    assert slip.withholding_tax_is_estimate is False


def test_artist_contributions_are_computed_on_108_percent_of_gross():
    # basis 3,240.00: employee 423.468 -> 423.47; manual part A 137.74 - 0.2958 x 62.07 = 119.38;
    # taxable 3000 - 304.09 = 2,695.91; a year 32,350.92 - 6,070 = 26,280.92; scale 4,469.93 +
    # 9,570.92 x 42.80% (4,096.35) = 8,566.28 - 2,987.98 = 5,578.30 / 12 = 464.86 - 119.38 x 33.14%
    # (39.56) = 425.30; special contribution on 3,240: 10.33 + 1.10% x 1,049.82 = 21.88
    slip = from_gross(book(), Decimal("3000.00"), "artist", NOV_2026)
    assert slip.contribution_basis == Decimal("3240.00")
    assert figures(slip) == {
        "gross": "3000.00", "employee_contributions": "423.47", "taxable": "2695.91",
        "withholding_tax": "425.30", "net": "2248.73", "employer_contributions": "810.00",
        "employer_cost": "3810.00"}
    assert figures(from_gross(book(), Decimal("3000.00"), "blue_collar", NOV_2026)) == figures(slip)


def test_student_pays_the_solidarity_contribution_and_no_withholding_tax():
    slip = from_gross(book(), Decimal("3000.00"), "student", NOV_2026)
    assert (slip.employee_contributions, slip.withholding_tax, slip.employer_contributions) == (
        Decimal("81.30"), Decimal("0.00"), Decimal("162.60"))
    assert (slip.work_bonus, slip.special_contribution) == (Decimal("0.00"), Decimal("0.00"))
    assert slip.net == Decimal("2918.70")


def test_low_pay_has_its_contributions_cancelled_and_no_negative_withholding_tax():
    # 800 x 13.07% = 104.56, all of it given back by the work bonus (part A alone covers it)
    slip = from_gross(book(), Decimal("800.00"), "employee", NOV_2026)
    assert (slip.employee_contributions, slip.work_bonus, slip.work_bonus_part_b) == (
        Decimal("104.56"), Decimal("104.56"), Decimal("0.00"))
    assert (slip.withholding_tax, slip.special_contribution, slip.net) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("800.00"))


def test_budget_gives_back_the_gross_whose_employer_cost_is_the_budget():
    slip = from_budget(book(), Decimal("3750.00"), "employee", NOV_2026)
    assert (slip.gross, slip.employer_cost, slip.budget_remainder) == (
        Decimal("3000.00"), Decimal("3750.00"), Decimal("0.00"))
    artist = from_budget(book(), Decimal("3810.00"), "artist", NOV_2026)
    assert (artist.gross, artist.employer_cost) == (Decimal("3000.00"), Decimal("3810.00"))


def test_budget_that_no_gross_reaches_keeps_the_cent_left_over():
    # 800.01 costs 1,000.01 and 800.02 costs 1,000.03 (200.005 rounds up): 1,000.02 is unreachable
    slip = from_budget(book(), Decimal("1000.02"), "employee", NOV_2026)
    assert (slip.gross, slip.employer_cost, slip.budget_remainder) == (
        Decimal("800.01"), Decimal("1000.01"), Decimal("0.01"))


@pytest.mark.parametrize("category", ["employee", "artist", "blue_collar", "student"])
def test_inverse_is_the_largest_gross_within_the_budget(category):
    shipped = book()
    rates = Rates.of(shipped, category, NOV_2026)
    for cents in range(100_00, 100_00 + 997 * 731, 731):
        budget = Decimal(cents) / 100 + Decimal("1234.56")
        slip = from_budget(shipped, budget, category, NOV_2026)
        assert slip.employer_cost <= budget < employer_cost(rates, slip.gross + Decimal("0.01"))
        assert slip.employer_cost + slip.budget_remainder == budget
        assert slip.budget_remainder < Decimal("0.02")


def test_a_salary_on_each_side_of_a_rate_change_uses_the_rate_of_its_pay_date():
    changed = book(("social.employer_rate", "27.00", dt.date(2027, 1, 1)))
    before = from_gross(changed, Decimal("3000.00"), "employee", dt.date(2026, 12, 31))
    after = from_gross(changed, Decimal("3000.00"), "employee", dt.date(2027, 1, 1))
    assert (before.employer_contributions, after.employer_contributions) == (
        Decimal("750.00"), Decimal("810.00"))


def test_a_key_formula_change_applies_from_its_date():
    raised = book(("withholding.key_formula.basic_allowance_reduction", "3000.00", dt.date(2027, 1, 1)))
    december = from_gross(raised, Decimal("3000.00"), "employee", dt.date(2026, 12, 31))
    january = from_gross(raised, Decimal("3000.00"), "employee", dt.date(2027, 1, 1))
    # 12.02 more reduction a year is 1.00 less a month (5,694.02 / 12 = 474.50; 5,682.00 / 12 = 473.50)
    assert (december.withholding_tax, january.withholding_tax) == (Decimal("437.87"), Decimal("436.87"))


def test_a_pay_before_the_2026_key_formula_is_refused():
    with pytest.raises(NotFound):
        from_gross(book(), Decimal("3000.00"), "employee", dt.date(2025, 12, 31))


def test_a_date_before_any_value_is_refused():
    with pytest.raises(NotFound):
        from_gross(book(), Decimal("3000.00"), "employee", dt.date(2016, 12, 31))


def test_unknown_category_is_refused():
    with pytest.raises(ValidationError):
        from_gross(book(), Decimal("3000.00"), "intern", NOV_2026)
