"""Every DESNZ year as published: each mapped factor is the flat file's own row that year, every shipped example
assesses with each year, and a label missing for a year is an error, never another year's value.

Expected values are read here straight from the official workbooks with openpyxl (sheet "Factors by Category",
header row found by its "ID" cell, columns by their header names) — independent of the product's importer and of
the labels in ``desnz.toml``.
"""

from __future__ import annotations

import math
import os
import shutil
import tomllib
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest

from lca_engine import assess_files, load_catalog
from lca_engine.errors import BackgroundError, LcaEngineError
from lca_engine.scenarios import Scenario, assess_scenarios, load_scenarios, scenario_catalog

from .conftest import DATA, EXAMPLES, ROOT

BACKGROUND = ROOT / "inventories" / "background"
FILES = {
    2023: "ghg-conversion-factors-2023-flat-file-update.xlsx",
    2024: "ghg-conversion-factors-2024-FlatFormat_v1_1.xlsx",
    2025: "ghg-conversion-factors-2025-flat-format.xlsx",
}
YEARS = tuple(FILES)
#: The waste column for energy recovery, as printed in each year's file (renamed in 2025).
ENERGY_RECOVERY_COLUMN = {2023: "Combustion", 2024: "Combustion", 2025: "Incineration with Energy Recovery"}
#: kg CO2e per tonne, waste disposal, clothing, energy recovery, read off the three files (row 20_501_5276_15_1).
ENERGY_RECOVERY_CLOTHING = {2023: 21.28080723687633, 2024: 6.41061, 2025: 4.68568}
#: Single factors of desnz.toml and their DESNZ row IDs (the same ID in all three files).
SINGLE_IDS = {
    "desnz.electricity.uk.generation": "7_400_4000_5_1",
    "desnz.electricity.uk.td": "13_402_4000_5_1",
    "desnz.natural_gas": "1_100_1004_6_1",
    "desnz.diesel": "1_101_1011_8_1",
    "desnz.lpg": "1_100_1003_6_1",
    "desnz.water.supply": "17_404_4005_1_1",
    "desnz.water.treatment": "18_405_4006_1_1",
    "desnz.freight.hgv": "27_304_3140_14_1",
    "desnz.freight.van": "27_303_3102_14_1",
    "desnz.freight.sea_container": "27_320_3235_14_1",
}
#: Waste items used by the examples for energy recovery: key slug -> Level 3 as printed.
LEVEL3 = {
    "clothing": "Clothing",
    "commercial_and_industrial_waste": "Commercial and industrial waste",
    "wood": "Wood",
    "plastics_average_plastic_film": "Plastics: average plastic film",
    "plastics_pp": "Plastics: PP (incl. forming)",
}
TONNES = {"t": 1.0, "kg": 1e-3, "g": 1e-6}


def cat(year: int):
    """The product's catalogue for a year, parsed once per session (the cache is keyed by the files' hashes)."""
    return load_catalog(year, cache_dir=Path(os.environ["LCA_ENGINE_DATA_DIR"]) / "cache")


@lru_cache(maxsize=3)
def sheet_rows(year: int) -> tuple[dict, ...]:
    """The data rows of 'Factors by Category', as {header: cell} (header row: first cell 'ID')."""
    wb = openpyxl.load_workbook(BACKGROUND / "desnz" / FILES[year], read_only=True, data_only=True)
    rows = wb["Factors by Category"].iter_rows(values_only=True)
    header = next(r for r in rows if r and r[0] == "ID")
    out = tuple(dict(zip(header, r, strict=False)) for r in rows if r and r[0])
    wb.close()
    return out


def by_hand(year: int, **labels: str) -> list[dict]:
    """Rows whose columns equal the labels given (kg CO2e rows only)."""
    return [r for r in sheet_rows(year) if r["GHG/Unit"] == "kg CO2e" and all(r[k] == v for k, v in labels.items())]


def waste_by_hand(year: int, level3: str) -> float:
    (row,) = by_hand(
        year, **{"Level 1": "Waste disposal", "Level 3": level3, "Column Text": ENERGY_RECOVERY_COLUMN[year]}
    )
    return float(row[f"GHG Conversion Factor {year}"])


@pytest.mark.parametrize("year", YEARS)
def test_energy_recovery_factor_is_that_years_cell(year):
    hand = waste_by_hand(year, "Clothing")
    assert hand == pytest.approx(ENERGY_RECOVERY_CLOTHING[year], rel=1e-12)
    f = cat(year).factors["desnz.waste.clothing.energy_recovery"]
    assert (f.value, f.year, f.desnz_id) == (pytest.approx(hand, rel=1e-12), year, "20_501_5276_15_1")
    # every energy-recovery cell with a value that year is a factor, and no other
    cells = by_hand(year, **{"Level 1": "Waste disposal", "Column Text": ENERGY_RECOVERY_COLUMN[year]})
    published = [r for r in cells if r[f"GHG Conversion Factor {year}"] is not None]
    keys = [k for k in cat(year).factors if k.startswith("desnz.waste.") and k.endswith(".energy_recovery")]
    assert len(keys) == len(published) == 30


@pytest.mark.parametrize("year", YEARS)
def test_every_single_factor_is_its_row(year):
    catalog = cat(year)
    for key, row_id in SINGLE_IDS.items():
        (row,) = [r for r in sheet_rows(year) if r["ID"] == row_id and r["GHG/Unit"] == "kg CO2e"]
        f = catalog.factors[key]
        assert f.desnz_id == row_id, key
        assert f.value == pytest.approx(float(row[f"GHG Conversion Factor {year}"]), rel=1e-12), key
    delivered = catalog.factors["desnz.electricity.uk"].value
    parts = catalog.factors["desnz.electricity.uk.generation"].value + catalog.factors["desnz.electricity.uk.td"].value
    assert delivered == pytest.approx(parts, rel=1e-12)


@pytest.mark.parametrize("year", YEARS)
def test_every_family_cell_with_a_value_is_a_factor(year):
    """Material use and waste disposal: one factor per non-blank cell of the mapped columns, value for value."""
    config = tomllib.loads((BACKGROUND / "desnz.toml").read_text(encoding="utf-8"))
    catalog = cat(year)
    for family, spec in config["families"].items():
        cols = {r: c if isinstance(c, str) else c[str(year)] for r, c in spec["routes"].items()}
        cells = [
            r
            for r in by_hand(year, **{"Level 1": spec["level1"], "UOM": spec["uom"]})
            if r["Column Text"] in cols.values() and r[f"GHG Conversion Factor {year}"] is not None
        ]
        keys = [k for k in catalog.factors if k.startswith(f"desnz.{family}.")]
        assert len(keys) == len(cells) > 0, family
        values = sorted(catalog.factors[k].value for k in keys)
        assert values == pytest.approx(sorted(float(r[f"GHG Conversion Factor {year}"]) for r in cells), rel=1e-12)


@pytest.fixture(scope="module", params=YEARS)
def assessed(request, data_dir):
    return request.param, assess_files([EXAMPLES], year=request.param, data_dir=data_dir)


def energy_recovery_flows() -> list[tuple[str, str, float, str]]:
    """(factory id, flow id, tonnes per FU, Level 3) of every example flow sent to energy recovery."""
    out = []
    for path in sorted(EXAMPLES.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for f in data.get("flows", []):
            if f.get("to") == "energy_recovery":
                item = f["background"].split(".")[2]
                out.append((data["id"], f["id"], f["amount"] * TONNES[f["unit"]], LEVEL3[item]))
    return out


def test_every_example_assesses_with_each_year(assessed):
    year, a = assessed
    c2g = a.results[a.results.scope == "cradle_to_gate"]
    totals = c2g[(c2g.contributor_type == "total") & (c2g.indicator == "carbon")]
    assert len(totals) == len(list(EXAMPLES.glob("*.toml"))) == 12
    assert set(totals["year"]) == {year}
    assert all(math.isfinite(v) and v > 0 for v in totals["value"])
    flows = energy_recovery_flows()
    assert len(flows) == 6  # the six flows that failed for 2023 and 2024 before the per-year mapping
    r = c2g[(c2g.contributor_type == "flow") & (c2g.indicator == "carbon")]
    for factory, flow, tonnes, level3 in flows:
        (got,) = r[(r.factory == factory) & (r.contributor == flow)]["value"]
        assert got == pytest.approx(tonnes * waste_by_hand(year, level3), rel=1e-6), (factory, flow)


def _inventories_with(tmp_path, old: str, new: str):
    """A copy of the shipped background folder whose desnz.toml has ``old`` replaced by ``new``."""
    inv = tmp_path / "inventories"
    (inv / "background").mkdir(parents=True)
    (inv / "background" / "desnz").symlink_to(BACKGROUND / "desnz")
    shutil.copy(BACKGROUND / "facts.toml", inv / "background" / "facts.toml")
    text = (BACKGROUND / "desnz.toml").read_text(encoding="utf-8")
    assert old in text
    (inv / "background" / "desnz.toml").write_text(text.replace(old, new), encoding="utf-8")
    return inv


ROUTE = 'energy_recovery = { 2023 = "Combustion", 2024 = "Combustion", 2025 = "Incineration with Energy Recovery" }'


@pytest.mark.parametrize("year", [2023, 2024])
def test_a_label_absent_from_a_years_file_is_an_error(tmp_path, year):
    """The mapping as it was (the 2025 label only): an error naming file, key, year and label, not a fallback."""
    inv = _inventories_with(tmp_path, ROUTE, 'energy_recovery = "Incineration with Energy Recovery"')
    with pytest.raises(BackgroundError) as e:
        load_catalog(year, inventories=inv)
    (p,) = e.value.problems
    assert p.file == str(inv / "background" / "desnz.toml")
    assert p.field == "families.waste.routes.energy_recovery"
    assert f'the {year} flat file has no column "Incineration with Energy Recovery"' in p.message
    assert "desnz.waste.<item>.energy_recovery" in p.message and "Combustion" in p.message
    assert f"{year} = " in p.fix


def test_a_year_missing_from_a_per_year_label_is_an_error(tmp_path):
    inv = _inventories_with(tmp_path, ROUTE, 'energy_recovery = { 2025 = "Incineration with Energy Recovery" }')
    with pytest.raises(BackgroundError) as e:
        load_catalog(2024, inventories=inv)
    (p,) = e.value.problems
    assert (p.field, p.file) == ("families.waste.routes.energy_recovery", str(inv / "background" / "desnz.toml"))
    assert "no 2024 label" in p.message and '2024 = "' in p.fix


def test_a_single_factor_label_per_year(tmp_path):
    """A per-year label on a single factor is read for that year; a wrong one names the labels looked for."""
    good = _inventories_with(tmp_path / "a", 'level3 = "LPG"', 'level3 = { 2023 = "LPG", 2024 = "LPG", 2025 = "LPG" }')
    assert load_catalog(2024, inventories=good).factors["desnz.lpg"].desnz_id == "1_100_1003_6_1"
    bad = _inventories_with(
        tmp_path / "b", 'level3 = "LPG"', 'level3 = { 2023 = "LPG (bottled)", 2024 = "LPG", 2025 = "LPG" }'
    )
    with pytest.raises(BackgroundError) as e:
        load_catalog(2023, inventories=bad)
    (p,) = e.value.problems
    assert p.field == "factors.lpg" and 'Level 3 "LPG (bottled)"' in p.message and "2023" in p.message


def test_a_factor_not_published_for_the_year_is_an_error_not_another_years_value():
    """Wood, closed-loop source: published in the 2023 file, blank in 2024 and 2025."""
    assert [
        r[f"GHG Conversion Factor {y}"] is not None
        for y in YEARS
        for r in by_hand(y, **{"Level 1": "Material use", "Level 3": "Wood", "Column Text": "Closed-loop source"})
    ] == [True, False, False]
    assert "desnz.material.wood.closed_loop" in cat(2023).factors
    c24 = cat(2024)
    assert "desnz.material.wood.closed_loop" not in c24.factors
    with pytest.raises(BackgroundError) as e:
        c24.get("desnz.material.wood.closed_loop")
    (p,) = e.value.problems
    assert "'desnz.material.wood.closed_loop' has no 2024 value" in p.message
    assert 'Column Text "Closed-loop source"' in p.message and p.file.endswith("desnz.toml")
    assert "no other year's value is used" in p.fix


def scenario_value(a, scenario: str, factory: str, flow: str) -> float:
    r = a.results
    sel = r[
        (r.scenario == scenario)
        & (r.factory == factory)
        & (r.indicator == "carbon")
        & (r.contributor == flow)
        & (r.scope == "cradle_to_gate")
    ]
    (v,) = sel["value"]
    return float(v)


def test_grid_year_scenarios_use_their_own_years_waste_factors(data_dir):
    shipped = {s.name: s for s in load_scenarios()}
    scs = [shipped["grid-2023"], shipped["grid-2024"]]
    assert [s.year for s in scs] == [2023, 2024] and not any(s.fill_unpublished_from for s in scs)
    a = assess_scenarios([EXAMPLES / "textile_merthyr_micro.toml"], scs, data_dir=data_dir)
    tonnes = 0.00775 / 1000  # recovery_loss, 0.00775 kg of clothing to energy recovery
    for scenario, year in (("default", 2025), ("grid-2023", 2023), ("grid-2024", 2024)):
        got = scenario_value(a, scenario, "textile-merthyr-micro", "recovery_loss")
        assert got == pytest.approx(tonnes * ENERGY_RECOVERY_CLOTHING[year], rel=1e-6), scenario


def _wood_closed_loop_inventory(tmp_path):
    """tiny_micro buying its yarn as closed-loop wood (a factor published for 2023 only)."""
    text = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    old = 'origin = "virgin"\namount = 0.5\nunit = "kg"\nbackground = "desnz.material.clothing.primary"'
    assert old in text
    new = 'origin = "recycled"\namount = 0.5\nunit = "kg"\nbackground = "desnz.material.wood.closed_loop"'
    (tmp_path / "tiny_micro.toml").write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(DATA / "tiny_baseline.toml", tmp_path / "tiny_baseline.toml")
    for extra in ("sources.toml",):
        if (DATA / extra).exists():
            shutil.copy(DATA / extra, tmp_path / extra)
    return tmp_path / "tiny_micro.toml"


def test_a_scenario_year_without_the_factor_is_an_error(tmp_path, data_dir):
    path = _wood_closed_loop_inventory(tmp_path)
    with pytest.raises(BackgroundError) as e:
        assess_scenarios([path], [Scenario(name="y24", year=2024)], year=2023, data_dir=data_dir)
    (p,) = e.value.problems
    assert p.message.startswith("scenario 'y24' (DESNZ 2024): background factor 'desnz.material.wood.closed_loop'")
    assert p.file == str(path) and p.field == "flows[0].background" and "fill_unpublished_from" in p.fix


def test_a_substitution_only_when_asked_and_labelled(tmp_path, data_dir):
    c23, c24 = cat(2023), cat(2024)
    filled = scenario_catalog(c24, Scenario(name="s", year=2024, fill_unpublished_from=2023), c23)
    f = filled.factors["desnz.material.wood.closed_loop"]
    hand = by_hand(2023, **{"Level 1": "Material use", "Level 3": "Wood", "Column Text": "Closed-loop source"})
    assert f.value == pytest.approx(float(hand[0]["GHG Conversion Factor 2023"]), rel=1e-12)
    assert f.name.endswith("[2023 value substituted: not published for 2024]") and f.source == "desnz-2023"
    assert filled.files["substituted-from-year"] == "2023"
    assert "desnz.material.wood.closed_loop" not in scenario_catalog(c24, Scenario(name="s", year=2024)).factors
    path = _wood_closed_loop_inventory(tmp_path)
    sc = Scenario(name="y24", year=2024, fill_unpublished_from=2023)
    a = assess_scenarios([path], [sc], year=2023, data_dir=data_dir)
    assert scenario_value(a, "y24", "tiny-micro", "yarn") == pytest.approx(0.5 / 1000 * f.value, rel=1e-6)


def test_fill_needs_a_scenario_year():
    with pytest.raises(ValueError):
        Scenario(name="s", fill_unpublished_from=2023)
    with pytest.raises(LcaEngineError):
        load_catalog(2019)
