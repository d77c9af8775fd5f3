"""Money as Decimal built from strings, rounded half-up to the cent where the rules say so."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def parse_amount(value: object, places: int = 2) -> Decimal:
    """Parse a decimal string with at most ``places`` decimals; refuse floats and junk."""
    if isinstance(value, (bool, float)):
        raise ValueError("must be a decimal string such as \"12.50\", not a float")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, (int, str)):
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError("not a decimal number") from None
    else:
        raise ValueError("must be a decimal string")
    if not amount.is_finite():
        raise ValueError("not a finite number")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(f"at most {places} decimal places")
    return amount


def round_cents(amount: Decimal) -> Decimal:
    """Half-up to the cent (EN 16931 rounding)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money_str(amount: Decimal) -> str:
    """The wire format: a decimal string with exactly two places."""
    return str(round_cents(Decimal(amount)))
