"""Product lifetimes in inventories (issue 21): `[flows.lifetime]` is read, validated (each bad input one clear error
with field, line and fix — never a traceback), written back, and feeds the MCI utility X and ISO 59020's product
lifetime vs average, labelled with where X comes from."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import pytest
from typer.testing import CliRunner

from lca_engine import InventoryError, dumps, load_checked, loads
from lca_engine.circularity import CircularityError, circularity_report, mci
from lca_engine.cli import app
from lca_engine.model import LIFETIME_DISTRIBUTIONS, Lifetime

from .conftest import DATA

GOOD = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")  # flows[8] = 'garment', the product, 0.49 kg
PRODUCT = "flows[8].lifetime"
runner = CliRunner()


def _with_lifetime(body: str, provenance: str = 'source = "desnz-2025"') -> str:
    return GOOD + f"\n[flows.lifetime]\n{body}\n{provenance}\n"


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "tiny_baseline.toml").write_text((DATA / "tiny_baseline.toml").read_text())
    path = tmp_path / "micro.toml"
    path.write_text(text)
    return path


def _line_of(text: str, needle: str, nth: int = 0) -> int:
    return [i + 1 for i, line in enumerate(text.splitlines()) if needle in line][nth]


def _problems(tmp_path: Path, text: str, catalog) -> list:
    f = _write(tmp_path, text)
    with pytest.raises(InventoryError) as e:
        load_checked(f, catalog=catalog)
    for p in e.value.problems:
        assert p.file == str(f) and p.fix and p.line, p.format()
    return e.value.problems


def _one(tmp_path: Path, text: str, catalog, field: str):
    problems = _problems(tmp_path, text, catalog)
    assert len(problems) == 1, [p.format() for p in problems]
    p = problems[0]
    assert p.field == field
    # the line of the product's [[flows]] block or after it, never before (the flow the lifetime belongs to)
    assert p.line >= _line_of(text, "[[flows]]", 8)
    return p


@pytest.mark.parametrize(
    "body",
    [
        'distribution = "fixed"\nmean = 5',
        'distribution = "normal"\nmean = 5\nstd = 1.5\naverage = 4',
        'distribution = "lognormal"\nmean = 5\nstd = 2',
        'distribution = "weibull"\nmean = 5\nshape = 2',
        'distribution = "normal"\nmean = 60\nstd = 12\nunit = "month"',
    ],
)
def test_valid_lifetimes_pass(tmp_path, catalog, body):
    checked = load_checked(_write(tmp_path, _with_lifetime(body)), catalog=catalog)
    assert checked.factory.flow("garment").lifetime.distribution in LIFETIME_DISTRIBUTIONS


@pytest.mark.parametrize("mean", ["-3", "0", "nan", "inf"])
def test_mean_must_be_positive(tmp_path, catalog, mean):
    text = _with_lifetime(f'distribution = "fixed"\nmean = {mean}')
    p = _one(tmp_path, text, catalog, f"{PRODUCT}.mean")
    assert "mean lifetime must be a positive finite number" in p.message
    assert "greater than 0" in p.fix
    assert p.line == _line_of(text, f"mean = {mean}")  # the key's own line inside [flows.lifetime]


def test_a_key_missing_from_the_lifetime_points_at_its_table(tmp_path, catalog):
    text = _with_lifetime('distribution = "normal"\nmean = 5')
    assert _one(tmp_path, text, catalog, f"{PRODUCT}.std").line == _line_of(text, "[flows.lifetime]")


def test_unknown_distribution_lists_the_vocabulary(tmp_path, catalog):
    p = _one(tmp_path, _with_lifetime('distribution = "gamma"\nmean = 5'), catalog, f"{PRODUCT}.distribution")
    assert "'gamma'" in p.message
    assert all(f"'{d}'" in p.fix for d in LIFETIME_DISTRIBUTIONS)


def test_normal_without_std(tmp_path, catalog):
    p = _one(tmp_path, _with_lifetime('distribution = "normal"\nmean = 5'), catalog, f"{PRODUCT}.std")
    assert "a normal lifetime needs 'std'" in p.message and "add std" in p.fix


def test_fixed_with_std_is_refused_not_ignored(tmp_path, catalog):
    p = _one(tmp_path, _with_lifetime('distribution = "fixed"\nmean = 5\nstd = 1'), catalog, f"{PRODUCT}.std")
    assert "takes no 'std'" in p.message and "normal or lognormal" in p.fix


def test_weibull_without_shape(tmp_path, catalog):
    p = _one(tmp_path, _with_lifetime('distribution = "weibull"\nmean = 5'), catalog, f"{PRODUCT}.shape")
    assert "needs 'shape'" in p.message


def test_unit_must_be_a_time(tmp_path, catalog):
    text = _with_lifetime('distribution = "fixed"\nmean = 5\nunit = "kg"')
    p = _one(tmp_path, text, catalog, f"{PRODUCT}.unit")
    assert "not a time" in p.message and 'unit = "year"' in p.fix


def test_lifetime_without_provenance(tmp_path, catalog):
    p = _one(tmp_path, _with_lifetime('distribution = "fixed"\nmean = 5', ""), catalog, f"{PRODUCT}.source")
    assert "no provenance" in p.message


def test_assumption_range_holds_the_mean(tmp_path, catalog):
    provenance = 'assumption = { reasoning = "typical life of a knitted garment", low = 6, high = 9 }'
    p = _one(tmp_path, _with_lifetime('distribution = "fixed"\nmean = 5', provenance), catalog, f"{PRODUCT}.assumption")
    assert "outside its assumption range" in p.message


def test_lifetime_on_a_flow_that_is_not_a_product_sold(tmp_path, catalog):
    text = GOOD.replace(
        'background = "desnz.waste.clothing.landfill"\n',
        'background = "desnz.waste.clothing.landfill"\n'
        'lifetime = { distribution = "fixed", mean = 5, source = "desnz-2025" }\n',
        1,
    )
    problems = _problems(tmp_path, text, catalog)
    assert [p.field for p in problems] == ["flows[3].lifetime"]
    assert "only a product sold to the market" in problems[0].message
    assert problems[0].line == _line_of(text, "lifetime = {")


def test_every_problem_of_a_lifetime_is_listed_at_once(tmp_path, catalog):
    fields = {p.field for p in _problems(tmp_path, _with_lifetime('distribution = "normal"\nmean = 5', ""), catalog)}
    assert fields == {f"{PRODUCT}.std", f"{PRODUCT}.source"}


def test_cli_validate_refuses_a_bad_lifetime_without_traceback(tmp_path):
    bad = _write(tmp_path, _with_lifetime('distribution = "fixed"\nmean = -2'))
    res = runner.invoke(app, ["validate", str(bad)])
    assert res.exit_code == 1, res.output
    assert f"{PRODUCT}.mean" in res.output and "fix:" in res.output and "Traceback" not in res.output


def test_vocabulary_is_defined_once():
    assert LIFETIME_DISTRIBUTIONS == get_args(Lifetime.model_fields["distribution"].annotation)


def test_round_trip_keeps_the_lifetime(tmp_path):
    provenance = 'assumption = { reasoning = "typical life of a knitted garment", low = 2, high = 8 }'
    text = _with_lifetime('distribution = "normal"\nmean = 5\nstd = 1.5\naverage = 4\nunit = "year"', provenance)
    factory = loads(text)
    written = dumps(factory)
    assert "[flows.lifetime]" in written and "[flows.lifetime.assumption]" in written
    again = loads(written)
    assert again == factory
    assert again.flow("garment").lifetime == factory.flow("garment").lifetime
    assert dumps(again) == written


# --- the MCI utility X and ISO 59020 lifetime vs average ------------------------------------------------------------

END_OF_USE = """
[end_of_use]
collected_for_reuse = 0.2
collected_for_recycling = 0.3
recycling_efficiency_collection = 0.5
lifetime_ratio = 0.8
intensity_ratio = 1.0
assumption = "test values"
"""


def _hand_mci(x: float) -> float:
    """The shared README's formula for the tiny garment: M = 0.49 kg, all virgin (F = 0), C_U 0.2, C_R 0.3, E_C 0.5."""
    m = 0.49
    v = m  # M (1 − F_R − F_U − F_S)
    w0 = m * (1 - 0.3 - 0.2)  # M (1 − C_R − C_U − C_C − C_E)
    wc = m * (1 - 0.5) * 0.3  # M (1 − E_C) C_R
    w = w0 + (0 + wc) / 2
    lfi = (v + w) / (2 * m + (0 - wc) / 2)
    return max(0.0, 1 - lfi * 0.9 / x)


def test_utility_from_lifetime_data():
    factory = loads(_with_lifetime('distribution = "normal"\nmean = 12\nstd = 3\naverage = 8') + END_OF_USE)
    r = circularity_report(factory)
    assert r["mci"]["inputs"]["X = (L/L_av)(U/U_av)"] == pytest.approx(1.5)  # 12 / 8 × 1
    assert r["mci"]["inputs"]["X basis"] == "lifetime data"
    assert r["mci"]["value"] == pytest.approx(_hand_mci(1.5), rel=1e-12)
    assert _hand_mci(1.5) == pytest.approx(1 - (1.575 / 1.925) * 0.6)  # LFI = 1.575 M / 1.925 M
    assert any("lifetime data" in n for n in r["mci"]["notes"])
    iso = r["iso59020"]["product_lifetime_relative_to_industry_average"]
    assert iso["value"] == pytest.approx(1.5)
    assert iso["inputs"] == {"L (garment, years)": 12, "L_av (garment, years)": 8, "basis": "lifetime data"}


def test_lifetime_in_months_gives_the_same_ratio():
    factory = loads(_with_lifetime('distribution = "fixed"\nmean = 144\naverage = 96\nunit = "month"') + END_OF_USE)
    iso = circularity_report(factory)["iso59020"]["product_lifetime_relative_to_industry_average"]
    assert iso["value"] == pytest.approx(1.5)
    assert iso["inputs"]["L (garment, years)"] == pytest.approx(12)


def test_typed_ratio_is_the_labelled_fallback():
    # a lifetime without an industry average: L/L_av comes from [end_of_use] lifetime_ratio = 0.8
    factory = loads(_with_lifetime('distribution = "fixed"\nmean = 12') + END_OF_USE)
    r = circularity_report(factory)
    assert r["mci"]["inputs"]["X basis"] == "typed ratio"
    assert r["mci"]["value"] == pytest.approx(_hand_mci(0.8), rel=1e-12)
    iso = r["iso59020"]["product_lifetime_relative_to_industry_average"]
    assert (iso["value"], iso["inputs"]["basis"]) == (0.8, "typed ratio")


def test_nothing_stated():
    r = circularity_report(loads(GOOD))
    assert r["mci"]["inputs"]["X basis"] == "not stated"
    assert r["mci"]["inputs"]["X = (L/L_av)(U/U_av)"] == 1.0
    assert r["iso59020"]["product_lifetime_relative_to_industry_average"]["value"] is None


def test_mci_result_carries_its_utility_basis():
    assert mci(1.0, utility=1.5, utility_basis="lifetime data").utility_basis == "lifetime data"
    assert mci(1.0).to_dict()["utility_basis"] == "typed ratio"
    with pytest.raises(CircularityError, match="utility_basis"):
        mci(1.0, utility_basis="guess")
