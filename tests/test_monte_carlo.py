"""Vectorised paired Monte Carlo: exact solves, closed-form distributions, pairing, template independence,
agreement with bw2calc, and bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from lca_engine import Assumption, Factory, Flow, FunctionalUnit, Process, Site, load, monte_carlo
from lca_engine.uncertainty import Entries, MatrixSystem, Solver, UncertaintyError, sample
from lca_engine.uncertainty import monte_carlo as run

from .conftest import EXAMPLES


def _tri_mean(a, m, b):
    return (a + m + b) / 3


def _tri_var(a, m, b):
    return (a * a + m * m + b * b - a * m - a * b - m * b) / 18


def plant(fid: str, system: str, kwh: float, low: float, high: float, key="desnz.electricity.uk") -> Factory:
    """One process buying electricity (uncertain amount) and selling 1 item of 1 kg made from 1 kg material."""
    a = Assumption(reasoning="test distribution for the Monte Carlo", low=low, high=high)
    fixed = Assumption(reasoning="test value, fixed for the Monte Carlo", low=1, high=1)
    return Factory(
        id=fid,
        name=fid,
        sector="textiles",
        system=system,
        site=Site(name="x", lat=51.5, lon=-3.2),
        functional_unit=FunctionalUnit(amount=1, unit="item", description="one test item"),
        processes=[Process(id="make")],
        flows=[
            Flow.model_validate(
                {
                    "id": "power",
                    "from": "market",
                    "to": "make",
                    "kind": "energy",
                    "amount": kwh,
                    "unit": "kWh",
                    "background": key,
                    "assumption": a,
                }
            ),
            Flow.model_validate(
                {
                    "id": "out",
                    "from": "make",
                    "to": "market",
                    "kind": "product",
                    "amount": 1,
                    "unit": "item",
                    "mass_per_unit": "1 kg/item",
                    "assumption": fixed,
                }
            ),
            Flow.model_validate(
                {
                    "id": "fibre",
                    "from": "market",
                    "to": "make",
                    "kind": "material",
                    "amount": 1,
                    "unit": "kg",
                    "origin": "virgin",
                    "assumption": fixed,
                }
            ),
        ],
    )


@pytest.fixture(scope="module")
def pair(data_dir):
    micro, base = plant("mc-micro", "micro-factory", 2, 1, 4), plant("mc-base", "baseline", 3, 2, 5)
    return micro, base


def test_difference_matches_the_closed_form(pair, data_dir, catalog):
    """carbon = kWh × (generation + T&D factor). With U = kWh_micro − kWh_base (independent triangulars) and
    V = G + T (shared triangulars from the DESNZ 2023-2025 spread): E[UV] = E[U]E[V] and
    Var(UV) = E[U²]E[V²] − E[U]²E[V]² (U, V independent)."""
    r = monte_carlo(list(pair), draws=40_000, seed=3, data_dir=data_dir, indicators=["carbon"])
    gen, td = catalog.factors["desnz.electricity.uk.generation"], catalog.factors["desnz.electricity.uk.td"]
    eu = _tri_mean(1, 2, 4) - _tri_mean(2, 3, 5)
    vu = _tri_var(1, 2, 4) + _tri_var(2, 3, 5)
    ev = _tri_mean(gen.low, gen.value, gen.high) + _tri_mean(td.low, td.value, td.high)
    vv = _tri_var(gen.low, gen.value, gen.high) + _tri_var(td.low, td.value, td.high)
    mean = eu * ev
    var = (vu + eu**2) * (vv + ev**2) - mean**2
    d = r.difference("mc-micro", "mc-base").set_index("indicator").loc["carbon"]
    se = np.sqrt(var / r.draws)
    assert abs(d["mean"] - mean) < 4 * se
    assert d["sd"] == pytest.approx(np.sqrt(var), rel=0.03)
    # each factory's own mean too
    assert r.of("mc-micro", "carbon").mean() == pytest.approx(_tri_mean(1, 2, 4) * ev, rel=0.01)


def test_paired_difference_is_narrower_when_a_shared_factor_dominates(data_dir):
    micro, base = plant("nar-micro", "micro-factory", 2, 1.99, 2.01), plant("nar-base", "baseline", 3, 2.99, 3.01)
    paired = monte_carlo([micro, base], draws=5000, seed=1, data_dir=data_dir, indicators=["carbon"])
    indep = monte_carlo([micro, base], draws=5000, seed=1, data_dir=data_dir, indicators=["carbon"], paired=False)
    sd_p = paired.difference("nar-micro", "nar-base")["sd"].iloc[0]
    sd_i = indep.difference("nar-micro", "nar-base")["sd"].iloc[0]
    assert sd_p < 0.5 * sd_i
    # and in the paired run the micro-factory is below the baseline in every draw
    assert paired.difference("nar-micro", "nar-base")["p_lower"].iloc[0] == 1.0


def test_factories_from_one_template_get_independent_foreground_draws(data_dir):
    """Same inventory, two ids, a factor with no spread: only their own exchanges vary, and independently."""
    key = "desnz.material.clothing.primary"  # same value every DESNZ year -> no background distribution
    a = plant("tpl-a", "micro-factory", 2, 1, 4, key=key).model_copy()
    a.flows[0] = a.flows[0].model_copy(update={"kind": "material", "unit": "kg", "origin": "virgin"})
    b = a.model_copy(update={"id": "tpl-b"})
    r = monte_carlo([a, b], draws=5000, seed=11, data_dir=data_dir, indicators=["carbon"])
    xa, xb = r.of("tpl-a", "carbon"), r.of("tpl-b", "carbon")
    assert xa.std() > 0 and xb.std() > 0
    assert abs(np.corrcoef(xa, xb)[0, 1]) < 0.06
    # reproducible with a seed, different with another
    again = monte_carlo([a, b], draws=5000, seed=11, data_dir=data_dir, indicators=["carbon"])
    assert np.array_equal(again.scores, r.scores)
    assert not np.array_equal(
        monte_carlo([a, b], draws=50, seed=12, data_dir=data_dir, indicators=["carbon"]).scores, r.scores[:, :, :50]
    )


def test_deterministic_equals_bw2calc_and_means_agree(data_dir, catalog):
    import warnings

    import bw2calc as bc
    import bw2data as bd

    from lca_engine.bw.build import FU_CODE, foreground_db_name
    from lca_engine.bw.matrices import extract

    fs = [load(EXAMPLES / "textile_merthyr_micro.toml"), load(EXAMPLES / "textile_conventional_baseline.toml")]
    system = extract(fs, catalog, data_dir)
    det = Solver(system).deterministic()
    ref = system.reference_scores
    assert np.all(np.abs(det - ref) <= 1e-9 * np.abs(ref) + 1e-12)
    # bw2calc's own Monte Carlo on the same distributions: means agree within Monte Carlo error
    ours = run(system, draws=20_000, seed=5)
    demands = {f.id: {bd.get_node(database=foreground_db_name(f, 2025), code=FU_CODE).id: 1} for f in fs}
    method = ("lca-engine", "climate change", "GWP100, IPCC AR5 basis (DESNZ kg CO2e)")
    config = {"impact_categories": [method]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlca = bc.MultiLCA(
            demands=demands,
            method_config=config,
            data_objs=bd.get_multilca_data_objs(demands, config),
            use_distributions=True,
            seed_override=123,
        )
        mlca.lci()
        mlca.lcia()
        draws = []
        for _ in range(400):
            next(mlca)
            draws.append([mlca.scores[(method, f.id)] for f in fs])
    draws = np.array(draws)
    for j, f in enumerate(fs):
        bw_mean, bw_se = draws[:, j].mean(), draws[:, j].std(ddof=1) / np.sqrt(len(draws))
        ours_mean = ours.of(f.id, "carbon").mean()
        assert abs(ours_mean - bw_mean) < 4 * bw_se + 4 * ours.of(f.id, "carbon").std() / np.sqrt(ours.draws)


def test_woodbury_is_exact_when_uncertain_entries_feed_each_other():
    """A 3-activity system whose uncertain entries form a loop (M ≠ 0): every draw equals a direct solve."""
    from bw_processing.constants import UNCERTAINTY_DTYPE

    rows = np.array([0, 1, 2, 1, 0, 2])
    cols = np.array([0, 1, 2, 0, 1, 1])
    data = np.array([1.0, 1.0, 1.0, 0.3, 0.2, 0.5])
    sign = np.array([1, 1, 1, -1, -1, -1.0])
    params = np.zeros(6, dtype=UNCERTAINTY_DTYPE)
    params["loc"] = data
    params["uncertainty_type"][3:5] = 5
    params["minimum"][3:5] = [0.1, 0.05]
    params["maximum"][3:5] = [0.6, 0.5]
    tech = Entries(rows, cols, data, sign, params, np.array(["t"] * 6))
    bparams = np.zeros(2, dtype=UNCERTAINTY_DTYPE)
    bparams["uncertainty_type"] = [5, 0]
    bparams["loc"] = [2.0, 1.0]
    bparams["minimum"][0], bparams["maximum"][0] = 1.0, 3.0
    bio = Entries(
        np.array([0, 0]), np.array([0, 2]), np.array([2.0, 1.0]), np.array([1.0, 1.0]), bparams, np.array(["b", "b"])
    )
    system = MatrixSystem(tech, bio, 3, 1, np.array([[1.0]]), ["x"], np.array([[1.0], [0.0], [0.0]]), ["fu"], {})
    solver = Solver(system)
    assert not solver.m_zero
    ta, tb = sample(system, 50, seed=2)
    got = solver.solve(ta, tb)
    for j in range(50):
        a = np.zeros((3, 3))
        vals = data.copy()
        vals[3:5] = ta[:, j]
        np.add.at(a, (rows, cols), vals * sign)
        x = np.linalg.solve(a, [1.0, 0, 0])
        expected = tb[0, j] * x[0] + 1.0 * x[2]
        assert got[0, 0, j] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("draws", [0, -5, 2.5])
def test_bad_draws(draws, data_dir, pair):
    with pytest.raises(UncertaintyError) as e:
        monte_carlo(list(pair), draws=draws, seed=1, data_dir=data_dir, indicators=["carbon"])
    assert "positive integer" in e.value.problems[0].message


def test_invalid_distribution_bounds_are_a_clear_error():
    from bw_processing.constants import UNCERTAINTY_DTYPE

    params = np.zeros(1, dtype=UNCERTAINTY_DTYPE)
    params["uncertainty_type"], params["loc"], params["minimum"], params["maximum"] = 5, 1.0, 2.0, 0.5
    tech = Entries(np.array([0]), np.array([0]), np.array([1.0]), np.array([1.0]), params, np.array(["t"]))
    empty = np.zeros(0, dtype=UNCERTAINTY_DTYPE)
    bio = Entries(np.array([], int), np.array([], int), np.array([]), np.array([]), empty, np.array([]))
    system = MatrixSystem(tech, bio, 1, 1, np.array([[1.0]]), ["x"], np.array([[1.0]]), ["fu"], {})
    with pytest.raises(UncertaintyError) as e:
        sample(system, 10, seed=1)
    assert "invalid distribution" in e.value.problems[0].message and e.value.problems[0].fix


def test_iterative_path_equals_woodbury(monkeypatch, data_dir, catalog):
    """Large models use the preconditioned iteration; on the example it must give the same draws."""
    import lca_engine.uncertainty as unc
    from lca_engine.bw.matrices import extract

    fs = [load(EXAMPLES / "housing_ebbw_vale_micro.toml"), load(EXAMPLES / "housing_conventional_baseline.toml")]
    system = extract(fs, catalog, data_dir, ["carbon", "water_withdrawal"])
    ta, tb = sample(system, 200, seed=9)
    exact = Solver(system).solve(ta, tb)
    monkeypatch.setattr(unc, "WOODBURY_MAX", 0)
    it = Solver(system)
    assert it.mode == "iterative"
    assert np.allclose(it.solve(ta, tb), exact, rtol=1e-10, atol=1e-12)


def test_sobol_indices_match_the_closed_form(pair, data_dir, catalog):
    """D = (Xm − Xb)·(G + T): E[D | Xm] = (Xm − E[Xb])·E[V], so S1(Xm) = E[V]² Var(Xm) / Var(D); likewise
    S1(Xb); and E[D | G] = E[U]·(G + E[T]), so S1(G) = E[U]² Var(G) / Var(D) (U = Xm − Xb, V = G + T)."""
    from lca_engine.bw.matrices import extract
    from lca_engine.sensitivity import sobol_difference

    system = extract(list(pair), catalog, data_dir, ["carbon"])
    df = sobol_difference(system, "mc-micro", "mc-base", ["carbon"], samples=512, seed=2).set_index("parameter")
    gen, td = catalog.factors["desnz.electricity.uk.generation"], catalog.factors["desnz.electricity.uk.td"]
    eu = _tri_mean(1, 2, 4) - _tri_mean(2, 3, 5)
    vu = _tri_var(1, 2, 4) + _tri_var(2, 3, 5)
    ev = _tri_mean(gen.low, gen.value, gen.high) + _tri_mean(td.low, td.value, td.high)
    vv = _tri_var(gen.low, gen.value, gen.high) + _tri_var(td.low, td.value, td.high)
    var = (vu + eu**2) * (vv + ev**2) - (eu * ev) ** 2
    s_micro = ev**2 * _tri_var(1, 2, 4) / var
    s_gen = eu**2 * _tri_var(gen.low, gen.value, gen.high) / var
    micro = df.loc[next(p for p in df.index if p.startswith("fg-mc-micro"))]
    genrow = df.loc[next(p for p in df.index if "electricity.uk.generation" in p)]
    assert micro["S1"] == pytest.approx(s_micro, abs=0.06)
    assert genrow["S1"] == pytest.approx(s_gen, abs=0.06)
    assert df["ST"].iloc[0] >= df["ST"].iloc[-1]  # sorted by total effect


def test_batches_and_workers_do_not_change_the_draws(pair, data_dir, catalog):
    from lca_engine.bw.matrices import extract

    system = extract(list(pair), catalog, data_dir, ["carbon"])
    one = run(system, draws=3000, seed=8)
    many = run(system, draws=3000, seed=8, batch=256, workers=2)
    assert np.array_equal(one.scores, many.scores)
    with pytest.raises(UncertaintyError):
        run(system, draws=10, seed=1, workers=0)
