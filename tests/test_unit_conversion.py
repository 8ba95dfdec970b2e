"""``units.convert`` multiplies by a cached factor: it must give pint's own conversion to the last bit, send units
with an offset through pint, and refuse a dimension mismatch."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lca_engine import UnitError
from lca_engine.units import Q_, convert, parse_unit

PAIRS = [("t", "kg"), ("g", "t"), ("kWh", "MJ"), ("MWh", "kWh"), ("L", "m3"), ("t*km", "kg*km"), ("m2", "cm**2")]


def _pint(amount: float, a: str, b: str) -> float:
    return float(Q_(amount, parse_unit(a)).to(parse_unit(b)).magnitude)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PAIRS), st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_convert_is_pints_conversion_bitwise(pair, amount):
    a, b = pair
    assert convert(amount, a, b) == _pint(amount, a, b)


def test_units_with_an_offset_are_converted_by_pint():
    assert convert(20.0, "degC", "K") == pytest.approx(293.15, abs=1e-12)
    assert convert(0.0, "degC", "K") == _pint(0.0, "degC", "K")


def test_by_hand():
    assert convert(2.5, "t", "kg") == 2500.0
    assert convert(1.0, "kWh", "MJ") == pytest.approx(3.6, rel=1e-15)


def test_a_dimension_mismatch_is_an_error():
    with pytest.raises(UnitError, match="cannot convert 'kWh'"):
        convert(1.0, "kWh", "kg")
