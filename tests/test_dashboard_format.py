"""Issue 17: the one format of every change and difference the dashboard shows (``dashboard.charts.signed``,
``pct``, ``change``): a nonzero difference never reads "0" (a cell "0 m3 · ▼ worse" contradicted itself), small
differences keep three significant digits, and the verdict of a pair that is 0 on both sides in every draw reads
"no difference", not "worse". Expected values are written by hand here."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.charts import change, pct, signed
from dashboard.verdict_view import NO_DIFFERENCE, footnotes, verdict_text


def value(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").split()[0])


@pytest.mark.parametrize(
    ("x", "shown"),
    [
        (-2.141053, "-2.14"),
        (0.034643, "+0.0346"),
        (-0.0079, "-0.00790"),
        (-32.794291, "-32.8"),
        (-659.39572, "-659"),
        (-1127.11748, "-1,127"),
        (3.4e-5, "+3.4e-05"),
        (-1.234e-7, "-1.23e-07"),
        (0.0, "0"),
        (math.nan, "n/a"),
    ],
)
def test_signed_keeps_three_significant_digits(x, shown):
    assert signed(x) == shown


def test_no_nonzero_difference_or_change_is_shown_as_zero():
    """Over 1e-12 … 1e6 of both signs: the shown number is nonzero, has the right sign and is within rounding of
    the value (3 significant digits for differences; for changes 0.05 percentage points or 2 significant digits)."""
    rng = np.random.default_rng(17)
    xs = np.concatenate([10.0 ** rng.uniform(-12, 6, 2000), [1e-3, 0.5e-3, 4.9e-4, 1.0, 999.5]])
    for x in np.concatenate([xs, -xs]):
        shown = value(signed(x))
        assert shown != 0 and math.copysign(1, shown) == math.copysign(1, x), (x, signed(x))
        assert shown == pytest.approx(x, rel=5.01e-3), (x, signed(x))
        p = value(pct(x))
        assert p != 0 and math.copysign(1, p) == math.copysign(1, x), (x, pct(x))
        assert p == pytest.approx(100 * x, abs=0.0501) or p == pytest.approx(100 * x, rel=0.051), (x, pct(x))


def test_change_is_relative_then_difference_with_its_unit():
    assert change(-0.647929, -2.141053, "kg CO2e") == "-64.8% · -2.14 kg CO2e"
    assert change(3.46426, 0.034643) == "+346.4% · +0.0346"
    assert change(math.nan, 0.3, "kg") == "+0.300 kg"  # baseline 0: no relative change, the difference alone
    assert change(0.0, 0.0, "m3") == "+0.0% · 0 m3"


def test_zero_on_both_sides_in_every_draw_is_no_difference_not_worse():
    both_zero = pd.Series({"point_difference": 0.0, "p2_5": 0.0, "p97_5": 0.0, "verdict": "no difference"})
    assert verdict_text(both_zero) == NO_DIFFERENCE
    tiny = pd.Series({"point_difference": 1e-9, "p2_5": 1e-9, "p97_5": 2e-9, "verdict": "worse"})
    assert verdict_text(tiny) == "▼ worse"


def test_notes_are_numbered_once_in_order_of_first_use():
    markers, notes = footnotes(["a", "", "b", "a", ""])
    assert markers == [" [1]", "", " [2]", " [1]", ""] and notes == ["a", "b"]
