"""Money arithmetic as properties: exact for every amount a currency can hold, and a refusal
(never a rounding) for those it cannot."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appfleet.apps.pennywise.money import EXPONENTS, MAX_MINOR, AmountError, to_minor, to_text

CURRENCIES = st.sampled_from(sorted(EXPONENTS))
MINOR = st.integers(min_value=-(MAX_MINOR - 1), max_value=MAX_MINOR - 1)


@given(currency=CURRENCIES, minor=MINOR)
def test_text_and_minor_units_round_trip_exactly(currency: str, minor: int) -> None:
    text = to_text(minor, currency)
    places = EXPONENTS[currency]
    # Always the currency's own number of decimals ("1.50", "1200", "0.125").
    assert len(text.partition(".")[2]) == places
    assert to_minor(Decimal(text), currency) == minor


@given(currency=CURRENCIES, minors=st.lists(st.integers(-(10**9), 10**9), max_size=50))
def test_a_sum_of_amounts_is_the_sum_of_their_minor_units(currency: str, minors: list[int]) -> None:
    amounts = [Decimal(to_text(m, currency)) for m in minors]
    assert to_minor(sum(amounts, Decimal(0)), currency) == sum(minors)


@given(currency=CURRENCIES, minor=MINOR, extra=st.integers(1, 9))
def test_more_decimals_than_the_currency_has_are_refused(
    currency: str, minor: int, extra: int
) -> None:
    places = EXPONENTS[currency]
    # One more significant digit past the currency's last decimal.
    amount = Decimal(minor).scaleb(-places) + Decimal(extra).scaleb(-places - 1)
    with pytest.raises(AmountError, match="decimals"):
        to_minor(amount, currency)


@given(currency=CURRENCIES, minor=st.integers(MAX_MINOR, 10**18), negative=st.booleans())
def test_amounts_beyond_the_ledger_limit_are_refused(
    currency: str, minor: int, negative: bool
) -> None:
    amount = Decimal(-minor if negative else minor).scaleb(-EXPONENTS[currency])
    with pytest.raises(AmountError, match="too large"):
        to_minor(amount, currency)
