"""Portfolio Monte Carlo (issue 20): the background's draws equal dense numpy solves of the sampled matrices; each
factory's draws equal a plain loop over its boundary exchanges; every pair agrees with the verdict's own paired
Monte Carlo (:func:`lca_engine.verdict.pair_monte_carlo`) within sampling error at both scopes; draw chunks and
Dask workers never change a number."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from lca_engine import assess_files, load
from lca_engine.errors import LcaEngineError
from lca_engine.indicators import CRADLE_TO_GATE, SITE, scoped_id
from lca_engine.portfolio import generate_portfolio, write_portfolio
from lca_engine.portfolio.montecarlo import background_chunk, spans
from lca_engine.portfolio.run import assess_portfolio
from lca_engine.portfolio.runners import DaskRunner
from lca_engine.sampling import sample

N = 3
DRAWS = 2000
SEED = 9


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pf-mc") / "gen"
    write_portfolio(generate_portfolio(N, seed=21), out)
    return out


@pytest.fixture(scope="module")
def single(folder, data_dir, tmp_path_factory):
    run = assess_portfolio([folder], tmp_path_factory.mktemp("mc1"), data_dir=data_dir, draws=DRAWS, seed=SEED)
    return run, pd.read_parquet(run.uncertainty)


@pytest.fixture(scope="module")
def background(folder, data_dir, catalog):
    """The background system of every product the portfolio buys, as the run builds it."""
    from lca_engine.bw.background_draws import background_system
    from lca_engine.bw.background_scores import background_scores
    from lca_engine.bw.calc import built, chosen_indicators
    from lca_engine.bw.foreground_draws import factory_boundary

    factories = [load(p) for p in sorted(folder.glob("*.toml"))]
    keys = sorted({k for f in factories for k in factory_boundary(f, catalog).products})
    with built([], catalog, data_dir, foregrounds=False):
        chosen = chosen_indicators(None)
        system = background_system(catalog, chosen, [], keys)
        bg = background_scores(catalog, chosen, [])
    return factories, keys, system, bg


def test_the_mean_background_gives_the_deterministic_unit_scores(background):
    """Rows: every indicator cradle to gate, then on site — as BackgroundScores' lam and lam_site."""
    _, keys, system, bg = background
    rows = [bg.product_row[k] for k in keys]
    expected = np.vstack([bg.lam[rows].T, bg.lam_site[rows].T])
    np.testing.assert_allclose(system.reference_scores, expected, rtol=1e-5, atol=1e-9)


def test_background_draws_equal_dense_solves_of_the_sampled_matrices(background):
    _, _, system, _ = background
    n = 40
    got = background_chunk((0, n), system, SEED)
    ta, tb = sample(system, n, SEED)
    t, b = system.tech, system.bio
    cf = system.cf
    mask = system.mask if system.mask is not None else np.ones((cf.shape[0], system.n))
    for d in range(n):
        a_val, b_val = t.data.copy(), b.data.copy()
        a_val[t.uncertain], b_val[b.uncertain] = ta[:, d], tb[:, d]
        a = sp.coo_matrix((a_val * t.sign, (t.rows, t.cols)), shape=(system.n, system.n)).toarray()
        bm = sp.coo_matrix((b_val * b.sign, (b.rows, b.cols)), shape=(system.n_bio, system.n)).toarray()
        x = np.linalg.solve(a, system.demand)
        expected = ((cf @ bm) * mask) @ x
        np.testing.assert_allclose(got[:, :, d], expected, rtol=1e-9, atol=1e-12)


def test_draw_chunks_give_the_same_draws_as_one_run(background):
    _, _, system, _ = background
    whole = background_chunk((0, 300), system, SEED)
    parts = np.concatenate([background_chunk(s, system, SEED) for s in spans(300, 70)], axis=2)
    np.testing.assert_allclose(parts, whole, rtol=1e-12, atol=1e-15)


def test_a_factory_s_draws_equal_a_plain_loop_over_its_exchanges(background, catalog):
    """h[:, d] = Σ s_j · a_e,d · λ_k,d over purchases + Σ s_j · a_e,d · [c; c] over its own elementary flows, with
    s from a dense solve of its production / internal-flow matrix (written out here, not through the module)."""
    from lca_engine.bw.build import foreground_data, foreground_db_name
    from lca_engine.bw.foreground_draws import boundary_draws, factory_boundary, params_of, stream
    from lca_engine.sampling import draw_values

    factories, keys, system, bg = background
    n = 60
    lam = np.ascontiguousarray(background_chunk((0, n), system, SEED).transpose(1, 0, 2))
    row_of = {k: i for i, k in enumerate(keys)}
    for f in factories[:2]:
        name = foreground_db_name(f, 2025)
        data = foreground_data(f, catalog)
        codes = [c for _, c in data]
        a = np.zeros((len(codes), len(codes)))
        for (_, code), act in data.items():
            for ex in act["exchanges"]:
                if ex["type"] == "production":
                    a[codes.index(ex["input"][1]), codes.index(code)] += ex["amount"]
                elif ex["input"][0] == name:
                    a[codes.index(ex["input"][1]), codes.index(code)] -= ex["amount"]
        s = np.linalg.solve(a, np.eye(len(codes))[codes.index("functional-unit")])
        boundary = [
            (s[codes.index(code)], ex)
            for (_, code), act in data.items()
            for ex in act["exchanges"]
            if ex["type"] != "production" and ex["input"][0] != name and ex.get("flow") is not None
        ]
        uncertain = [ex for _, ex in boundary if ex.get("uncertainty type", 0) > 1]
        values = draw_values(params_of(uncertain), n, stream(SEED, f.id)) if uncertain else np.zeros((0, n))
        expected = np.zeros((2 * len(bg.indicators), n))
        u = 0
        for sj, ex in boundary:
            amount = np.full(n, ex["amount"])
            if ex.get("uncertainty type", 0) > 1:
                amount, u = values[u], u + 1
            key = tuple(ex["input"])
            unit = lam[row_of[key]] if ex["type"] == "technosphere" else np.tile(bg.flow_cf(key), 2)[:, None]
            expected += sj * amount * unit
        got = boundary_draws(factory_boundary(f, catalog), SEED, n, lam, row_of, bg)
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)


def test_every_pair_agrees_with_its_own_paired_monte_carlo(single, folder, data_dir):
    """Other random numbers, the same distributions: means within 4 standard errors, P(better) within 4 s.e. of a
    proportion, at both scopes, for every headline indicator."""
    from lca_engine.verdict import pair_monte_carlo

    run, u = single
    a = assess_files([folder], data_dir=data_dir)
    assert sorted(u.factory.unique()) == sorted(m for m, _ in run.pairs)
    for micro, base in run.pairs:
        mc = pair_monte_carlo(a, micro, DRAWS, SEED + 1, data_dir)
        for ind in ("carbon", "energy_delivered", "primary_energy", "water_withdrawal", "chemicals_total"):
            for scope, key in ((CRADLE_TO_GATE, ind), (SITE, scoped_id(ind, SITE))):
                row = u[(u.factory == micro) & (u.indicator == ind) & (u.scope == scope)].iloc[0]
                assert row.baseline == base
                d = mc.of(micro, key) - mc.of(base, key)
                se = np.sqrt(2.0) * d.std() / np.sqrt(DRAWS) + 1e-12 * abs(d.mean())
                assert abs(row.difference_mean - d.mean()) <= 4 * se + 1e-12, (micro, ind, scope)
                m = mc.of(micro, key)
                assert abs(row.micro_factory_mean - m.mean()) <= 4 * np.sqrt(2.0) * m.std() / np.sqrt(DRAWS) + 1e-12
                p = np.mean(d < 0)
                se_p = np.sqrt(max(p * (1 - p), 1.0 / DRAWS) * 2.0 / DRAWS)
                assert abs(row.p_better - p) <= 4 * se_p, (micro, ind, scope, row.p_better, p)


def test_intervals_and_p_better_are_read_off_the_draws(single):
    _, u = single
    assert (u.micro_factory_p2_5 <= u.micro_factory_mean + 1e-12).all()
    assert (u.micro_factory_mean <= u.micro_factory_p97_5 + 1e-12).all()
    assert (u.difference_p2_5 <= u.difference_p97_5).all()
    assert u.p_better.between(0, 1).all() and set(u.draws) == {DRAWS} and set(u.seed) == {SEED}
    surely = u[u.difference_p97_5 < 0]
    assert (surely.p_better >= 0.975 - 1e-9).all() and (surely.direction == "better").all()


def test_dask_workers_give_the_same_uncertainty_table_bitwise(single, folder, data_dir, tmp_path):
    runner = DaskRunner(workers=2)
    try:
        run = assess_portfolio([folder], tmp_path, data_dir=data_dir, draws=DRAWS, seed=SEED, runner=runner)
    finally:
        runner.close()
    pd.testing.assert_frame_equal(pd.read_parquet(run.uncertainty), single[1], check_exact=True)


@pytest.mark.parametrize("draws", [-1, 1.5, True])
def test_bad_draws_are_a_clear_error_and_nothing_is_written(folder, data_dir, tmp_path, draws):
    with pytest.raises(LcaEngineError) as e:
        assess_portfolio([folder], tmp_path / "o", data_dir=data_dir, draws=draws)
    assert e.value.problems[0].field == "draws"
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())
