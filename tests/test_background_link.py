"""Inventories linked to an imported background (issue 18): link resolution, units, validation, calculation,
coverage, Monte Carlo, scenarios, contributions, report and `factors --background`.

The registry tests use an index written here as data; the calculation tests use a background imported into the
real Brightway project of the test session.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lca_engine.background.catalog import load_catalog
from lca_engine.background.imported import Activity, ImportedBackground, index_json, meta_json, registry_dir
from lca_engine.background.links import BW_UNITS, CHARACTERISED, PINT_UNITS, Links, bw_unit, pint_unit
from lca_engine.errors import BackgroundError
from lca_engine.units import convert, parse_unit

ACTIVITIES = [
    Activity("c-steel", "steel production, converter", "steel, low-alloyed", "RER", "kilogram"),
    Activity("c-steel-ch", "steel production, converter", "steel, low-alloyed", "CH", "kilogram"),
    Activity("c-elec", "market for electricity, medium voltage", "electricity, medium voltage", "GB", "kilowatt hour"),
    Activity("c-lorry", "transport, freight, lorry", "transport, freight, lorry", "RER", "ton kilometer"),
    Activity("c-person", "transport, passenger car", "transport, passenger car", "RER", "person kilometer"),
]


def write_registry(root: Path, name: str, activities: list[Activity]) -> ImportedBackground:
    """What the importer leaves in the data folder: index.json, then meta.json (written last)."""
    meta = ImportedBackground(
        name, f"bg-{name}", "ecospold2", "/data/test", "0" * 64, "test licence", "3.10", "2026-12-05T23:00:00+00:00",
        len(activities), 0,
    )  # fmt: skip
    folder = registry_dir(root) / name
    folder.mkdir(parents=True)
    (folder / "index.json").write_text(index_json(activities), encoding="utf-8")
    (folder / "meta.json").write_text(meta_json(meta), encoding="utf-8")
    return meta


@pytest.fixture
def links(tmp_path) -> Links:
    write_registry(tmp_path, "ei", ACTIVITIES)
    return Links(tmp_path)


def test_link_by_key_and_by_code(links):
    by_key = links.resolve("ei:steel production, converter|steel, low-alloyed|CH")
    assert by_key.activity.code == "c-steel-ch"
    assert by_key.database == "bg-ei"
    assert by_key.unit == "kg"
    assert links.resolve("ei:c-elec").activity.name == "market for electricity, medium voltage"
    assert links.resolve("ei: c-lorry ").unit == "t*km"


def test_unknown_background_names_it_and_the_list_command(links):
    with pytest.raises(BackgroundError) as e:
        links.resolve("ecoinvent:c-steel")
    p = e.value.problems[0]
    assert "'ecoinvent' is not imported" in p.message
    assert "lca-engine background list" in p.fix
    assert p.field == "background"


def test_unknown_activity_gives_close_matches_and_the_factors_command(links):
    with pytest.raises(BackgroundError) as e:
        links.resolve("ei:steel production, convertor|steel, low-alloyed|RER")
    fix = e.value.problems[0].fix
    assert "ei:steel production, converter|steel, low-alloyed|RER" in fix  # the close match, whole and copyable
    assert 'lca-engine factors --background ei --contains "steel production, convertor"' in fix
    with pytest.raises(BackgroundError) as e:
        links.resolve("ei:c-stel")
    assert "ei:c-steel" in e.value.problems[0].fix


def test_a_key_naming_two_activities_asks_for_a_code(tmp_path):
    twice = [ACTIVITIES[0], Activity("c-other", *[getattr(ACTIVITIES[0], k) for k in ("name", "product")], "RER", "kg")]
    write_registry(tmp_path, "dup", twice)
    with pytest.raises(BackgroundError) as e:
        Links(tmp_path).resolve("dup:steel production, converter|steel, low-alloyed|RER")
    assert "names 2 activities" in e.value.problems[0].message
    assert "dup:c-steel" in e.value.problems[0].fix and "dup:c-other" in e.value.problems[0].fix


def test_malformed_link_is_a_user_error(links):
    with pytest.raises(BackgroundError):
        links.resolve("ei:a|b")


def test_brightway_unit_names_map_to_pint_both_ways():
    # one vocabulary: every pint spelling parses, maps back to its Brightway name, and converts as expected
    assert len(PINT_UNITS) == len(BW_UNITS)
    for bw, unit in BW_UNITS.items():
        parse_unit(unit)
        assert bw_unit(unit) == bw and pint_unit(bw) == unit
    assert convert(1.0, "MWh", BW_UNITS["kilowatt hour"]) == pytest.approx(1000.0, rel=1e-15)
    assert convert(1.0, "MJ", BW_UNITS["kilowatt hour"]) == pytest.approx(1 / 3.6, rel=1e-15)
    assert convert(2.0, "kg*km", BW_UNITS["ton kilometer"]) == pytest.approx(0.002, rel=1e-15)
    assert convert(1.0, "L", BW_UNITS["cubic meter"]) == pytest.approx(0.001, rel=1e-15)
    assert pint_unit("person kilometer") is None  # never read as a length
    # the DESNZ background keeps the Brightway names it always had
    assert [bw_unit(u) for u in ("kWh", "t", "kg", "m3", "L", "t*km", "item")] == [
        "kilowatt hour", "ton", "kilogram", "cubic meter", "litre", "ton kilometer", "unit",
    ]  # fmt: skip


def test_catalog_gives_a_link_as_a_factor_of_the_activity(tmp_path):
    write_registry(tmp_path, "ei", ACTIVITIES)
    cat = load_catalog(2025, cache_dir=tmp_path / "cache")
    f = cat.get("ei:market for electricity, medium voltage|electricity, medium voltage|GB")
    assert (f.database, f.code, f.unit) == ("bg-ei", "c-elec", "kWh")
    assert f.families == ("carbon", "water") and f.site == ()
    assert "test licence" in f.source and "3.10" in f.source
    with pytest.raises(BackgroundError) as e:
        cat.get("ei:c-person")
    assert "person kilometer" in e.value.problems[0].message
    assert cat.get("desnz.electricity.uk").database == ""  # the shipped factors as before


def test_characterised_indicators_are_those_with_a_whole_bw2io_method():
    """An indicator characterises an imported background exactly when its CFs hold every CF of one of bw2io's
    shipped LCIA methods (all compartments); carbon (AR5) and water consumption hold only top-level 'air' flows."""
    from lca_engine.bw.methods import indicator_cfs, shipped_cfs
    from lca_engine.indicators import INDICATORS, SHIPPED_METHODS

    shipped = [set(shipped_cfs(m)[0]) for m in SHIPPED_METHODS]
    whole = {i for i in INDICATORS if any(m <= set(indicator_cfs(i)) for m in shipped)}
    assert whole == set(CHARACTERISED)
    ar5 = [k for k, _ in indicator_cfs("carbon") if k[0] == "biosphere3"]
    assert len(ar5) == 4  # CO2 fossil, CH4 fossil and non-fossil, N2O, each in ('air',) only
