"""Inventories linked to the EcoSpold 1 and openLCA JSON-LD fixture imports (issue 18; EcoSpold 2 is in
tests/test_background_link.py): the deterministic result against bw2calc run directly on the imported database and
against a numpy solve of its exchanges, paired Monte Carlo, coverage and the report naming the background.

Both fixture sets are Brightway's own importer test files (tests/fixtures/bw2io, SOURCE.md), imported with
``--cut-off`` (each names providers it does not hold). Neither carries a single distribution (the linking report's
``with_distribution`` is 0), so the background's draws are constant: checked. The US-FPL processes hold no
elementary flow at all, so every characterised indicator of a link to them is 0, and coverage says so.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from lca_engine.background.links import CHARACTERISED

from .test_background_link import TINY, YARN_KEY, _flow_sum, linked_copies

FIX = Path(__file__).parent / "fixtures" / "bw2io"
ABS_NAME = "Acrylonitrile-butadiene-styrene copolymer resin, at plant, CTR"


@dataclass(frozen=True)
class Case:
    name: str  # the background's name
    path: Path
    activity: str  # the link key after 'NAME:'
    licence: str
    version: str

    @property
    def key(self) -> str:
        return f"{self.name}:{self.activity}"


CASES = {
    "ecospold1": Case(
        "es1link",
        FIX / "ecospold1" / "Acrylonitrile-butadiene-styrene copolymer (ABS), resin, at plant CTR.xml",
        f"{ABS_NAME}|{ABS_NAME}|RNA",
        "BSD-3-Clause (bw2io test files)",
        "es1-test-1",
    ),
    "jsonld": Case(
        "fpllink",
        FIX / "json-ld" / "US-FPL",
        "Wood chip briquette production; at plant|Wood chip briquette; at plant|United States",
        "CC0 1.0 (US Federal LCA Commons)",
        "fpl-test-1",
    ),
}
#: kg of the linked product per functional unit: the yarn of tiny-micro, the fabric of tiny-baseline
KG = {"tiny-micro": 0.5, "tiny-baseline": 0.7}


def write_linked(folder: Path, key: str) -> Path:
    """tiny_micro/tiny_baseline with the yarn and fabric bought from ``key``; everything else stays DESNZ."""
    linked_copies(folder)
    for name in ("tiny_micro.toml", "tiny_baseline.toml"):
        p = folder / name
        text = p.read_text(encoding="utf-8").replace(YARN_KEY, key)
        p.write_text(text.replace(f"{TINY}:c-elec", "desnz.electricity.uk"), encoding="utf-8")
    return folder / "tiny_micro.toml"


@dataclass
class Linked:
    case: Case
    micro: Path
    assessment: object
    factories: list


def imported(data_dir: Path, case: Case) -> Case:
    """``case`` imported into the test session's data folder (once, by whichever test needs it first)."""
    from lca_engine.background.imported import load_meta
    from lca_engine.background_import import import_background

    if load_meta(data_dir, case.name) is None:
        import_background(case.path, case.name, case.licence, data_dir=data_dir, cut_off=True, version=case.version)
    return case


@pytest.fixture(scope="module")
def plain(data_dir):
    from lca_engine import assess_files

    from .conftest import DATA

    return assess_files([DATA / "tiny_micro.toml"], year=2025, data_dir=data_dir)


@pytest.fixture(scope="module", params=list(CASES))
def linked(request, data_dir, tmp_path_factory) -> Linked:
    from lca_engine import assess_files, load

    case = imported(data_dir, CASES[request.param])
    micro = write_linked(tmp_path_factory.mktemp(case.name), case.key)
    assessment = assess_files([micro], year=2025, data_dir=data_dir)
    factories = [load(micro), load(micro.with_name("tiny_baseline.toml"))]
    return Linked(case, micro, assessment, factories)


def _node(case: Case):
    import bw2data as bd

    from lca_engine.background.links import Links

    code = Links(_root()).resolve(case.key).activity.code
    return bd.get_node(database=f"bg-{case.name}", code=code)


def _root() -> Path:
    import os

    return Path(os.environ["LCA_ENGINE_DATA_DIR"])


def bw2calc_score(case: Case, indicator: str) -> tuple[float, int]:
    """bw2calc's LCA of one unit of the linked activity with the indicator's method, and the number of elementary
    flows in its biosphere matrix."""
    import bw2calc as bc

    from lca_engine.indicators import INDICATORS

    with warnings.catch_warnings():
        # bw2calc warns that US-FPL has no elementary flow, and that water's CFs meet none of the ABS resin's
        warnings.filterwarnings("ignore", "No valid biosphere flows found", UserWarning)
        warnings.filterwarnings("ignore", "All values in characterization matrix are zero", UserWarning)
        lca = bc.LCA({_node(case): 1.0}, method=INDICATORS[indicator].method)
        lca.lci()
        if lca.biosphere_matrix.shape[0] == 0:  # no elementary flow at all: nothing to characterise
            return 0.0, 0
        lca.lcia()
    return float(lca.score), lca.biosphere_matrix.shape[0]


def numpy_score(case: Case, indicator: str) -> float:
    """The same score from the float64 exchanges bw2data stores, solved with numpy: A x = e_j, c·B x."""
    import bw2data as bd

    from lca_engine.indicators import INDICATORS

    acts = list(bd.Database(f"bg-{case.name}"))
    col = {a.key: j for j, a in enumerate(acts)}
    flows = sorted({e.input.id for a in acts for e in a.biosphere()})
    a_m, b_m = np.zeros((len(acts), len(acts))), np.zeros((len(flows), len(acts)))
    for j, act in enumerate(acts):
        for e in act.exchanges():
            if e["type"] == "production":
                a_m[col[e.input.key], j] += e["amount"]
            elif e["type"] == "technosphere":
                a_m[col[e.input.key], j] -= e["amount"]
            elif e["type"] == "biosphere":
                b_m[flows.index(e.input.id), j] += e["amount"]
    cfs = {_node_id(k): v for k, v in bd.Method(INDICATORS[indicator].method).load()}
    c = np.array([cfs.get(f, 0.0) for f in flows])
    demand = np.zeros(len(acts))
    demand[col[_node(case).key]] = 1.0
    return float(c @ b_m @ np.linalg.solve(a_m, demand))


def _node_id(key) -> int:
    """A CF's flow as bw2data stores it in a method: its node id, or (database, code)."""
    import bw2data as bd

    return key if isinstance(key, int) else bd.get_node(database=key[0], code=key[1]).id


@pytest.fixture(scope="module")
def scores(linked) -> dict[str, tuple[float, float, int]]:
    """Per indicator: bw2calc's score, numpy's score and the number of elementary flows bw2calc sees."""
    out = {}
    for ind in CHARACTERISED:
        score, n_flows = bw2calc_score(linked.case, ind)
        out[ind] = (score, numpy_score(linked.case, ind), n_flows)
    return out


#: What the fixture files reach (read from their elementary flows): the ABS resin's emissions have carbon and
#: toxicity CFs but it reports no water flow that the water methods characterise; US-FPL has no elementary flow.
REACHED = {
    "es1link": {"carbon_ipcc2021", "ecotox_freshwater", "human_tox_cancer", "human_tox_noncancer"},
    "fpllink": set(),
}


def test_linked_result_equals_bw2calc_and_numpy_on_the_imported_database(linked, plain, scores):
    """Each indicator that counts an imported link: the linked flow's part is kg × score of one unit of the
    activity (bw2calc at its float32 precision, numpy on the float64 exchanges at 1e-9); the other flows are the
    plain inventory's."""
    case, a = linked.case, linked.assessment
    for ind, (score, exact, _) in scores.items():
        assert exact == pytest.approx(score, rel=1e-6, abs=1e-30)
        for fid, kg in KG.items():
            moved = ("yarn",) if fid == "tiny-micro" else ("fabric",)
            assert _flow_sum(a, fid, ind, moved) == pytest.approx(kg * exact, rel=1e-9, abs=1e-15)
            rest = plain.total(fid, ind) - _flow_sum(plain, fid, ind, moved)
            assert a.total(fid, ind) == pytest.approx(rest + kg * exact, rel=1e-9, abs=1e-15)
    assert {ind for ind, (_, exact, _) in scores.items() if exact > 0} == REACHED[case.name]
    if not REACHED[case.name]:
        assert {n for *_, n in scores.values()} == {0}  # the US-FPL processes carry no elementary flow


def test_coverage_says_what_the_link_does_not_characterise(linked, scores):
    """A link whose score is 0 for an indicator (US-FPL: every one; ABS: water) is no characterisation: coverage
    names the flow and the background instead of reading 0 as 'no impact'; where it has a score it is covered."""
    case, cov = linked.case, linked.assessment.coverage.set_index(["factory", "indicator", "scope"])
    said = f"yarn (not characterised by background {case.name})"
    for ind, (_, exact, _) in scores.items():
        row = cov.loc[("tiny-micro", ind, "cradle_to_gate")]
        missing = row["missing"].split("; ")
        if exact == 0:
            assert said in missing and row["coverage"] < 1.0, (ind, row.to_dict())
        else:
            assert said not in missing and "yarn" not in missing, (ind, row.to_dict())


def _linking_report(case: Case) -> dict:
    from lca_engine.background.imported import REPORT_JSON, registry_dir

    return json.loads((registry_dir(_root()) / case.name / REPORT_JSON).read_text(encoding="utf-8"))


@pytest.mark.filterwarnings("ignore:No valid biosphere flows found:UserWarning")
def test_monte_carlo_of_a_background_without_distributions_is_constant_and_paired(linked, data_dir):
    """Neither file states a distribution (the linking report says 0 exchanges with one): every draw of an
    indicator that only the link reaches is the deterministic value, on both sides."""
    from lca_engine import monte_carlo

    case, a = linked.case, linked.assessment
    assert _linking_report(case)["with_distribution"] == 0
    only_link = [i for i in CHARACTERISED if i != "carbon_ipcc2021"]  # DESNZ flows carry carbon, not these
    mc = monte_carlo(linked.factories, draws=500, seed=5, data_dir=data_dir, indicators=only_link)
    for ind in only_link:
        micro, base = mc.of("tiny-micro", ind), mc.of("tiny-baseline", ind)
        det = a.total("tiny-micro", ind)
        assert micro.shape == (500,)
        assert np.allclose(micro, det, rtol=1e-6, atol=0) and np.allclose(base, a.total("tiny-baseline", ind), 1e-6)
        assert np.allclose(micro / KG["tiny-micro"], base / KG["tiny-baseline"], rtol=1e-6, atol=0)
        assert (det != 0) == (ind in REACHED[case.name])
    # carbon: the inventory's own DESNZ ranges vary it; the link adds its constant part to every draw
    carbon = monte_carlo(linked.factories, draws=500, seed=5, data_dir=data_dir, indicators=["carbon_ipcc2021"])
    assert carbon.of("tiny-micro", "carbon_ipcc2021").std() > 0


def test_report_names_the_background(linked, data_dir, tmp_path):
    from lca_engine.background.imported import load_meta
    from lca_engine.report import render_report

    case = linked.case
    meta = load_meta(data_dir, case.name)
    paths = render_report([linked.micro], tmp_path / "report", ("json", "html"), data_dir=data_dir, draws=50)
    content = json.loads(paths["tiny-micro.json"].read_text(encoding="utf-8"))
    (bg,) = content["backgrounds"]
    day = meta.imported[:10]
    assert (bg["name"], bg["version"], bg["licence"], bg["imported"]) == (case.name, case.version, case.licence, day)
    assert content["background_label"] == f"DESNZ 2025 + {case.name} {case.version}"
    html = " ".join(paths["tiny-micro.html"].read_text(encoding="utf-8").split())
    for text in (case.name, case.version, case.licence, day):
        assert text in html
    assert not math.isnan(content["carbon_basis"]["ar5_share_of_carbon_ipcc2021"]["tiny-micro"])


#: DESNZ 2025 factors published as kg CO2e totals only (AR5 basis; tests/test_carbon_by_hand.py): clothing to
#: landfill 496.78228 /t, water supply 0.1913 /m3, water treatment 0.17088 /m3.
AR5_BY_HAND = {
    "tiny-micro": 0.010 / 1000 * 496.78228 + 10 / 1000 * 0.1913,  # recovery loss to landfill, 10 L mains water
    "tiny-baseline": 0.2 / 1000 * 496.78228 + 0.05 * 0.17088,  # cutting waste to landfill, waste water
}


def test_carbon_basis_share_counts_a_link_on_the_ipcc_2021_basis(linked, scores):
    """The share of carbon_ipcc2021 on DESNZ's AR5 basis is only the shipped factors without a gas split: the
    link is characterised by bw2io's IPCC 2021 method (AR6), as are the electricity, gas, diesel and freight that
    DESNZ splits by gas."""
    a = linked.assessment
    _, exact, _ = scores["carbon_ipcc2021"]
    for fid, ar5 in AR5_BY_HAND.items():
        total = a.total(fid, "carbon_ipcc2021")
        assert a.carbon_basis_share(fid) == pytest.approx(ar5 / total, rel=1e-9)
        if exact:  # counted as AR5, the ABS link would have made the share ten times larger and more
            assert a.carbon_basis_share(fid) * 10 < (ar5 + KG[fid] * exact) / total


def test_carbon_basis_share_by_hand_on_a_result_table():
    """Without Brightway: flow rows of a result table, their factor keys (shipped, split by gas, linked to an
    imported background, the factory's own elementary flow) and the share on the AR5 basis worked by hand."""
    import pandas as pd

    from lca_engine.assess import Assessment

    parts = {
        "desnz.material.clothing.primary": 11.155,  # total only: AR5
        "desnz.electricity.uk": 0.4,  # split by gas: AR6
        "ecoinvent:c-steel": 2.0,  # an imported background's activity: AR6 (bw2io's IPCC 2021)
        "biosphere3:Methane, fossil": 0.298,  # the factory's own emission: AR6 (bw2io's IPCC 2021)
        "open.cotton.fibre": 1.5,  # an open factor published as a total: AR5 side, as before
    }
    base = {"factory": "f", "indicator": "carbon_ipcc2021", "scope": "cradle_to_gate", "scenario": "default"}
    rows = [{**base, "contributor_type": "flow", "factor": k, "value": v} for k, v in parts.items()]
    rows.append({**base, "contributor_type": "total", "factor": "", "value": sum(parts.values())})
    a = Assessment(pd.DataFrame(rows), [("f", None)], split_factors=frozenset({"desnz.electricity.uk"}))
    assert a.carbon_basis_share("f") == pytest.approx((11.155 + 1.5) / 15.353, rel=1e-12)
