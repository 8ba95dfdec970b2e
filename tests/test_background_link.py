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


def test_close_matches_in_an_index_of_ecoinvent_size(tmp_path):
    """25,000 activities: a misspelt key still gets its close match, without difflib reading every key (seconds)."""
    import time

    many = [Activity(f"x{i}", f"market for product {i}", f"product {i}", "GLO", "kilogram") for i in range(25_000)]
    write_registry(tmp_path, "big", [*many, *ACTIVITIES])
    links = Links(tmp_path)
    links.index("big")
    t = time.perf_counter()
    with pytest.raises(BackgroundError) as e:
        links.resolve("big:steel production, convertor|steel, low-alloyed|RER")
    assert time.perf_counter() - t < 2.0
    assert "big:steel production, converter|steel, low-alloyed|RER" in e.value.problems[0].fix


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


def test_matching_activities_by_key_or_code(links):
    found = links.matching("ei", "STEEL")
    assert [a.code for a in found] == ["c-steel-ch", "c-steel"]  # sorted by whole key: CH before RER
    assert [a.code for a in links.matching("ei", "c-lor")] == ["c-lorry"]
    with pytest.raises(BackgroundError) as e:
        links.matching("../ei", "")  # never read outside the registry
    assert "lca-engine background list" in e.value.problems[0].fix


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


# --- a small background imported into the session's data folder, its numbers chosen by hand ------------------------

TINY = "tinybg"
CO2, CH4, WATER = (("biosphere3", c) for c in (
    "349b29d1-3e58-4c66-98b9-9d1a076efd2e",  # Carbon dioxide, fossil (air)
    "0795345f-c7ae-410c-ad25-1845784c75f5",  # Methane, fossil (air)
    "075e433b-4be4-448e-9510-9a5029c1ce94",  # Water (air)
))  # fmt: skip
YARN_KEY = f"{TINY}:yarn production|yarn|GB"


def _lognormal(amount: float, sigma: float) -> dict:
    import math

    return {"uncertainty type": 2, "loc": math.log(amount), "scale": sigma}


def tiny_data() -> list[dict]:
    """Yarn (kg): 3 kWh of the background's electricity, 2.5 kg CO2, 0.01 kg CH4, 0.05 m3 water evaporated;
    electricity (kWh): 0.2 kg CO2, 0.001 m3 water evaporated. Lognormal on the large ones."""
    db = f"bg-{TINY}"

    def act(code, name, product, unit, exchanges):
        prod = {"input": (db, code), "amount": 1.0, "type": "production"}
        return {"database": db, "code": code, "name": name, "reference product": product, "location": "GB",
                "unit": unit, "type": "process", "exchanges": [prod, *exchanges]}  # fmt: skip

    return [
        act("c-yarn", "yarn production", "yarn", "kilogram", [
            {"input": (db, "c-elec"), "amount": 3.0, "type": "technosphere", **_lognormal(3.0, 0.2)},
            {"input": CO2, "amount": 2.5, "type": "biosphere", **_lognormal(2.5, 0.1)},
            {"input": CH4, "amount": 0.01, "type": "biosphere"},
            {"input": WATER, "amount": 0.05, "type": "biosphere"},
        ]),
        act("c-elec", "electricity production", "electricity", "kilowatt hour", [
            {"input": CO2, "amount": 0.2, "type": "biosphere", **_lognormal(0.2, 0.1)},
            {"input": WATER, "amount": 0.001, "type": "biosphere"},
        ]),
    ]  # fmt: skip


def register_stored(root: Path, name: str, data: list[dict]) -> None:
    """A background as the importer leaves it: the stored data, the index, and meta.json last."""
    import dataclasses
    import hashlib

    from lca_engine.bw.imported_db import dump

    folder = registry_dir(root) / name
    folder.mkdir(parents=True)
    blob = dump(data, [])
    (folder / "data.pickle.gz").write_bytes(blob)
    index = [Activity(d["code"], d["name"], d["reference product"], d["location"], d["unit"]) for d in data]
    (folder / "index.json").write_text(index_json(index), encoding="utf-8")
    n = sum(len(d["exchanges"]) for d in data)
    meta = ImportedBackground(
        name,
        f"bg-{name}",
        "excel",
        "hand-made",
        "0" * 64,
        "CC0 (test)",
        "1.0",
        "2026-12-05T23:00:00+00:00",
        len(data),
        n,
    )
    meta = dataclasses.replace(meta, data_sha256=hashlib.sha256(blob).hexdigest())
    (folder / "meta.json").write_text(meta_json(meta), encoding="utf-8")


def linked_copies(folder: Path) -> Path:
    """tiny_micro/tiny_baseline with the yarn and fabric bought from the imported background (by key) and the
    recovery's 1800 kJ of electricity from its electricity (by code, kJ -> kWh); the rest stays DESNZ."""
    from .conftest import DATA

    micro = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    micro = micro.replace('background = "desnz.material.clothing.primary"', f'background = "{YARN_KEY}"', 1)
    head, tail = micro.split('id = "power_recover"', 1)
    tail = tail.replace('background = "desnz.electricity.uk"', f'background = "{TINY}:c-elec"', 1)
    (folder / "tiny_micro.toml").write_text(head + 'id = "power_recover"' + tail, encoding="utf-8")
    base = (DATA / "tiny_baseline.toml").read_text(encoding="utf-8")
    base = base.replace('background = "desnz.material.clothing.primary"', f'background = "{YARN_KEY}"', 1)
    (folder / "tiny_baseline.toml").write_text(base, encoding="utf-8")
    return folder / "tiny_micro.toml"


def numpy_scores(data: list[dict], cfs: dict) -> dict[str, float]:
    """Score of one unit of each activity: A x = e_j, score = c·B x, from the raw amounts (numpy only)."""
    import numpy as np

    codes = [d["code"] for d in data]
    flows = sorted({e["input"] for d in data for e in d["exchanges"] if e["type"] == "biosphere"})
    a, b = np.zeros((len(codes), len(codes))), np.zeros((len(flows), len(codes)))
    for j, d in enumerate(data):
        for e in d["exchanges"]:
            if e["type"] == "biosphere":
                b[flows.index(e["input"]), j] += e["amount"]
            else:
                a[codes.index(e["input"][1]), j] += e["amount"] * (1 if e["type"] == "production" else -1)
    c = np.array([cfs.get(f, 0.0) for f in flows])
    lam = np.linalg.solve(a.T, b.T @ c)  # λ_j = score of one unit of product j
    return dict(zip(codes, lam, strict=True))


@pytest.fixture(scope="module")
def tiny_linked(data_dir, tmp_path_factory):
    from lca_engine import assess_files

    from .conftest import DATA

    if load_meta_or_none(data_dir, TINY) is None:
        register_stored(data_dir, TINY, tiny_data())
    folder = tmp_path_factory.mktemp("linked")
    linked = assess_files([linked_copies(folder)], year=2025, data_dir=data_dir)
    plain = assess_files([DATA / "tiny_micro.toml"], year=2025, data_dir=data_dir)
    return linked, plain


def load_meta_or_none(root: Path, name: str):
    from lca_engine.background.imported import load_meta

    return load_meta(root, name)


def _flow_sum(a, factory: str, indicator: str, flows: tuple[str, ...]) -> float:
    r = a.results
    sel = r[(r.factory == factory) & (r.indicator == indicator) & (r.scope == "cradle_to_gate")]
    return float(sel[(sel.contributor_type == "flow") & sel.contributor.isin(flows)]["value"].sum())


def test_linked_result_equals_numpy_solve_of_the_imported_matrices(tiny_linked):
    from lca_engine.bw.methods import indicator_cfs

    linked, plain = tiny_linked
    for ind in ("carbon_ipcc2021", "water_scarcity", "water_wcp"):
        lam = numpy_scores(tiny_data(), dict(indicator_cfs(ind)))
        # 0.5 kg yarn (micro) / 0.7 kg fabric (baseline) and 1800 kJ = 0.5 kWh of electricity
        by_hand = {"tiny-micro": 0.5 * lam["c-yarn"] + 0.5 * lam["c-elec"], "tiny-baseline": 0.7 * lam["c-yarn"]}
        moved = {"tiny-micro": ("yarn", "power_recover"), "tiny-baseline": ("fabric",)}
        for fid, value in by_hand.items():
            assert value > 0 or ind != "carbon_ipcc2021"
            rest = plain.total(fid, ind) - _flow_sum(plain, fid, ind, moved[fid])
            assert linked.total(fid, ind) == pytest.approx(rest + value, rel=1e-9, abs=1e-12)
            assert _flow_sum(linked, fid, ind, moved[fid]) == pytest.approx(value, rel=1e-9, abs=1e-12)


def test_carbon_ar5_leaves_the_link_out_and_coverage_says_so(tiny_linked):
    linked, _ = tiny_linked
    from .test_carbon_by_hand import MICRO

    # the AR5-basis method matches CO2 and CH4 to top-level air here, yet the link is not counted at all
    yarn_and_power = 0.5 / 1000 * 22310 + 1800 / 3600 * (0.177 + 0.01853)
    assert linked.total("tiny-micro", "carbon") == pytest.approx(MICRO - yarn_and_power, rel=1e-9)
    cov = linked.coverage.set_index(["factory", "indicator", "scope"])
    for ind in ("carbon", "water_consumption", "primary_energy", "energy_delivered"):
        row = cov.loc[("tiny-micro", ind, "cradle_to_gate")]
        assert row["coverage"] < 1.0 or ind == "energy_delivered"
        if ind != "energy_delivered":
            assert f"yarn (not characterised by background {TINY})" in row["missing"].split("; ")
    assert "power_recover" in cov.loc[("tiny-micro", "energy_delivered", "cradle_to_gate")]["missing"]
    ipcc = cov.loc[("tiny-micro", "carbon_ipcc2021", "cradle_to_gate")]
    assert "yarn" not in ipcc["missing"] and "power_recover" not in ipcc["missing"]
    # on site: the imported electricity counts for nothing (its supply chain is off site), and says so
    assert "power_recover" in cov.loc[("tiny-micro", "carbon_ipcc2021", "site")]["missing"]


@pytest.fixture(scope="module")
def tiny_factories(tiny_linked, tmp_path_factory):
    from lca_engine import load

    folder = tmp_path_factory.mktemp("linked-mc")
    linked_copies(folder)
    return [load(folder / "tiny_micro.toml"), load(folder / "tiny_baseline.toml")]


def test_monte_carlo_draws_the_background_once_for_both_sides(data_dir, tiny_linked, tiny_factories):
    """Water scarcity reaches only the links here (0.05 m3 per kg yarn + 0.001 m3 per kWh, the yarn's 3 kWh
    lognormal σ = 0.2): per draw both sides must show the same sampled kWh per kg yarn (shared background draws),
    and the mean must be the lognormal's mean, 3·exp(σ²/2), within Monte Carlo error."""
    import numpy as np

    from lca_engine import monte_carlo
    from lca_engine.bw.methods import indicator_cfs

    linked, _ = tiny_linked
    cf = dict(indicator_cfs("water_scarcity"))[WATER]
    r = linked.results
    sel = r[(r.indicator == "water_scarcity") & (r.contributor_type == "flow") & (r.value != 0)]
    assert set(sel.contributor) == {"yarn", "power_recover", "fabric"}  # nothing else to blur the check
    mc = monte_carlo(tiny_factories, draws=4000, seed=3, data_dir=data_dir, indicators=["water_scarcity"])
    micro, base = mc.of("tiny-micro", "water_scarcity"), mc.of("tiny-baseline", "water_scarcity")
    kwh_micro = (micro / cf - 0.5 * 0.05 - 0.5 * 0.001) / (0.5 * 0.001)
    kwh_base = (base / cf - 0.7 * 0.05) / (0.7 * 0.001)
    assert np.allclose(kwh_micro, kwh_base, rtol=1e-4)  # float32 matrices: same draw, not just same distribution
    assert kwh_micro.std() > 0.1  # the background's own distribution is used, not its static value
    mean, se = kwh_micro.mean(), kwh_micro.std() / np.sqrt(kwh_micro.size)
    assert abs(mean - 3.0 * np.exp(0.2**2 / 2)) < 4 * se
    assert np.log(kwh_micro).std() == pytest.approx(0.2, rel=0.1)
    # and the deterministic value of the vectorised engine is the hand value
    assert linked.total("tiny-micro", "water_scarcity") == pytest.approx(cf * (0.5 * (0.05 + 0.003) + 0.0005), 1e-9)


def test_contributions_name_the_imported_activity(tiny_linked):
    from lca_engine.results import contributions

    linked, _ = tiny_linked
    by_factor = contributions(linked.results, "tiny-micro", "carbon_ipcc2021", by="factor", cutoff=0)
    by_factor = by_factor.set_index("factor")["value"]
    assert by_factor.sum() == pytest.approx(linked.total("tiny-micro", "carbon_ipcc2021"), rel=1e-9)
    assert {f"{TINY}:c-yarn", f"{TINY}:c-elec"} <= set(by_factor.index)  # a link key by code: copyable
    by_flow = contributions(linked.results, "tiny-micro", "carbon_ipcc2021", by="flow", cutoff=0).set_index("flow")
    assert by_flow.loc["yarn", "value"] == pytest.approx(by_factor[f"{TINY}:c-yarn"], rel=1e-12)


def test_a_scenario_year_changes_desnz_factors_only(data_dir, tiny_linked, tmp_path):
    """Scenarios run unchanged on a linked inventory: in DESNZ 2023 the imported links give the same numbers."""
    from lca_engine.scenarios import Scenario, assess_scenarios

    res = assess_scenarios([linked_copies(tmp_path)], [Scenario(name="y2023", year=2023)], data_dir=data_dir)
    r = res.results
    sel = r[(r.factory == "tiny-micro") & (r.indicator == "carbon_ipcc2021") & (r.scope == "cradle_to_gate")]
    flows = sel[sel.contributor_type == "flow"].set_index(["scenario", "contributor"])["value"]
    for link in ("yarn", "power_recover"):
        assert flows[("y2023", link)] == pytest.approx(flows[("default", link)], rel=1e-12) and flows[("default", link)]
    assert flows[("y2023", "power")] != pytest.approx(flows[("default", "power")], rel=1e-3)  # DESNZ grid of 2023


def test_result_files_carry_the_background_name(data_dir, tiny_linked, tmp_path):
    import pandas as pd

    from lca_engine.outputs import assess_to_folder

    out = tmp_path / "out"
    assess_to_folder([linked_copies(tmp_path)], out, year=2025, data_dir=data_dir, tolerance=0.01, use_cache=False)
    cube = pd.read_parquet(out / "results.parquet")
    yarn = cube[(cube.contributor == "yarn") & (cube.factory == "tiny-micro")]
    assert set(yarn.factor) == {f"{TINY}:c-yarn"}
    cov = pd.read_parquet(out / "coverage.parquet")
    carbon = cov[(cov.factory == "tiny-micro") & (cov.indicator == "carbon") & (cov.scope == "cradle_to_gate")]
    assert f"yarn (not characterised by background {TINY})" in carbon.iloc[0]["missing"]


def test_report_names_the_background(data_dir, tiny_linked, tmp_path):
    import io
    import json

    from pypdf import PdfReader

    from lca_engine.report import render_report

    paths = render_report([linked_copies(tmp_path)], tmp_path / "report", ("json", "pdf"), data_dir=data_dir, draws=200)
    content = json.loads(paths["tiny-micro.json"].read_text(encoding="utf-8"))
    (bg,) = content["backgrounds"]
    assert (bg["name"], bg["version"], bg["licence"], bg["imported"]) == (TINY, "1.0", "CC0 (test)", "2026-12-05")
    assert content["background_label"] == f"DESNZ 2025 + {TINY} 1.0"
    factors = {
        r["name"]: r["label"] for r in content["contributions"]["tables"]["carbon_ipcc2021"]["tiny-micro"]["factor"]
    }
    assert factors[f"{TINY}:c-yarn"] == f"{TINY}:yarn production|yarn|GB"
    texts = [p.extract_text() for p in PdfReader(io.BytesIO(paths["tiny-micro.pdf"].read_bytes())).pages]
    assert f"BACKGROUND DESNZ 2025 + {TINY} 1.0".upper() in texts[0]  # the header line (set in capitals)
    whole = " ".join(" ".join(t.split()) for t in texts)
    assert "Background data" in whole and "CC0 (test)" in whole and "2026-12-05" in whole


# --- bw2io's EcoSpold 2 test dataset (tests/fixtures/bw2io), imported with `lca-engine background import` ----------

ES2 = "es2link"
ES2_FILE = (
    Path(__file__).parent
    / "fixtures"
    / "bw2io"
    / "ecospold2"
    / "00000_11111111-2222-3333-4444-555555555555_66666666-7777-8888-9999-000000000000.spold"
)
CONCRETE = f"{ES2}:concrete block production|concrete block|DE"


def es2_values() -> dict:
    """Read from the XML with the standard library: the reference product's amount and the elementary exchanges
    (biosphere3 code -> amount, lognormal variance with pedigree)."""
    import xml.etree.ElementTree as ET

    ns = "{http://www.EcoInvent.org/EcoSpold02}"
    root = ET.parse(ES2_FILE).getroot()
    production = [
        float(e.get("amount"))
        for e in root.iter(f"{ns}intermediateExchange")
        if e.find(f"{ns}outputGroup") is not None and e.find(f"{ns}outputGroup").text == "0"
    ]
    bio = {}
    for e in root.iter(f"{ns}elementaryExchange"):
        logn = e.find(f"{ns}uncertainty/{ns}lognormal")
        bio[e.get("elementaryExchangeId")] = (
            float(e.get("amount")),
            float(logn.get("varianceWithPedigreeUncertainty")),
        )
    return {"production": production[0], "biosphere": bio}


@pytest.fixture(scope="module")
def es2_linked(data_dir, tmp_path_factory):
    import shutil

    from lca_engine import assess_files, load
    from lca_engine.background.imported import load_meta
    from lca_engine.background_import import import_background

    if load_meta(data_dir, ES2) is None:
        src = tmp_path_factory.mktemp("es2-src")
        shutil.copy(ES2_FILE, src)
        # the dataset names a provider ('clay pit infrastructure') that is not in it: cut off, and reported
        import_background(src, ES2, "BSD-3-Clause (bw2io test files)", data_dir=data_dir, cut_off=True, version="t1")
    folder = tmp_path_factory.mktemp("es2-linked")
    linked_copies(folder)
    for name in ("tiny_micro.toml", "tiny_baseline.toml"):
        p = folder / name
        text = p.read_text(encoding="utf-8").replace(YARN_KEY, CONCRETE)
        p.write_text(text.replace(f"{TINY}:c-elec", "desnz.electricity.uk"), encoding="utf-8")
    assessment = assess_files([folder / "tiny_micro.toml"], year=2025, data_dir=data_dir)
    return assessment, [load(folder / "tiny_micro.toml"), load(folder / "tiny_baseline.toml")]


def test_ecospold2_link_equals_numpy_solve_of_the_file(es2_linked):
    import numpy as np

    from lca_engine.bw.methods import indicator_cfs

    assessment, _ = es2_linked
    raw = es2_values()
    codes = sorted(raw["biosphere"])
    a = np.array([[raw["production"]]])  # one activity, its provider cut off
    b = np.array([[raw["biosphere"][c][0]] for c in codes])
    for ind in ("water_scarcity", "water_wcp"):
        cfs = dict(indicator_cfs(ind))
        c = np.array([cfs.get(("biosphere3", code), 0.0) for code in codes])
        lam = np.linalg.solve(a.T, b.T @ c)[0]
        assert lam > 0
        for fid, kg in (("tiny-micro", 0.5), ("tiny-baseline", 0.7)):
            # the links are the only contributions to these indicators in these inventories
            assert assessment.total(fid, ind) == pytest.approx(kg * lam, rel=1e-9)


def test_ecospold2_link_monte_carlo_uses_the_files_lognormal(data_dir, es2_linked):
    """Water scarcity = kg × CF × W with W the file's lognormal (median 123456 m3, σ = √6): both sides draw the same
    W; ln W has the file's mean and spread; the draws' median is the deterministic value."""
    import numpy as np

    from lca_engine import monte_carlo

    assessment, factories = es2_linked
    amount, variance = next(iter(es2_values()["biosphere"].values()))
    mc = monte_carlo(factories, draws=4000, seed=11, data_dir=data_dir, indicators=["water_scarcity"])
    micro, base = mc.of("tiny-micro", "water_scarcity"), mc.of("tiny-baseline", "water_scarcity")
    assert np.allclose(micro / 0.5, base / 0.7, rtol=1e-5)  # the same background draw on both sides
    det = assessment.total("tiny-micro", "water_scarcity")
    logs = np.log(micro / det * amount)  # ln W per draw
    sigma, n = np.sqrt(variance), logs.size
    assert abs(logs.mean() - np.log(amount)) < 4 * sigma / np.sqrt(n)
    assert logs.std() == pytest.approx(sigma, rel=0.05)
    assert abs(np.log(np.median(micro) / det)) < 4 * 1.2533 * sigma / np.sqrt(n)


# --- validation: no Brightway, errors with field, line and fix ----------------------------------------------------


def _with_yarn_link(folder: Path, key: str) -> Path:
    path = linked_copies(folder)
    path.write_text(path.read_text(encoding="utf-8").replace(YARN_KEY, key, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("key", "said", "fix"),
    [
        ("nosuchbg:c-yarn", "background 'nosuchbg' is not imported", "lca-engine background list"),
        (f"{TINY}:yarn production|yarns|GB", "has no activity 'yarn production|yarns|GB'", f"{YARN_KEY}"),
        (f"{TINY}:c-elec", "unit 'kg' is mass", "activity 'tinybg:c-elec' is per 'kilowatt hour', i.e. kWh"),
    ],
)
def test_validate_refuses_a_bad_link_with_field_line_and_fix(data_dir, tiny_linked, tmp_path, key, said, fix):
    from .cli_run import invoke

    path = _with_yarn_link(tmp_path, key)
    code, out, tb = invoke("validate", path, "--data-dir", data_dir)
    assert (code, tb) == (1, "")
    text = " ".join(out.split())
    assert said in text and fix in text
    import re

    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if key in t)
    where = re.search(r"tiny_micro\.toml:(\d+) field 'flows\[0\]\.(background|unit)'", text)
    assert where and line - 3 <= int(where[1]) <= line  # the link's line, or its flow's unit just above


def test_validate_of_a_linked_inventory_imports_no_brightway(data_dir, tiny_linked, tmp_path):
    import subprocess
    import sys

    path = linked_copies(tmp_path)
    code = (
        "import sys; from lca_engine.cli import app; "
        f"sys.argv = ['lca-engine', 'validate', {str(path)!r}, '--data-dir', {str(data_dir)!r}]\n"
        "try:\n    app()\nexcept SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "assert 'bw2data' not in sys.modules and 'bw2calc' not in sys.modules"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "tiny_micro.toml" in res.stdout


def test_stored_copy_of_the_imported_exchanges_is_used_and_a_damaged_one_read_again(data_dir, tiny_linked, tmp_path):
    """The float64 amounts of an imported database are kept beside the project per write (its nonce); a damaged
    copy is read from the project again, with the same numbers."""
    import bw2data as bd

    from lca_engine import assess_files
    from lca_engine.bw.store import nonce
    from lca_engine.bw.stored import FOLDER, stored

    linked, _ = tiny_linked
    copy = bd.projects.dir / FOLDER / f"bg-{TINY}-{nonce(f'bg-{TINY}')}.npz"
    assert copy.is_file()
    st = stored(f"bg-{TINY}")
    assert sorted(zip(st.output.tolist(), st.input_code.tolist(), st.amount.tolist(), strict=True)) == sorted(
        (d["code"], e["input"][1], e["amount"]) for d in tiny_data() for e in d["exchanges"]
    )
    copy.write_bytes(b"PK\x03\x04 torn")
    again = assess_files([linked_copies(tmp_path)], year=2025, data_dir=data_dir)
    for ind in ("carbon_ipcc2021", "water_scarcity"):
        assert again.total("tiny-micro", ind) == linked.total("tiny-micro", ind)
    assert stored(f"bg-{TINY}").amount.tolist() == st.amount.tolist()


def test_assess_command_prints_what_the_background_does_not_characterise(data_dir, tiny_linked, tmp_path):
    from .cli_run import invoke

    path = linked_copies(tmp_path)
    code, out, tb = invoke("assess", path, "--out", tmp_path / "out", "--data-dir", data_dir, "--no-cache")
    assert (code, tb) == (0, ""), out
    assert f"(not characterised by background {TINY})" in " ".join(out.split())


def test_a_link_and_a_shipped_factor_of_the_same_family_are_refused(data_dir, tiny_linked, tmp_path):
    """A link gives carbon and water: beside a DESNZ carbon factor it would count carbon twice; beside an open
    factor's primary energy it is what the link lacks, and is accepted."""
    from .cli_run import invoke

    twice = _with_yarn_link(tmp_path, "X")
    text = twice.read_text(encoding="utf-8")
    twice.write_text(
        text.replace('background = "X"', f'background = ["{YARN_KEY}", "desnz.material.clothing.primary"]'), "utf-8"
    )
    code, out, tb = invoke("validate", twice, "--data-dir", data_dir)
    assert (code, tb) == (1, "")
    assert f"'{YARN_KEY}' and 'desnz.material.clothing.primary' both give carbon" in " ".join(out.split())
    twice.write_text(
        text.replace('background = "X"', f'background = ["{YARN_KEY}", "open.cotton.fibre/energy"]'), "utf-8"
    )
    code, out, tb = invoke("validate", twice, "--data-dir", data_dir)
    assert (code, tb) == (0, ""), out


def test_factors_lists_a_backgrounds_activities_by_whole_key(data_dir, tiny_linked):
    from .cli_run import invoke

    code, out, tb = invoke("factors", "--background", TINY, "--contains", "YARN", "--data-dir", data_dir)
    assert (code, tb) == (0, ""), out
    assert YARN_KEY in out and f"{TINY}:c-yarn" in out and "kilogram" in out
    assert "electricity production" not in out and "…" not in out
    code, out, tb = invoke("factors", "--background", TINY, "--data-dir", data_dir)
    assert f"{TINY}:electricity production|electricity|GB" in out and f"{TINY}:c-elec" in out
    code, out, tb = invoke("factors", "--background", "nosuchbg", "--data-dir", data_dir)
    assert (code, tb) == (1, "") and "lca-engine background list" in out
    code, out, tb = invoke("factors", "--contains", "electricity.uk", "--data-dir", data_dir)
    assert (code, tb) == (0, "") and "desnz.electricity.uk" in out  # the shipped factors as before
