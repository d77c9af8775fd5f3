"""Invoice totals as EN 16931 computes them.

Each line's net is quantity x unit price rounded half-up to the cent; the base of a VAT
category and rate is the exact sum of its line nets; the VAT of that category and rate is
base x rate rounded half-up (BR-CO-10, BR-CO-17), never a sum of per-line VAT.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from shared.money import round_cents

HUNDRED = Decimal(100)
# EN 16931 VAT category codes (UNCL5305) and whether they carry a rate
CATEGORIES = {"S": "standard", "Z": "zero", "E": "exempt", "AE": "reverse charge",
              "K": "intra-EU supply", "G": "export outside the EU", "O": "outside scope"}
ZERO_RATED = {"Z", "E", "AE", "K", "G", "O"}
NEEDS_REASON = {"E", "AE", "K", "G", "O"}


@dataclass(frozen=True)
class VatSubtotal:
    category: str
    rate: Decimal
    base: Decimal
    vat: Decimal
    exemption_reason: str | None = None


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    breakdown: tuple[VatSubtotal, ...]


def line_net(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return round_cents(quantity * unit_price)


def vat_of(base: Decimal, rate: Decimal) -> Decimal:
    return round_cents(base * rate / HUNDRED)


def compute(lines: Iterable) -> Totals:
    """Totals of lines that have ``net``, ``vat_category``, ``vat_rate``, ``exemption_reason``."""
    bases: dict[tuple[str, Decimal], Decimal] = {}
    reasons: dict[tuple[str, Decimal], str | None] = {}
    for line in lines:
        key = (line.vat_category, Decimal(line.vat_rate).quantize(Decimal("0.01")))
        bases[key] = bases.get(key, Decimal("0.00")) + line.net
        reasons.setdefault(key, line.exemption_reason)
    breakdown = tuple(
        VatSubtotal(category, rate, base, vat_of(base, rate), reasons[(category, rate)])
        for (category, rate), base in sorted(bases.items(), key=lambda kv: (-kv[0][1], kv[0][0]))
    )
    net = sum((s.base for s in breakdown), Decimal("0.00"))
    vat = sum((s.vat for s in breakdown), Decimal("0.00"))
    return Totals(net=net, vat=vat, gross=net + vat, breakdown=breakdown)


def fee_of(net: Decimal, rate: Decimal) -> Decimal:
    """The cooperative's fee on an amount invoiced excluding VAT."""
    return round_cents(net * rate)


def proportional(total: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """``total`` x part / whole, rounded half-up; the caller gives the remainder on the last part."""
    if whole == 0:
        return Decimal("0.00")
    return round_cents(total * part / whole)
