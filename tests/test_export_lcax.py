"""LCAx export of the modular-housing results: the file passes lcax's own (serde) parser and validator, and its
EN 15804 modules add up to our assessment, split by hand from the inventory's flows."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from .conftest import EXAMPLES

MICRO = EXAMPLES / "housing_ebbw_vale_micro.toml"
MAPPED = {
    "carbon": "gwp",
    "primary_energy_nonrenewable": "penrt",
    "primary_energy_renewable": "pert",
    "water_scarcity": "wdp",
    "ecotox_freshwater": "etp_fw",
    "human_tox_cancer": "htp_c",
    "human_tox_noncancer": "htp_nc",
}


@pytest.fixture(scope="module")
def housing(tmp_path_factory):
    import lca_engine as le
    from lca_engine.export.lcax import write_lcax

    a = le.assess_files([MICRO])
    factories = [a.checked[i].factory for i in a.pairs[0]]
    out = tmp_path_factory.mktemp("lcax") / "housing.lcax.json"
    write_lcax(a.results, factories, out, a.year)
    return a, factories, out


def _by_hand(a, factory, indicator: str) -> dict[str, float]:
    """Our cradle-to-gate contributions per flow, put in modules from the inventory as written: purchases of
    materials/chemicals A1, freight A2, everything else A3; a process of stage 'installation': freight A4, rest A5."""
    r = a.results
    rows = r[
        (r.factory == factory.id)
        & (r.indicator == indicator)
        & (r.scope == "cradle_to_gate")
        & (r.scenario == "default")
        & (r.contributor_type == "flow")
    ]
    stage = {p.id: p.stage for p in factory.processes}
    out = dict.fromkeys(["a1", "a2", "a3", "a4", "a5"], 0.0)
    for flow in factory.flows:
        part = float(rows[rows.contributor == flow.id].value.sum())
        owner = flow.to if flow.to in stage else flow.from_
        freight = flow.kind == "transport"
        if stage.get(owner) == "installation":
            out["a4" if freight else "a5"] += part
        elif freight:
            out["a2"] += part
        elif flow.from_ in ("market", "environment") and flow.kind in ("material", "chemical"):
            out["a1"] += part
        else:
            out["a3"] += part
    return out


def _same(x, y) -> None:
    if isinstance(x, dict):
        assert set(x) == set(y)
        for k in x:
            _same(x[k], y[k])
    elif isinstance(x, list):
        assert len(x) == len(y)
        for u, v in zip(x, y, strict=True):
            _same(u, v)
    elif isinstance(x, float):
        assert x == pytest.approx(y, rel=1e-15, abs=0)
    else:
        assert x == y


def test_lcax_file_passes_lcax_parser_and_validator(housing):
    import lcax

    _, factories, out = housing
    text = out.read_text()
    project = lcax.Project.loads(text)  # lcax's serde model: types, enums and required fields
    _same(json.loads(project.dumps()), json.loads(text))  # lcax's float parser may move the last digit
    L, R = lcax.Level, lcax.ValidationRule
    rules = [
        lcax.ValidationSchema(L.Project, "name", R(required=True)),
        lcax.ValidationSchema(L.Project, "lifeCycleModules", R(includes="a1a3")),
        lcax.ValidationSchema(L.Project, "location.country", R(equal="gbr")),
        lcax.ValidationSchema(L.Assembly, "id", R(required=True)),
        lcax.ValidationSchema(L.Assembly, "quantity", R(equal="1")),
        lcax.ValidationSchema(L.Product, "name", R(required=True)),
        lcax.ValidationSchema(L.Product, "unit", R(equal="m2")),
    ]
    assert [(v.field, v.message) for v in lcax.validate(project, rules)] == []
    d = json.loads(text)
    assert [x["id"] for x in d["assemblies"]] == [f.id for f in factories]
    assert d["results"] is None  # two alternatives: LCAx would add them
    assert d["lifeCycleModules"] == ["a1a3", "a4", "a5"]  # the micro-factory states an installation stage
    products = {p["id"] for p in d["assemblies"][0]["products"]}
    assert products == {f"{factories[0].id}/{p.id}" for p in factories[0].processes}


def test_lcax_parser_rejects_a_broken_file(housing):
    """The check above is not vacuous: a module LCAx does not know, or a missing required field, is refused."""
    import lcax

    d = json.loads(housing[2].read_text())
    d["assemblies"][0]["results"]["gwp"]["a9"] = 1.0
    with pytest.raises(Exception):  # noqa: B017 - lcax raises a plain TypeError/ValueError from Rust
        lcax.Project.loads(json.dumps(d))
    d = json.loads(housing[2].read_text())
    del d["assemblies"][0]["products"][0]["unit"]
    with pytest.raises(Exception):  # noqa: B017
        lcax.Project.loads(json.dumps(d))


def test_modules_add_up_to_our_totals(housing):
    a, factories, out = housing
    d = json.loads(out.read_text())
    for factory, asm in zip(factories, d["assemblies"], strict=True):
        for indicator, cat in MAPPED.items():
            hand = _by_hand(a, factory, indicator)
            total = a.total(factory.id, indicator)
            res = asm["results"][cat]
            assert sum(res.values()) == pytest.approx(total, rel=1e-9, abs=1e-12)
            assert res["a1a3"] == pytest.approx(hand["a1"] + hand["a2"] + hand["a3"], rel=1e-9, abs=1e-12)
            assert res.get("a4", 0.0) == pytest.approx(hand["a4"], rel=1e-9, abs=1e-12)
            assert res.get("a5", 0.0) == pytest.approx(hand["a5"], rel=1e-9, abs=1e-12)
            split = asm["metaData"]["a1_a2_a3"][cat]
            for m in ("a1", "a2", "a3"):
                assert split[m] == pytest.approx(hand[m], rel=1e-9, abs=1e-12)
            products = sum(sum(p["results"][cat].values()) for p in asm["products"])
            assert products == pytest.approx(total, rel=1e-9, abs=1e-12)


def test_lcax_own_total_equals_ours(housing):
    """LCAx's get_impact_total (all modules; module D would count too, and there is none) gives our total."""
    import lcax

    a, factories, out = housing
    project = lcax.Project.loads(out.read_text())
    for factory, asm in zip(factories, project.assemblies, strict=True):
        for indicator, cat in MAPPED.items():
            key = getattr(lcax.ImpactCategoryKey, cat.upper())
            got = lcax.get_impact_total(asm.results, key)
            assert got == pytest.approx(a.total(factory.id, indicator), rel=1e-9, abs=1e-12)


def test_housing_carbon_modules_by_hand(housing):
    """The micro-factory's erection process (stage 'installation') is A4/A5: its panel freight is A4, crane diesel
    A5; the baseline states no installation stage, so all of its carbon is A1-A3."""
    a, factories, out = housing
    micro, base = (json.loads(out.read_text())["assemblies"][i]["results"]["gwp"] for i in (0, 1))
    r = a.results
    sel = r[(r.factory == factories[0].id) & (r.indicator == "carbon") & (r.scope == "cradle_to_gate")]
    panels = float(sel[sel.contributor == "freight_panels"].value.sum())
    crane = float(sel[sel.contributor == "diesel_crane"].value.sum())
    assert panels > 0 and crane > 0
    assert micro["a4"] == pytest.approx(panels, rel=1e-12)
    assert micro["a5"] == pytest.approx(crane, rel=1e-12)
    assert micro["a1a3"] == pytest.approx(a.total(factories[0].id) - panels - crane, rel=1e-9)
    assert set(base) == {"a1a3"} and base["a1a3"] == pytest.approx(a.total(factories[1].id), rel=1e-9)


def _shipped_cfs(method: tuple[str, ...]) -> dict:
    import bw2io

    with zipfile.ZipFile(Path(bw2io.__file__).parent / "data" / "lcia" / "lcia_39_ecoinvent.zip") as z:
        for m in json.loads(z.read("data.json")):
            if tuple(m["name"]) == method:
                return {(c["name"], tuple(c["categories"])): c["amount"] for c in m["exchanges"]}
    raise KeyError(method)


def test_indicator_mapping_claims_hold():
    """What lca_engine.export.mapping says: our toxicity and water-use factors are EN 15804+A2's (EF 3.1) and our
    carbon is not GWP-total (different N2O and CH4 factors)."""
    from lca_engine.export.mapping import LCAX_CATEGORIES
    from lca_engine.indicators import AR5_GWP100, INDICATORS

    for m in LCAX_CATEGORIES:
        if m.en15804:
            method = INDICATORS[m.indicator].method
            assert method[0] == "EF v3.1"
            assert _shipped_cfs(method) == _shipped_cfs(("EF v3.1 EN15804", *method[1:]))
    gwp = ("climate change", "global warming potential (GWP100)")
    n2o = ("Dinitrogen monoxide", ("air",))
    assert AR5_GWP100["Dinitrogen monoxide"] == 265
    assert {_shipped_cfs(("EF v3.0 EN15804", *gwp))[n2o], _shipped_cfs(("EF v3.1 EN15804", *gwp))[n2o]} == {298, 273}
    assert next(m for m in LCAX_CATEGORIES if m.indicator == "carbon").en15804 is False


def test_a_link_an_indicator_does_not_characterise_is_named(data_dir, tmp_path):
    """The tiny pair with its yarn and fabric bought from the EcoSpold 1 fixture import (ABS resin): GWP (DESNZ AR5
    carbon), PENRT and PERT never count an imported link, and the resin reports no water flow (WDP 0); its
    toxicity is counted. Each assembly names what its numbers leave out, the project the background, and lcax's
    parser reads the file."""
    import lcax

    import lca_engine as le
    from lca_engine.export.lcax import write_lcax

    from .test_background_link_formats import CASES, imported, write_linked

    case = imported(data_dir, CASES["ecospold1"])
    a = le.assess_files([write_linked(tmp_path, case.key)], data_dir=data_dir)
    factories = [a.checked[i].factory for i in a.pairs[0]]
    out = tmp_path / "linked.lcax.json"
    write_lcax(a.results, factories, out, a.year)
    d = json.loads(out.read_text())
    lcax.Project.loads(out.read_text())
    assert d["metaData"]["imported_backgrounds"] == [case.name]
    assert f"imported background(s) {case.name}" in d["lciaMethod"]
    for asm, flow in zip(d["assemblies"], ("yarn", "fabric"), strict=True):
        said = [f"{flow} (not characterised by background {case.name})"]
        assert asm["metaData"]["not_characterised"] == {c: said for c in ("gwp", "penrt", "pert", "wdp")}
        assert asm["results"]["gwp"]["a1a3"] == pytest.approx(a.total(asm["id"], "carbon"), rel=1e-9)
        r = a.results
        tox = r[(r.factory == asm["id"]) & (r.indicator == "ecotox_freshwater") & (r.contributor == flow)]
        assert float(tox.value.sum()) > 0  # counted, so not named
    # without a link nothing is named
    plain = json.loads(write_plain(tmp_path))
    assert "imported_backgrounds" not in plain["metaData"]
    assert all("not_characterised" not in asm["metaData"] for asm in plain["assemblies"])


def write_plain(folder: Path) -> str:
    import lca_engine as le
    from lca_engine.export.lcax import write_lcax

    from .conftest import DATA

    a = le.assess_files([DATA / "tiny_micro.toml"])
    out = folder / "plain.lcax.json"
    write_lcax(a.results, [a.checked[i].factory for i in a.pairs[0]], out, a.year)
    return out.read_text()
