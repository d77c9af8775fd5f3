"""Payslips checked by hand against the shipped parameters (no broker, no database)."""
import datetime as dt
from decimal import Decimal

import pytest

from services.declarations.models import shipped_parameters
from shared.parameters import ParameterBook
from services.declarations.domain.payslip import employer_cost, from_budget, from_gross, Rates
from shared.errors import NotFound, ValidationError

NOV_2026 = dt.date(2026, 11, 30)


def book(*extra_rows):
    rows = [(r["name"], r["value"], r["effective_from"]) for r in shipped_parameters()]
    return ParameterBook(rows + list(extra_rows))


def figures(slip):
    return {k: str(getattr(slip, k)) for k in ("gross", "employee_contributions", "taxable",
                                               "withholding_tax", "net", "employer_contributions",
                                               "employer_cost")}


def test_employee_at_3000_gross_pays_13_07_percent_and_an_estimated_withholding():
    # by hand: 3000 x 13.07% = 392.10; taxable 2607.90; a year 31,294.80; expenses 30% capped
    # at 5,930 -> 25,364.80; tax 16,320 x 25% + 9,044.80 x 40% = 7,697.92; minus the allowance's
    # 10,910 x 25% = 2,727.50 -> 4,970.42 a year, 414.20 a month; employer 25% = 750.00
    slip = from_gross(book(), Decimal("3000.00"), "employee", NOV_2026)
    assert figures(slip) == {
        "gross": "3000.00", "employee_contributions": "392.10", "taxable": "2607.90",
        "withholding_tax": "414.20", "net": "2193.70", "employer_contributions": "750.00",
        "employer_cost": "3750.00"}
    assert slip.withholding_tax_is_estimate is True


def test_artist_contributions_are_computed_on_108_percent_of_gross():
    # basis 3,240.00: employee 423.468 -> 423.47; taxable 2,576.53; a year 30,918.36 - 5,930
    # = 24,988.36; tax 4,080 + 8,668.36 x 40% - 2,727.50 = 4,819.844 -> 401.65 a month
    slip = from_gross(book(), Decimal("3000.00"), "artist", NOV_2026)
    assert slip.contribution_basis == Decimal("3240.00")
    assert figures(slip) == {
        "gross": "3000.00", "employee_contributions": "423.47", "taxable": "2576.53",
        "withholding_tax": "401.65", "net": "2174.88", "employer_contributions": "810.00",
        "employer_cost": "3810.00"}
    assert figures(from_gross(book(), Decimal("3000.00"), "blue_collar", NOV_2026)) == figures(slip)


def test_student_pays_the_solidarity_contribution_and_no_withholding_tax():
    slip = from_gross(book(), Decimal("3000.00"), "student", NOV_2026)
    assert (slip.employee_contributions, slip.withholding_tax, slip.employer_contributions) == (
        Decimal("81.30"), Decimal("0.00"), Decimal("162.60"))
    assert slip.net == Decimal("2918.70")


def test_low_pay_has_no_negative_withholding_tax():
    slip = from_gross(book(), Decimal("800.00"), "employee", NOV_2026)
    assert slip.withholding_tax == Decimal("0.00")
    assert slip.net == Decimal("800.00") - Decimal("104.56")


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
    rates = Rates.of(book(), category, NOV_2026)
    for cents in range(100_00, 100_00 + 997 * 731, 731):
        budget = Decimal(cents) / 100 + Decimal("1234.56")
        slip = from_budget(book(), budget, category, NOV_2026)
        assert slip.employer_cost <= budget < employer_cost(rates, slip.gross + Decimal("0.01"))
        assert slip.employer_cost + slip.budget_remainder == budget
        assert slip.budget_remainder < Decimal("0.02")


def test_a_salary_on_each_side_of_a_rate_change_uses_the_rate_of_its_pay_date():
    changed = book(("social.employer_rate", "27.00", dt.date(2027, 1, 1)))
    before = from_gross(changed, Decimal("3000.00"), "employee", dt.date(2026, 12, 31))
    after = from_gross(changed, Decimal("3000.00"), "employee", dt.date(2027, 1, 1))
    assert (before.employer_contributions, after.employer_contributions) == (
        Decimal("750.00"), Decimal("810.00"))


def test_december_2025_uses_the_2025_scale():
    raised = book(("pit.tax_free_allowance", "11000.00", dt.date(2026, 1, 1)))
    december = from_gross(raised, Decimal("3000.00"), "employee", dt.date(2025, 12, 31))
    january = from_gross(raised, Decimal("3000.00"), "employee", dt.date(2026, 1, 1))
    # 90 more allowance at 25% is 22.50 less tax a year, 1.875 a month
    assert (december.withholding_tax, january.withholding_tax) == (Decimal("414.20"), Decimal("412.33"))


def test_a_date_before_any_value_is_refused():
    with pytest.raises(NotFound):
        from_gross(book(), Decimal("3000.00"), "employee", dt.date(2016, 12, 31))


def test_unknown_category_is_refused():
    with pytest.raises(ValidationError):
        from_gross(book(), Decimal("3000.00"), "intern", NOV_2026)
