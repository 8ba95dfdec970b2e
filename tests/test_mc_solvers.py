"""Monte Carlo solver strategies (lca_engine.mc_solvers): BiCGSTAB on blocks of draws against dense numpy solves
on strong and ill-conditioned loops, the fallbacks when the iteration cannot converge, and the chooser."""

from __future__ import annotations

import numpy as np
import pytest
from bw_processing.constants import UNCERTAINTY_DTYPE

from lca_engine.matrix_system import Entries, MatrixSystem
from lca_engine.mc_solvers import WOODBURY_MAX, Jacobi, Krylov, Woodbury, choose_solver
from lca_engine.uncertainty import monte_carlo, sample

from .test_monte_carlo import _direct, _random_system


def _loop_system(n: int, strength: tuple[float, float], gap: float = 0.0, inputs: int = 5, seed: int = 1):
    """n activities with production 1 and ``inputs`` inputs each from random others, the inputs of each column
    summing to a value in ``strength`` (lognormal, geometric σ 1.1). ``gap`` > 0: activities 0 and 1 buy
    a = √(1 − gap) of each other (a recycling loop; det of the pair = gap, static), their other inputs scaled
    to (1 − a) / 2. One elementary flow per activity (lognormal); demands: activity 0, and activities 2 and 3."""
    rng = np.random.default_rng(seed)
    rows, cols, data = [np.arange(n)], [np.arange(n)], [np.ones(n)]
    a = np.sqrt(1.0 - gap)
    for j in range(n):
        r = rng.choice(np.delete(np.arange(n), j), inputs, replace=False)
        v = rng.lognormal(0.0, 1.0, inputs)
        v *= rng.uniform(*strength) / v.sum()
        if gap and j < 2:
            r, v = r[r != 1 - j], v[r != 1 - j]
            r, v = np.append(r, 1 - j), np.append(v * (1 - a) / 2 / v.sum(), a)
        rows.append(r), cols.append(np.full(r.size, j)), data.append(v)
    rows, cols, data = map(np.concatenate, (rows, cols, data))
    sign = np.where(rows == cols, 1.0, -1.0)
    p = np.zeros(data.size, dtype=UNCERTAINTY_DTYPE)
    p["loc"] = data
    uncertain = (sign < 0) & (data < 0.5)  # the loop's coefficients are known exactly
    p["uncertainty_type"][uncertain] = 2
    p["loc"][uncertain], p["scale"][uncertain] = np.log(data[uncertain]), np.log(1.1)
    order = np.argsort(p["uncertainty_type"], kind="stable")
    tech = Entries(rows[order], cols[order], data[order], sign[order], p[order], np.array(["t"] * data.size))
    bp = np.zeros(n, dtype=UNCERTAINTY_DTYPE)
    b_data = rng.lognormal(0.0, 1.0, n)
    bp["uncertainty_type"], bp["loc"], bp["scale"] = 2, np.log(b_data), 0.1
    bio = Entries(np.zeros(n, int), np.arange(n), b_data, np.ones(n), bp, np.array(["b"] * n))
    demand = np.zeros((n, 2))
    demand[0, 0] = demand[2, 1] = demand[3, 1] = 1.0
    return MatrixSystem(
        tech=tech,
        bio=bio,
        n=n,
        n_bio=1,
        cf=np.array([[1.5]]),
        indicators=["x"],
        demand=demand,
        demand_names=["a", "b"],
        activity_names={},
    )


def _spectral_radius(system: MatrixSystem) -> float:
    t = system.tech
    a = np.zeros((system.n, system.n))
    np.add.at(a, (t.rows, t.cols), t.data * t.sign)
    d = np.diag(a)
    return float(abs(np.linalg.eigvals(np.diag(1 / d) @ (np.diag(d) - a))).max())


def test_bicgstab_equals_dense_solves_on_strong_loops():
    """Column sums 0.90–0.99: every draw's scores equal a dense numpy solve of that draw's matrices, solved by
    the iteration itself (no draw handed over)."""
    system = _loop_system(80, (0.90, 0.99))
    assert 0.9 < _spectral_radius(system) < 1  # strong loops, still productive
    ta, tb = sample(system, 60, seed=2)
    solver = Krylov(system)
    got = solver.solve(ta, tb)
    expected = _direct(system, ta, tb)
    assert np.abs(got / expected - 1).max() < 1e-9
    assert solver.handed_over == 0 and solver.stats().direct == 0


def test_bicgstab_equals_dense_solves_on_an_ill_conditioned_recycling_loop():
    """A recycling loop with det 1e-6 (condition number ~1e6): every draw within 1e-6 relative of a dense
    solve, whether the iteration settled it or handed it to the exact fallbacks."""
    system = _loop_system(80, (0.10, 0.45), gap=1e-6)
    a = np.zeros((80, 80))
    np.add.at(a, (system.tech.rows, system.tech.cols), system.tech.data * system.tech.sign)
    assert np.linalg.cond(a) > 1e5
    ta, tb = sample(system, 60, seed=4)
    solver = Krylov(system)
    got = solver.solve(ta, tb)
    assert np.abs(got / _direct(system, ta, tb) - 1).max() < 1e-6
    # the forward-error estimate knows the loop amplifies: the score weights of the loop's activities are large
    w = solver.weights.sum(axis=1).reshape(80, 2)  # per activity and functional unit
    assert w[:2].max() > 1e3 * np.median(w)


def test_no_convergence_falls_back_and_says_so():
    """Spectral radius of the Jacobi operator above 1 (Jacobi sweeps diverge; BiCGSTAB needs no ρ < 1): the scores
    equal dense solves. A draw that cannot be iterated (a production amount of 1e-300, near-singular) is handed
    to the exact fallbacks and counted."""
    system = _random_system(30, seed=3, loop_strength=3.0)
    assert _spectral_radius(system) > 1
    ta, tb = sample(system, 40, seed=5)
    solver = Krylov(system)
    got = solver.solve(ta, tb)
    assert np.allclose(got, _direct(system, ta, tb), rtol=1e-9, atol=0)
    stats = solver.stats()
    assert stats.strategy == "Krylov" and stats.draws == 40
    assert stats.handed_over == solver.handed_over
    # a draw made singular (a zero production amount) cannot be iterated: handed over, solved, counted
    bad = ta.copy()
    diag = np.flatnonzero(system.tech.rows[system.tech.uncertain] == system.tech.cols[system.tech.uncertain])
    bad[diag[0], 0] = 1e-300
    before = solver.handed_over
    solver.solve(bad[:, :3], tb[:, :3])
    assert solver.handed_over == before + 1 and solver.stats().draws == 43


def test_monte_carlo_reports_the_draws_solved_directly():
    system = _random_system(30, seed=3, loop_strength=3.0)
    result = monte_carlo(system, draws=50, seed=1)
    assert result.solved and result.solved[0].draws == 50
    assert result.solved_directly == sum(s.direct for s in result.solved)


@pytest.mark.parametrize(
    ("strength", "expected"),
    [((0.10, 0.45), Jacobi), ((0.90, 0.99), Krylov)],
)
def test_chooser_picks_the_iteration_for_the_loops(strength, expected):
    """Above WOODBURY_MAX uncertain technosphere entries: Jacobi sweeps for weak loops, BiCGSTAB for strong."""
    system = _loop_system(500, strength)
    assert system.tech.uncertain.size > WOODBURY_MAX
    solver = choose_solver(system)
    assert type(solver) is expected
    ta, tb = sample(system, 8, seed=1)
    assert np.abs(solver.solve(ta, tb) / _direct(system, ta, tb) - 1).max() < 1e-9


def test_chooser_picks_woodbury_for_few_uncertain_entries():
    system = _loop_system(40, (0.90, 0.99))
    assert system.tech.uncertain.size <= WOODBURY_MAX
    assert type(choose_solver(system)) is Woodbury


def test_compare_says_how_many_draws_left_the_iteration():
    """The note `compare` prints (paired.solved_note) counts what the solver really did: a Krylov run on 3 draws,
    one made near-singular, hands that one over; with none handed over there is no note."""
    from lca_engine.paired import PairDraws, solved_note
    from lca_engine.uncertainty import MonteCarloResult

    system = _random_system(30, seed=3, loop_strength=3.0)
    ta, tb = sample(system, 3, seed=5)
    diag = np.flatnonzero(system.tech.rows[system.tech.uncertain] == system.tech.cols[system.tech.uncertain])
    ta[diag[0], 0] = 1e-300
    solver = Krylov(system)
    scores = solver.solve(ta, tb)
    stats = solver.stats()
    assert stats.handed_over == 1 and stats.draws == 3
    run = MonteCarloResult(scores, system.indicators, system.demand_names, 5, (stats,))
    note = solved_note(PairDraws({"micro": run, "other": None}, 3, 5))
    assert note.startswith("Solver: 3 draws solved by BiCGSTAB")
    assert "; 1 did not settle in the iteration" in note and f", {stats.direct} of them to a direct" in note
    clean = Krylov(system)
    good = sample(system, 3, seed=5)
    quiet = MonteCarloResult(clean.solve(*good), system.indicators, system.demand_names, 5, (clean.stats(),))
    assert clean.stats().handed_over == 0 and solved_note(PairDraws({"micro": quiet}, 3, 5)) is None


def test_threads_by_default_where_the_strategy_gains_and_the_same_numbers(monkeypatch):
    """workers=None: every core this process may use for the block iterations (capped by LCA_ENGINE_WORKERS),
    one thread for Woodbury (BLAS already uses the cores); the draws are the same whatever the threads."""
    import os

    from lca_engine.errors import UncertaintyError
    from lca_engine.uncertainty import WORKERS_VARIABLE, thread_count

    cores = len(os.sched_getaffinity(0))
    system = _loop_system(500, (0.90, 0.99))
    krylov = choose_solver(system)
    monkeypatch.delenv(WORKERS_VARIABLE, raising=False)
    assert thread_count(None, krylov) == cores
    assert thread_count(None, choose_solver(_loop_system(40, (0.90, 0.99)))) == 1
    assert thread_count(3, krylov) == 3  # as asked
    monkeypatch.setenv(WORKERS_VARIABLE, "1")
    assert thread_count(None, krylov) == 1
    monkeypatch.setenv(WORKERS_VARIABLE, "many")
    with pytest.raises(UncertaintyError) as caught:
        thread_count(None, krylov)
    assert caught.value.problems[0].field == WORKERS_VARIABLE
    monkeypatch.setenv(WORKERS_VARIABLE, "2")
    auto = monte_carlo(system, draws=60, seed=4, batch=8)  # several batches, so threads share them
    one = monte_carlo(system, draws=60, seed=4, batch=8, workers=1)
    assert np.array_equal(auto.scores, one.scores)
    with pytest.raises(UncertaintyError):
        monte_carlo(system, draws=10, seed=1, workers=True)
