"""Exact money: amounts are Decimals at the edges and integer minor units (cents) inside.

A currency's minor unit comes from ISO 4217 (two decimals for most, none for JPY, three for
KWD); an amount with more decimals than its currency has is refused, never rounded.
"""

from __future__ import annotations

from decimal import Decimal

# ISO 4217 codes with their number of decimals (the ones not listed here are refused).
EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        (
            "AED ARS AUD BDT BRL CAD CHF CNY COP CZK DKK EGP EUR GBP GHS HKD HUF IDR ILS INR "
            "KES MAD MXN MYR NGN NOK NZD PEN PHP PKR PLN QAR RON RSD SAR SEK SGD THB TRY TWD "
            "UAH USD ZAR"
        ).split(),
        2,
    ),
    **dict.fromkeys("CLP ISK JPY KRW UGX VND XAF XOF".split(), 0),
    **dict.fromkeys("BHD JOD KWD OMR TND".split(), 3),
}
CURRENCY_PATTERN = r"^[A-Z]{3}$"
MAX_MINOR = 10**13  # a hundred billion dollars: beyond any personal ledger, inside BIGINT


class AmountError(ValueError):
    """An amount its currency cannot hold exactly (the message says why)."""


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise AmountError(f"{currency} is not a supported ISO 4217 currency") from None


def to_minor(amount: Decimal, currency: str) -> int:
    places = exponent(currency)
    if not amount.is_finite():
        raise AmountError("the amount must be a number")
    scaled = amount.scaleb(places)
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{currency} amounts have at most {places} decimals")
    minor = int(scaled)
    if abs(minor) >= MAX_MINOR:
        raise AmountError("the amount is too large")
    return minor


def to_text(minor: int, currency: str) -> str:
    """Minor units as the exact decimal text clients show ("1234.50", "-3.00", "1200")."""
    places = exponent(currency)
    return str(Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places)))
