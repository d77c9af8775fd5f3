from decimal import Decimal

import marshmallow as ma
import pytest

from shared.errors import ValidationError
from shared.money import money_str, parse_amount, round_cents
from shared.schemas import Id, IsoDate, Money, StrictSchema, load


class Payment(StrictSchema):
    amount = Money(required=True, minimum=Decimal("0.01"))
    member_id = Id(required=True)
    value_date = IsoDate(required=True)


GOOD = {"amount": "30.00", "member_id": "6f1f8c52-7e0b-4b8e-9d7e-0a4b0c3f1e11", "value_date": "2026-11-02"}


def test_amounts_round_half_up_to_the_cent():
    assert round_cents(Decimal("0.125")) == Decimal("0.13")
    assert round_cents(Decimal("0.135")) == Decimal("0.14")
    assert round_cents(Decimal("-0.125")) == Decimal("-0.13")
    assert money_str(Decimal("1234.5")) == "1234.50"


def test_amounts_are_parsed_from_strings_never_floats():
    assert parse_amount("12.50") == Decimal("12.50")
    assert parse_amount(30) == Decimal("30")
    with pytest.raises(ValueError, match="float"):
        parse_amount(12.5)
    with pytest.raises(ValueError, match="at most 2 decimal places"):
        parse_amount("0.335")
    with pytest.raises(ValueError):
        parse_amount("NaN")


def test_valid_input_loads_to_python_values():
    loaded = load(Payment(), GOOD)
    assert loaded["amount"] == Decimal("30.00") and str(loaded["value_date"]) == "2026-11-02"


@pytest.mark.parametrize("change, field", [
    ({"amount": "30.001"}, "amount"),
    ({"amount": 30.5}, "amount"),
    ({"amount": "0.00"}, "amount"),
    ({"member_id": "42"}, "member_id"),
    ({"member_id": 42}, "member_id"),
    ({"value_date": "2026-11-02T10:00:00"}, "value_date"),
    ({"value_date": "2026-13-02"}, "value_date"),
    ({"surprise": True}, "surprise"),
])
def test_bad_input_is_a_validation_error_naming_the_field(change, field):
    with pytest.raises(ValidationError) as error:
        load(Payment(), {**GOOD, **change})
    assert field in error.value.fields


def test_missing_fields_are_each_reported():
    with pytest.raises(ValidationError) as error:
        load(Payment(), {})
    assert set(error.value.fields) == {"amount", "member_id", "value_date"}


def test_a_payload_that_is_not_an_object_is_refused():
    with pytest.raises(ValidationError):
        load(Payment(), ["amount", "30.00"])


def test_typed_errors_survive_the_rpc_wire_format():
    from nameko.exceptions import deserialize, serialize

    error = ValidationError("invalid input", {"amount": ["at most 2 decimal places"]})
    back = deserialize(serialize(error))
    assert isinstance(back, ValidationError)
    assert back.fields == {"amount": ["at most 2 decimal places"]} and back.message == "invalid input"


def test_money_dumps_two_places():
    class Out(ma.Schema):
        amount = Money()

    assert Out().dump({"amount": Decimal("7")}) == {"amount": "7.00"}


def test_paging_beyond_any_database_integer_is_refused():
    from shared.schemas import Page

    assert load(Page(), {"offset": "10", "limit": "5"}) == {"offset": 10, "limit": 5}
    with pytest.raises(ValidationError) as error:
        load(Page(), {"offset": 61919125767875833668622420983351869440})
    assert "offset" in error.value.fields
