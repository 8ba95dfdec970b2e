"""Vectorised paired Monte Carlo: exact solves, closed-form distributions, pairing, template independence,
agreement with bw2calc, and bad inputs."""

from __future__ import annotations

import numpy as np
import pytest

from lca_engine import Assumption, Factory, Flow, FunctionalUnit, Process, Site, load, monte_carlo
from lca_engine.mc_solvers import Jacobi, Woodbury, choose_solver
from lca_engine.uncertainty import Entries, MatrixSystem, UncertaintyError, sample
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
    det = choose_solver(system).deterministic()
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
    solver = Woodbury(system)
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


def test_iterative_path_equals_woodbury(data_dir, catalog):
    """Large models use the Jacobi iteration; on the example it must give the same draws as Woodbury."""
    from lca_engine.bw.matrices import extract

    fs = [load(EXAMPLES / "housing_ebbw_vale_micro.toml"), load(EXAMPLES / "housing_conventional_baseline.toml")]
    system = extract(fs, catalog, data_dir, ["carbon", "water_withdrawal"])
    ta, tb = sample(system, 200, seed=9)
    assert isinstance(choose_solver(system), Woodbury)  # the chooser's pick for this many uncertain entries
    exact = Woodbury(system).solve(ta, tb)
    assert np.allclose(Jacobi(system).solve(ta, tb), exact, rtol=1e-10, atol=1e-12)


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


def test_unpaired_runs_honour_workers_and_progress():
    """paired=False: every functional unit on its own draws, the same with 2 workers and small batches as with
    one; progress reaches the number of draws, never goes back; the solve counts come per functional unit."""
    system = _random_system(12, seed=2, loop_strength=0.5)
    seen: list[int] = []
    one = run(system, draws=120, seed=3, paired=False)
    many = run(system, draws=120, seed=3, paired=False, batch=10, workers=2, progress=seen.append)
    assert np.array_equal(one.scores, many.scores)
    assert seen == sorted(seen) and seen[-1] == 120
    assert len(many.solved) == 2 and all(s.draws == 120 for s in many.solved)
    # each unit's draws are those of a paired run of that unit alone with its own seed (independent streams)
    alone = run(system.one_demand(1), draws=120, seed=3 + 7919 * 2)
    assert np.array_equal(one.scores[:, 1], alone.scores[:, 0])


def _random_system(n: int, seed: int, loop_strength: float, shared: bool = True) -> MatrixSystem:
    """n activities, a dense-ish random technosphere with uncertain diagonal, inputs and (optionally) two
    uncertain entries on one position; lognormal, normal, uniform and triangular distributions mixed."""
    from bw_processing.constants import UNCERTAINTY_DTYPE

    rng = np.random.default_rng(seed)
    rows, cols, data, sign = [], [], [], []
    for j in range(n):
        rows.append(j), cols.append(j), data.append(1.0 + 0.1 * rng.random()), sign.append(1.0)
        for i in rng.choice(n, 4, replace=False):
            if i != j:
                rows.append(i), cols.append(j), data.append(loop_strength * rng.random() / 4), sign.append(-1.0)
    if shared:  # a second entry on an existing off-diagonal position (bw2calc sums them)
        rows.append(rows[1]), cols.append(cols[1]), data.append(0.01), sign.append(-1.0)
    rows, cols, data, sign = map(np.array, (rows, cols, data, sign))
    k = data.size
    p = np.zeros(k, dtype=UNCERTAINTY_DTYPE)
    kind = rng.choice([2, 3, 4, 5], k)
    p["uncertainty_type"] = kind
    p["loc"] = np.where(kind == 2, np.log(data), data)
    p["scale"] = np.where(kind == 2, 0.1, 0.05 * data)
    p["minimum"], p["maximum"] = 0.8 * data, 1.3 * data
    tech = Entries(rows, cols, data, sign, p, np.array(["t"] * k))
    bp = np.zeros(n, dtype=UNCERTAINTY_DTYPE)
    bp["uncertainty_type"], bp["loc"], bp["scale"] = 2, 0.0, 0.2
    bio = Entries(np.zeros(n, int), np.arange(n), np.ones(n), np.ones(n), bp, np.array(["b"] * n))
    demand = np.zeros((n, 2))
    demand[0, 0] = demand[1, 1] = 1.0
    return MatrixSystem(tech, bio, n, 1, np.array([[2.0]]), ["x"], demand, ["a", "b"], {})


def _direct(system: MatrixSystem, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
    """Scores draw by draw with a dense solve of the assembled matrices (independent of the engine)."""
    t, bio, n = system.tech, system.bio, system.n
    out = np.empty((1, 2, ta.shape[1]))
    for j in range(ta.shape[1]):
        vals = t.data.copy()
        vals[t.uncertain] = ta[:, j]
        a = np.zeros((n, n))
        np.add.at(a, (t.rows, t.cols), vals * t.sign)
        bvals = bio.data.copy()
        bvals[bio.uncertain] = tb[:, j]
        b = np.zeros((1, n))
        np.add.at(b, (bio.rows, bio.cols), bvals * bio.sign)
        out[0, :, j] = (system.cf @ b @ np.linalg.solve(a, system.demand))[0]
    return out


@pytest.mark.parametrize("loop_strength", [0.6, 3.0])
def test_jacobi_path_is_exact_with_shared_positions_and_uncertain_diagonals(loop_strength):
    """Large-model path on a small random system: every draw equals a dense solve. With weak loops the Jacobi
    sweeps converge; with strong ones (spectral radius of D⁻¹O above 1) they cannot, and the draws must go to
    the preconditioned / direct fallback — same answer either way."""
    system = _random_system(30, seed=3, loop_strength=loop_strength)
    ta, tb = sample(system, 40, seed=5)
    solver = Jacobi(system)
    got = solver.solve(ta, tb)
    assert np.allclose(got, _direct(system, ta, tb), rtol=1e-9, atol=0)
    a = _dense(system)
    radius = abs(np.linalg.eigvals(np.diag(1 / np.diag(a)) @ (np.diag(np.diag(a)) - a))).max()
    assert (radius < 1) == (loop_strength < 1)  # the two cases really are on either side of convergence
    assert (solver.handed_over == 0) == (loop_strength < 1)


def _dense(system: MatrixSystem) -> np.ndarray:
    t = system.tech
    a = np.zeros((system.n, system.n))
    np.add.at(a, (t.rows, t.cols), t.data * t.sign)
    return a


def test_draws_do_not_depend_on_how_many_are_asked_for():
    """Chunked streams: the first 25 draws of a 60-draw run are the 25 draws of a 25-draw run."""
    system = _random_system(10, seed=1, loop_strength=0.5)
    short, long = sample(system, 25, seed=4), sample(system, 60, seed=4)
    assert np.array_equal(short[0], long[0][:, :25]) and np.array_equal(short[1], long[1][:, :25])


def test_sampled_distributions_have_the_stated_moments():
    """Lognormal (with the negative flag), normal, uniform, triangular: sample means and variances against the
    textbook formulas (not against stats_arrays' output)."""
    from bw_processing.constants import UNCERTAINTY_DTYPE

    from lca_engine.uncertainty import draw_values

    p = np.zeros(5, dtype=UNCERTAINTY_DTYPE)
    p["uncertainty_type"] = [2, 2, 3, 4, 5]
    p["loc"] = [0.5, 0.5, 3.0, np.nan, 2.0]
    p["scale"] = [0.3, 0.3, 0.5, np.nan, np.nan]
    p["negative"] = [False, True, False, False, False]
    p["minimum"] = [np.nan, np.nan, np.nan, 1.0, 1.0]
    p["maximum"] = [np.nan, np.nan, np.nan, 4.0, 5.0]
    v = draw_values(p, 400_000, np.random.default_rng(0))
    ln_mean, ln_var = np.exp(0.5 + 0.045), (np.exp(0.09) - 1) * np.exp(1.0 + 0.09)
    expected = [
        (ln_mean, ln_var),
        (-ln_mean, ln_var),
        (3.0, 0.25),
        (2.5, 9 / 12),
        (_tri_mean(1, 2, 5), _tri_var(1, 2, 5)),
    ]
    for row, (mean, var) in zip(v, expected, strict=True):
        assert row.mean() == pytest.approx(mean, rel=5e-3)
        assert row.var() == pytest.approx(var, rel=2e-2)
