"""EN 16931 totals, checked by hand (pure functions, no database)."""
from decimal import Decimal as D

import pytest

from services.billing.domain.totals import compute, fee_of, line_net, proportional
from services.billing.schemas import LineIn
from shared.errors import ValidationError
from shared.schemas import load


class Line:
    def __init__(self, quantity, price, rate, category="S", reason=None):
        self.net = line_net(D(quantity), D(price))
        self.vat_category, self.vat_rate, self.exemption_reason = category, D(rate), reason


def test_line_net_is_rounded_half_up_to_the_cent_before_summing():
    # 0.5 x 0.67 = 0.335 -> 0.34 on each line; summing unrounded would give 1.005 -> 1.01
    totals = compute([Line("0.5", "0.67", "21")] * 3)
    assert [s.base for s in totals.breakdown] == [D("1.02")]
    assert totals.vat == D("0.21")  # 1.02 x 21% = 0.2142
    assert totals.gross == D("1.23")


def test_vat_is_base_times_rate_never_a_sum_of_line_vat():
    # 0.5 x 0.69 = 0.345 -> 0.35 (half-up; half-even or a float would give 0.34)
    # per line 0.35 x 21% = 0.0735 -> 0.07, x3 = 0.21; BR-CO-17: 1.05 x 21% = 0.2205 -> 0.22
    totals = compute([Line("0.5", "0.69", "21")] * 3)
    assert totals.breakdown[0].base == D("1.05")
    assert totals.vat == D("0.22")


def test_mixed_rates_give_one_subtotal_per_rate():
    totals = compute([Line("0.5", "0.69", "21")] * 3 + [Line("3", "19.99", "6"), Line("2.5", "12.35", "12")])
    assert [(s.rate, s.base, s.vat) for s in totals.breakdown] == [
        (D("21.00"), D("1.05"), D("0.22")),    # 0.2205
        (D("12.00"), D("30.88"), D("3.71")),   # 30.875 -> 30.88; 3.7056
        (D("6.00"), D("59.97"), D("3.60")),    # 3.5982
    ]
    assert (totals.net, totals.vat, totals.gross) == (D("91.90"), D("7.53"), D("99.43"))


def test_exempt_and_zero_rated_lines_have_their_own_subtotal():
    totals = compute([Line("1", "100.00", "21"), Line("2", "40.00", "0", "E", "Art. 44 VAT Code")])
    assert [(s.category, s.base, s.vat, s.exemption_reason) for s in totals.breakdown] == [
        ("S", D("100.00"), D("21.00"), None), ("E", D("80.00"), D("0.00"), "Art. 44 VAT Code")]


def test_fee_is_six_and_a_half_percent_rounded_half_up():
    assert fee_of(D("91.90"), D("0.065")) == D("5.97")  # 5.9735
    assert fee_of(D("10.00"), D("0.065")) == D("0.65")
    assert fee_of(D("0.70"), D("0.065")) == D("0.05")   # 0.0455


def test_proportional_share_is_rounded_half_up():
    assert proportional(D("5.97"), D("30.88"), D("91.90")) == D("2.01")  # 2.00602...


def test_three_decimal_prices_are_refused_by_the_line_schema():
    with pytest.raises(ValidationError) as error:
        load(LineIn(), {"description": "x", "quantity": "1", "unit_price": "0.335",
                        "vat_category": "S", "vat_rate": "21"})
    assert "unit_price" in error.value.fields


def test_quantities_take_four_decimals_and_no_floats():
    line = load(LineIn(), {"description": "x", "quantity": "1.2345", "unit_price": "10.00",
                           "vat_category": "S", "vat_rate": "21"})
    assert line["quantity"] == D("1.2345")
    with pytest.raises(ValidationError):
        load(LineIn(), {"description": "x", "quantity": 1.5, "unit_price": "10.00",
                        "vat_category": "S", "vat_rate": "21"})
