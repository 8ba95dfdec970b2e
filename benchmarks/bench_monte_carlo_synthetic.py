"""Paired Monte Carlo on synthetic ecoinvent-sized backgrounds: the vectorised engine against bw2calc 3.1.

Run:  .venv/bin/python benchmarks/bench_monte_carlo_synthetic.py [--sizes 2000,20000] [--draws 10000,200]
          [--loop-strength weak,strong,very-strong] [--ill-loop 1e-4] [--bw-draws 200,50] [--bw-slow-draws 200,10]
          [--seed 1] [--batch 1000] [--profile 0] [--workers 2] [--workers-draws N]

With pypardiso and bw_graph_tools (``pip install '.[bench]'``) bw2calc runs as x86 users have it and
PartitionedMonteCarloLCA works; without them the table says which solver bw2calc used / that it failed.

Everything lives in a fresh temporary data directory (``LCA_ENGINE_DATA_DIR``), deleted at the end.

Model, per size N (reproducible from ``--seed``):

* a background database of N activities with the sparsity of a commercial database: 10–15 technosphere inputs
  per activity (13.5 non-zeros per column with the production exchange; ecoinvent 3.10 cutoff has 12.5). The
  inputs are drawn, without replacement, from *upstream* activities with a Zipf(1.2) popularity (a few
  "electricity / transport"-like products are bought by thousands of activities), a core of N/40 activities buys
  from each other (one large loop, like the energy and transport markets), and 2 % of the inputs go to any
  activity (further loops). Input coefficients are scaled so that each column's inputs sum to a value drawn from
  the case's range (``--loop-strength``: weak 0.10–0.45, strong 0.60–0.95 as energy markets, very strong
  0.90–0.99); ``--ill-loop GAP`` adds a case (weak loops) with one waste/recycling loop between two popular core
  activities buying √(1 − GAP) of each other, exactly (no distribution), det of the pair GAP.
  Activity codes are a random permutation of the topological order.
  SuperLU's factors of A hold ~14× (N = 2,000) and ~50× (N = 20,000) nnz(A), and one solve with them takes
  ~15 ms at N = 20,000 — the order of ecoinvent 3.10's reference factorisation (27 ms for the two triangular
  solves, in bw2calc's IterativeLCA docstring), so fill-in is realistic, not that of a random sparse matrix;
* 4–6 exchanges per activity to 20 custom biosphere flows, and one LCIA method over them;
* 75 % of the technosphere and biosphere exchanges lognormal (geometric σ 1.1–1.3), 15 % triangular
  (−10…−30 % / +10…+40 % around the amount), 10 % without distribution;
* a micro-factory and a baseline foreground database (5 activities each: four process steps buying 6 random
  background products and emitting 2 flows, and one functional-unit activity using the four steps), with
  lognormal (geometric σ 1.1–1.5) or triangular distributions on every exchange.

Compared, in the same process (bw2calc timed on ``--bw-draws`` draws after one warm-up draw, ours on ``--draws``
after a 20-draw warm-up call; per paired draw = one draw of both functional units; ``--batch`` is passed to
``monte_carlo``):

* lca-engine ``monte_carlo`` on a ``MatrixSystem`` read from a ``bc.MultiLCA`` (as ``lca_engine.bw.matrices.extract``
  does), all distributions; and with the background's distributions switched off (foreground-only uncertainty);
* bw2calc ``MultiLCA(use_distributions=True)`` + ``next()`` (both functional units, paired);
* bw2calc ``LCA``, ``IterativeLCA`` and ``JacobiGMRESLCA`` (``direct_first_solve=True``: solutions checked by
  their forward error) with ``use_distributions=True`` + ``next()``, one functional unit, × 2 (``LCA`` and
  ``MultiLCA`` on ``--bw-slow-draws`` draws: seconds per draw at 20,000);
* bw2calc ``PartitionedMonteCarloLCA`` (background + biosphere static: foreground-only uncertainty), both units.

Checks (PASS/FAIL lines): deterministic scores equal bw2calc's ``LCA.score`` to 1e-9 relative; every Monte Carlo
mean of ours lies within 4 standard errors of the matching bw2calc mean; our first draws (10 with the
ill-conditioned loop, else 3) within 1e-6 of a direct solve (fresh LU) of the same random numbers.
``--profile N`` runs cProfile on N draws
of ours at the largest size and prints where the time goes.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import io
import math
import os
import platform
import pstats
import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np
from machine import cpu_name  # benchmarks/machine.py (this script's folder is on sys.path)

warnings.filterwarnings("ignore")

METHOD = ("lca-engine synthetic benchmark", "impact")
BIOSPHERE = "synthetic-biosphere"
N_FLOWS = 20
T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f} s] {msg}", file=sys.stderr, flush=True)


def per_size(text: str, sizes: list[int], name: str) -> dict[int, int]:
    """'10000' → the same for every size; '10000,1000' → one value per size."""
    vals = [int(v) for v in text.split(",")]
    if len(vals) == 1:
        vals *= len(sizes)
    if len(vals) != len(sizes):
        raise SystemExit(f"--{name}: give one value or one per size ({len(sizes)})")
    return dict(zip(sizes, vals, strict=True))


# ------------------------------------------------------------------------------------------------------------
# Synthetic databases
# ------------------------------------------------------------------------------------------------------------


def _distributions(amounts: np.ndarray, rng: np.random.Generator, gsd: tuple[float, float]) -> list[dict]:
    """bw2data uncertainty fields per amount: 75 % lognormal, 15 % triangular, 10 % none."""
    u = rng.random(amounts.size)
    sigma = np.log(rng.uniform(*gsd, amounts.size))
    lo = rng.uniform(0.7, 0.9, amounts.size)
    hi = rng.uniform(1.1, 1.4, amounts.size)
    out = []
    for a, ui, s, low, high in zip(amounts.tolist(), u.tolist(), sigma.tolist(), lo.tolist(), hi.tolist(), strict=True):
        if ui < 0.75:
            out.append({"amount": a, "uncertainty type": 2, "loc": math.log(a), "scale": s})
        elif ui < 0.90:
            out.append({"amount": a, "uncertainty type": 5, "loc": a, "minimum": a * low, "maximum": a * high})
        else:
            out.append({"amount": a})
    return out


#: column sums of the inputs (loop strength): weak (the default, as before), strong (energy markets), very strong
LOOP_STRENGTHS = {"weak": (0.10, 0.45), "strong": (0.60, 0.95), "very-strong": (0.90, 0.99)}


def background_structure(
    n: int, rng: np.random.Generator, strength: tuple[float, float] = LOOP_STRENGTHS["weak"], ill_gap: float = 0.0
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per activity (topological index j): input activity indices and their coefficients. Each column's inputs
    sum to a value drawn uniformly from ``strength``. ``ill_gap`` > 0 adds one waste/recycling loop: two core
    activities buy a = √(1 − gap) of each other's product (det of the pair 1 − a² = gap), their other inputs
    scaled to sum (1 − a)/2, so that the matrix stays productive but ill-conditioned (κ ~ 1/gap)."""
    core = max(n // 40, 30)
    k = rng.integers(10, 16, n)  # inputs per activity
    cum = np.cumsum(1.0 / np.arange(1, n + 1) ** 1.2)  # Zipf popularity of upstream products
    j = np.arange(n)
    hi = np.where(j < core, core, j)  # candidates: [0, hi)
    width = 40
    cand = np.searchsorted(cum, rng.random((n, width)) * cum[hi - 1][:, None], side="left")
    loops = rng.random((n, width)) < 0.02
    cand[loops] = rng.integers(0, n, int(loops.sum()))
    inputs, coeffs = [], []
    for jj in range(n):
        row = cand[jj]
        _, first = np.unique(row, return_index=True)
        r = row[np.sort(first)]
        r = r[r != jj][: k[jj]]
        v = rng.lognormal(0.0, 1.0, r.size)
        v *= rng.uniform(*strength) / v.sum()  # column sum of the inputs: the loop strength
        inputs.append(r)
        coeffs.append(v)
    if ill_gap > 0:
        add_ill_loop(inputs, coeffs, ill_gap)
    return inputs, coeffs


#: the two activities (topological indices) of the ill-conditioned loop: in the core, like a waste market and
#: its recycling activity
ILL_LOOP = (3, 7)


def add_ill_loop(inputs: list[np.ndarray], coeffs: list[np.ndarray], gap: float) -> None:
    a = math.sqrt(1.0 - gap)
    for j, other in (ILL_LOOP, ILL_LOOP[::-1]):
        keep = inputs[j] != other
        r, v = inputs[j][keep], coeffs[j][keep]
        v = v * ((1.0 - a) / 2 / v.sum())
        inputs[j], coeffs[j] = np.append(r, other), np.append(v, a)


def write_databases(n: int, seed: int, strength: tuple[float, float], ill_gap: float = 0.0) -> dict:
    """Write biosphere (once), background, two foregrounds and the method. Returns names and ids."""
    import bw2data as bd

    rng = np.random.default_rng([seed, n])
    tag = f"{n}-{strength[0]:g}-{strength[1]:g}-{ill_gap:g}"
    bg, micro, base = f"synthetic-bg-{tag}", f"synthetic-micro-{tag}", f"synthetic-baseline-{tag}"
    flows = [(BIOSPHERE, f"flow-{i:02d}") for i in range(N_FLOWS)]
    old = getattr(bd.config, "is_test", False)
    bd.config.is_test = True  # bw2data draws a progress bar per write otherwise
    try:
        if BIOSPHERE not in bd.databases:
            bd.Database(BIOSPHERE).write(
                {
                    key: {
                        "name": f"synthetic flow {key[1]}",
                        "unit": "kilogram",
                        "type": "emission",
                        "categories": ("air",),
                    }
                    for key in flows
                }
            )
        if METHOD not in bd.methods:
            cfs = np.random.default_rng([seed, 0]).lognormal(0.0, 1.0, N_FLOWS)
            m = bd.Method(METHOD)
            m.register(unit="kg X-eq")
            m.write([(key, float(c)) for key, c in zip(flows, cfs, strict=True)])

        t = time.perf_counter()
        inputs, coeffs = background_structure(n, rng, strength, ill_gap)
        perm = rng.permutation(n)  # codes are not in topological order
        codes = [f"a{perm[j]:06d}" for j in range(n)]
        flow_pop = 1.0 / np.arange(1, N_FLOWS + 1) ** 0.8
        flow_pop /= flow_pop.sum()
        data = {}
        for j in range(n):
            kb = int(rng.integers(4, 7))
            fl = rng.choice(N_FLOWS, kb, replace=False, p=flow_pop)
            bio_amounts = rng.lognormal(-3.0, 1.5, kb)
            excs = [{"input": (bg, codes[j]), "amount": 1.0, "type": "production"}]
            dists = _distributions(coeffs[j], rng, (1.1, 1.3))
            if ill_gap > 0 and j in ILL_LOOP:
                dists[-1] = {"amount": float(coeffs[j][-1])}  # the loop's coefficient is known exactly
            for i, d in zip(inputs[j], dists, strict=True):
                excs.append({"input": (bg, codes[i]), "type": "technosphere", **d})
            for f, d in zip(fl, _distributions(bio_amounts, rng, (1.1, 1.3)), strict=True):
                excs.append({"input": flows[f], "type": "biosphere", **d})
            data[(bg, codes[j])] = {
                "name": f"background activity {codes[j]}",
                "reference product": f"product {codes[j]}",
                "unit": "kilogram",
                "location": "GLO",
                "type": "process",
                "exchanges": excs,
            }
        log(
            f"N={n}: generated {sum(len(v['exchanges']) for v in data.values()):,} exchanges "
            f"in {time.perf_counter() - t:.1f} s; writing with bw2data"
        )
        t = time.perf_counter()
        bd.Database(bg).write(data)
        t_bg = time.perf_counter() - t
        log(f"N={n}: background written in {t_bg:.1f} s")

        cum = np.cumsum(1.0 / np.arange(1, n + 1) ** 0.8)
        for name in (micro, base):
            fg = {}
            steps = [f"step-{s}" for s in range(4)]
            for s in steps:
                picks = np.unique(np.searchsorted(cum, rng.random(12) * cum[-1]))[:6]
                excs = [{"input": (name, s), "amount": 1.0, "type": "production"}]
                amounts = rng.lognormal(0.0, 1.0, picks.size)
                for i, d in zip(picks, _distributions(amounts, rng, (1.1, 1.5)), strict=True):
                    excs.append({"input": (bg, codes[i]), "type": "technosphere", **d})
                fl = rng.choice(N_FLOWS, 2, replace=False)
                for f, d in zip(fl, _distributions(rng.lognormal(-1.0, 1.0, 2), rng, (1.1, 1.5)), strict=True):
                    excs.append({"input": flows[f], "type": "biosphere", **d})
                fg[(name, s)] = {"name": s, "unit": "unit", "type": "process", "exchanges": excs}
            excs = [{"input": (name, "fu"), "amount": 1.0, "type": "production"}]
            for s, d in zip(steps, _distributions(rng.uniform(0.5, 2.0, 4), rng, (1.1, 1.2)), strict=True):
                excs.append({"input": (name, s), "type": "technosphere", **d})
            fg[(name, "fu")] = {"name": "functional unit", "unit": "unit", "type": "process", "exchanges": excs}
            bd.Database(name).write(fg)
    finally:
        bd.config.is_test = old
    return {
        "background": bg,
        "fu": {
            "micro-factory": bd.get_node(database=micro, code="fu").id,
            "baseline": bd.get_node(database=base, code="fu").id,
        },
        "foreground_ids": [nd.id for name in (micro, base) for nd in bd.Database(name)],
        "t_write": t_bg,
    }


# ------------------------------------------------------------------------------------------------------------
# Our engine
# ------------------------------------------------------------------------------------------------------------


def matrix_system(mlca, demands: dict):
    """A MatrixSystem from a computed MultiLCA, read as ``lca_engine.bw.matrices.extract`` reads it (same check of
    the rebuilt matrices against bw2calc's); activities named by their ids."""
    import dataclasses

    from lca_engine.bw.matrices import from_multilca

    system = from_multilca(mlca, [METHOD], ["impact"], list(demands))
    return dataclasses.replace(system, activity_names={int(c): str(i) for i, c in mlca.dicts.activity.items()})


def foreground_only(system, fg_cols: np.ndarray):
    """Copy of the system with every background entry's distribution switched off (uncertainty_type 0)."""

    def freeze(e):
        params = e.params.copy()
        params["uncertainty_type"][~np.isin(e.cols, fg_cols)] = 0
        return dataclasses.replace(e, params=params)

    return dataclasses.replace(system, tech=freeze(system.tech), bio=freeze(system.bio))


@contextlib.contextmanager
def capture_solvers():
    """Keep the solvers ``monte_carlo`` creates (strategy, fallbacks) and time their set-up, without touching
    lca_engine (its chooser is wrapped while the block runs)."""
    import lca_engine.uncertainty as unc

    original = unc.choose_solver
    made = []

    def capturing(system):
        t = time.perf_counter()
        solver = original(system)
        solver.setup_seconds = time.perf_counter() - t
        made.append(solver)
        return solver

    unc.choose_solver = capturing
    try:
        yield made
    finally:
        unc.choose_solver = original


def run_ours(system, draws: int, seed: int, batch: int, label: str, workers: int = 1) -> dict:
    from lca_engine.uncertainty import monte_carlo

    t_last = [time.perf_counter()]

    def progress(done: int) -> None:
        if time.perf_counter() - t_last[0] > 10 or done == draws:
            log(f"  {label}: {done:,}/{draws:,} draws")
            t_last[0] = time.perf_counter()

    with capture_solvers() as made, PeakMemory() as mem:
        t = time.perf_counter()
        res = monte_carlo(system, draws=draws, seed=seed, batch=batch, progress=progress, workers=workers)
        elapsed = time.perf_counter() - t
    solver = made[-1]
    return {
        "per_draw": (elapsed - solver.setup_seconds) / draws,  # sampling + solving
        "setup": solver.setup_seconds,  # Solver(): factorisation of A_mean (+ Woodbury pieces)
        "total": elapsed,
        "peak": mem.peak,
        "scores": res.scores[0],  # functional units × draws
        "mode": type(solver).__name__,
        "fallbacks": solver.fallbacks,
        "handed_over": solver.handed_over,
        "iterations": summary_of(solver.iterations),
        "m_zero": getattr(solver, "m_zero", None),
        "k_tech": int(solver.ua.size),
        "k_bio": int(solver.ub.size),
        "lu_nnz": int(solver.lu.L.nnz + solver.lu.U.nnz),
    }


def summary_of(its: list[int]) -> str:
    return f"median {int(np.median(its))}, max {max(its)}" if its else "—"


class PeakMemory:
    """Peak traced allocation (MiB) while the block runs. numpy's arrays are traced; tracemalloc costs per
    allocation, and the engine makes few, large ones (measured: no slowdown on 2,000 draws at N = 2,000)."""

    peak = math.nan

    def __enter__(self) -> PeakMemory:
        tracemalloc.start()
        return self

    def __exit__(self, *exc) -> None:
        self.peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


# ------------------------------------------------------------------------------------------------------------
# bw2calc
# ------------------------------------------------------------------------------------------------------------


def time_bw(label: str, make, read, n: int) -> dict:
    """Build (lci + lcia, not timed), one warm-up draw, then n timed next() calls; scores of every draw."""
    t = time.perf_counter()
    obj = make()
    setup = time.perf_counter() - t
    next(obj)
    scores = []
    t = time.perf_counter()
    t_log = t
    for i in range(n):
        next(obj)
        scores.append(read(obj))
        if time.perf_counter() - t_log > 15:
            log(f"  {label}: {i + 1}/{n} draws")
            t_log = time.perf_counter()
    elapsed = time.perf_counter() - t
    log(f"  {label}: {n} draws in {elapsed:.1f} s (setup {setup:.1f} s)")
    return {"per_draw": elapsed / n, "scores": np.array(scores, dtype=float), "setup": setup, "obj": obj}


def run_bw(info: dict, n: int, seed: int, slow: int) -> dict:
    """bw2calc's peers: ``n`` draws of the iterative ones, ``slow`` of LCA / MultiLCA (seconds per draw at 20,000)."""
    import bw2calc as bc
    import bw2data as bd

    demands = {k: {v: 1.0} for k, v in info["fu"].items()}
    config = {"impact_categories": [METHOD]}
    objs = bd.get_multilca_data_objs(demands, config)
    fu1 = next(iter(info["fu"].values()))
    out = {}

    def multi():
        m = bc.MultiLCA(
            demands=demands, method_config=config, data_objs=objs, use_distributions=True, seed_override=seed
        )
        m.lci()
        m.lcia()
        return m

    out["multi"] = time_bw("bw2calc MultiLCA", multi, lambda m: [m.scores[(METHOD, k)] for k in demands], slow)

    def single(cls, fu, **kw):
        def make():
            lca = cls({fu: 1.0}, method=METHOD, data_objs=objs, use_distributions=True, seed_override=seed, **kw)
            lca.lci()
            lca.lcia()
            return lca

        return make

    out["lca"] = time_bw("bw2calc LCA", single(bc.LCA, fu1), lambda x: [x.score], slow)
    out["iter"] = time_bw("bw2calc IterativeLCA", single(bc.IterativeLCA, fu1), lambda x: [x.score], n)
    out["iter"]["stats"] = dict(out["iter"]["obj"].solver_stats)
    # with a reference factorisation, so that its solutions are checked by their forward error (its docstring)
    gmres = single(bc.JacobiGMRESLCA, fu1, direct_first_solve=True)
    out["gmres"] = time_bw("bw2calc JacobiGMRESLCA", gmres, lambda x: [x.score], n)
    out["gmres"]["stats"] = dict(out["gmres"]["obj"].solver_stats)
    static = [info["background"], BIOSPHERE]
    parts, err = [], None
    for name, fu in info["fu"].items():

        def partitioned(fu=fu):
            p = bc.PartitionedMonteCarloLCA({fu: 1.0}, static_databases=static, data_objs=objs, seed_override=seed)
            p.lci()  # without lci() first, next() raises AttributeError '_lca' (the object is built there)
            p.lcia()
            return p

        try:
            parts.append(time_bw(f"bw2calc PartitionedMonteCarloLCA ({name})", partitioned, lambda x: [x.score], n))
        except Exception as exc:  # report, do not hide
            err = f"{type(exc).__name__}: {exc}"
            log(f"PartitionedMonteCarloLCA failed: {err}")
            break
    if err is None:
        out["part"] = {
            "per_draw": sum(p["per_draw"] for p in parts),
            "scores": np.column_stack([p["scores"][:, 0] for p in parts]),
            "setup": sum(p["setup"] for p in parts),
        }
    else:
        out["part"] = {"error": err}
    for v in out.values():
        v.pop("obj", None)
    return out


def bw_deterministic(info: dict) -> dict:
    import bw2calc as bc
    import bw2data as bd

    demands = {k: {v: 1.0} for k, v in info["fu"].items()}
    objs = bd.get_multilca_data_objs(demands, {"impact_categories": [METHOD]})
    out = {}
    for name, fu in info["fu"].items():
        lca = bc.LCA({fu: 1.0}, method=METHOD, data_objs=objs)
        lca.lci()
        lca.lcia()
        out[name] = float(lca.score)
    return out


# ------------------------------------------------------------------------------------------------------------
# One size
# ------------------------------------------------------------------------------------------------------------


def check_mean(results: list, label: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    se = math.sqrt(ours.var(ddof=1) / ours.size + theirs.var(ddof=1) / theirs.size)
    z = abs(ours.mean() - theirs.mean()) / se if se > 0 else 0.0
    ok = z <= 4
    results.append(ok)
    print(
        f"{'PASS' if ok else 'FAIL'}  {label}: ours {ours.mean():.6g} (n={ours.size}) vs bw2calc "
        f"{theirs.mean():.6g} (n={theirs.size}); |Δ| = {z:.2f} standard errors (limit 4)"
    )


@dataclasses.dataclass(frozen=True)
class Case:
    """A background's loops: column sums of the inputs, and the det of one ill-conditioned loop (0: none)."""

    label: str
    strength: tuple[float, float]
    ill_gap: float = 0.0


def check_direct(checks: list, system, ours: np.ndarray, seed: int, k: int) -> None:
    """The first k draws of ours against a direct solve of each draw (fresh LU; the same random numbers)."""
    from lca_engine.mc_solvers import DirectLU
    from lca_engine.sampling import sample

    ta, tb = sample(system, k, seed)
    direct = DirectLU(system).solve(ta, tb)[0]
    worst = float(np.max(np.abs(ours[:, :k] - direct) / np.abs(direct)))
    ok = worst <= 1e-6
    checks.append(ok)
    print(
        f"{'PASS' if ok else 'FAIL'}  first {k} draws against a direct solve each: worst relative {worst:.1e} "
        "(limit 1e-6)"
    )


def run_size(
    n: int,
    case: Case,
    draws: int,
    bw_draws: int,
    slow: int,
    seed: int,
    batch: int,
    checks: list,
    workers: tuple[int, int] = (1, 0),
) -> dict:
    import bw2calc as bc
    import bw2data as bd

    from lca_engine.mc_solvers import choose_solver

    log(f"=== N = {n:,} activities, loops {case.label}: building the databases")
    t = time.perf_counter()
    info = write_databases(n, seed, case.strength, case.ill_gap)
    t_build = time.perf_counter() - t
    demands = {k: {v: 1.0} for k, v in info["fu"].items()}
    config = {"impact_categories": [METHOD]}
    t = time.perf_counter()
    mlca = bc.MultiLCA(demands=demands, method_config=config, data_objs=bd.get_multilca_data_objs(demands, config))
    mlca.lci()
    mlca.lcia()
    system = matrix_system(mlca, demands)
    t_extract = time.perf_counter() - t
    log(f"N={n}: databases built in {t_build:.1f} s; MultiLCA + MatrixSystem in {t_extract:.1f} s")
    fg_cols = np.array([mlca.dicts.activity[i] for i in info["foreground_ids"]])
    fg_system = foreground_only(system, fg_cols)

    # deterministic agreement
    ours_det = choose_solver(system).deterministic()[0]
    ref = bw_deterministic(info)
    print(f"\n## N = {n:,}, loops {case.label}")
    for j, name in enumerate(demands):
        rel = abs(ours_det[j] - ref[name]) / abs(ref[name])
        ok = rel <= 1e-9
        checks.append(ok)
        print(
            f"{'PASS' if ok else 'FAIL'}  deterministic {name}: ours {ours_det[j]:.12g} vs bw2calc LCA.score "
            f"{ref[name]:.12g} (relative difference {rel:.1e}, limit 1e-9)"
        )

    # ours (warm-up on a few draws first: imports, caches)
    log(f"N={n}: lca-engine monte_carlo, {draws:,} draws (batch {batch})")
    run_ours(system, min(20, draws), seed + 1, batch, "warm-up")
    ours = run_ours(system, draws, seed, batch, "lca-engine, all distributions")
    log(f"N={n}: lca-engine foreground-only, {draws:,} draws")
    ours_fg = run_ours(fg_system, draws, seed, batch, "lca-engine, foreground only")
    ours_w = None
    threads, w_draws = workers[0], workers[1] or draws
    if threads > 1:
        log(f"N={n}: lca-engine monte_carlo, {w_draws:,} draws, {threads} workers")
        ours_w = run_ours(system, w_draws, seed, batch, f"lca-engine, {threads} workers", threads)
        # the same draws: bitwise for the same number of draws; with a different number, the last block of draws
        # iterated together differs, and with it the iteration's stopping point (within its tolerance)
        k = min(draws, w_draws)
        a, b = ours_w["scores"][:, :k], ours["scores"][:, :k]
        rel = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
        same = bool(np.array_equal(a, b)) if draws == w_draws else rel <= 1e-9
        checks.append(same)
        print(
            f"{'PASS' if same else 'FAIL'}  {threads} workers give the same draws as 1 (same seed; first {k:,} draws, "
            f"largest relative difference {rel:.1e}{'' if draws == w_draws else ', limit 1e-9'})"
        )

    check_direct(checks, system, ours["scores"], seed, 10 if case.ill_gap else 3)
    log(f"N={n}: bw2calc, {bw_draws} draws each ({slow} of LCA and MultiLCA)")
    bw = run_bw(info, bw_draws, seed, slow)

    names = list(demands)
    for j, name in enumerate(names):
        check_mean(
            checks, f"MC mean {name}, all distributions, vs MultiLCA", ours["scores"][j], bw["multi"]["scores"][:, j]
        )
    check_mean(checks, f"MC mean {names[0]}, all distributions, vs LCA", ours["scores"][0], bw["lca"]["scores"][:, 0])
    check_mean(
        checks, f"MC mean {names[0]}, all distributions, vs IterativeLCA", ours["scores"][0], bw["iter"]["scores"][:, 0]
    )
    check_mean(
        checks,
        f"MC mean {names[0]}, all distributions, vs JacobiGMRESLCA",
        ours["scores"][0],
        bw["gmres"]["scores"][:, 0],
    )
    print(
        "      (bw2calc's MultiLCA, LCA and IterativeLCA all run with seed_override=--seed, so they draw the same "
        "sample: those checks are not independent of each other)"
    )
    if "error" not in bw["part"]:
        for j, name in enumerate(names):
            check_mean(
                checks,
                f"MC mean {name}, foreground only, vs PartitionedMonteCarloLCA",
                ours_fg["scores"][j],
                bw["part"]["scores"][:, j],
            )
    else:
        print(f"SKIP  PartitionedMonteCarloLCA failed: {bw['part']['error']}")
    return {
        "n": n,
        "case": case,
        "nnz_a": int(mlca.technosphere_matrix.nnz),
        "nnz_b": int(mlca.biosphere_matrix.nnz),
        "draws": draws,
        "batch": batch,
        "bw_draws": bw_draws,
        "slow": slow,
        "ours": ours,
        "ours_fg": ours_fg,
        "ours_w": ours_w,
        "workers": threads,
        "w_draws": w_draws,
        "bw": bw,
        "t_build": t_build,
        "t_write": info["t_write"],
        "t_extract": t_extract,
        "system": system,
    }


def profile_ours(system, draws: int, seed: int, batch: int) -> None:
    from lca_engine.uncertainty import monte_carlo

    log(f"profiling lca-engine monte_carlo on {draws} draws (N = {system.n:,})")
    prof = cProfile.Profile()
    prof.enable()
    monte_carlo(system, draws=draws, seed=seed, batch=batch)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(15)
    print(f"\n### cProfile: lca-engine monte_carlo, {draws} draws, N = {system.n:,} (sorted by own time)\n")
    print("```")
    print("\n".join(line for line in buf.getvalue().splitlines() if line.strip())[:6000])
    print("```")


# ------------------------------------------------------------------------------------------------------------


def fmt_ms(s: float) -> str:
    return "—" if not math.isfinite(s) else (f"{s * 1e3:.3f}" if s < 0.1 else f"{s * 1e3:.1f}")


def solver_note() -> str:
    import bw2calc

    return "pypardiso" if bw2calc.PYPARDISO else "SuperLU: no pypardiso / scikit-umfpack"


def peer_lines(r: dict) -> list[tuple]:
    """(label, setup s, per paired draw s, which of ours it is compared with) for one size and case."""
    o, ofg, bw = r["ours"], r["ours_fg"], r["bw"]
    part = bw["part"]
    lines = [
        (f"lca-engine, all distributions ({r['draws']:,} draws, {o['mode']})", o["setup"], o["per_draw"], None),
        (f"lca-engine, foreground only ({r['draws']:,} draws, {ofg['mode']})", ofg["setup"], ofg["per_draw"], None),
        ("bw2calc `MultiLCA` (2 FUs, paired)", bw["multi"]["setup"], bw["multi"]["per_draw"], o),
        ("bw2calc `LCA` (1 FU × 2)", 2 * bw["lca"]["setup"], 2 * bw["lca"]["per_draw"], o),
        ("bw2calc `IterativeLCA` (1 FU × 2)", 2 * bw["iter"]["setup"], 2 * bw["iter"]["per_draw"], o),
        ("bw2calc `JacobiGMRESLCA` (1 FU × 2)", 2 * bw["gmres"]["setup"], 2 * bw["gmres"]["per_draw"], o),
        (
            "bw2calc `PartitionedMonteCarloLCA`, foreground only (2 FUs)",
            part.get("setup", math.nan),
            part.get("per_draw", math.nan),
            ofg,
        ),
    ]
    if r.get("ours_w"):
        ow = r["ours_w"]
        label = f"lca-engine, all distributions, {r['workers']} threads ({r['w_draws']:,} draws)"
        lines.insert(1, (label, ow["setup"], ow["per_draw"], None))
    return lines


def ten_k(setup: float, per_draw: float) -> float:
    return setup + 1e4 * per_draw


def report(rows: list[dict], checks: list[bool]) -> None:
    import scipy

    print("\n## Results\n")
    print(
        f"Machine: {cpu_name()}, {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f}, Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, bw2calc "
        f"{__import__('bw2calc').__version__} ({solver_note()})\n"
    )
    print(
        "Per paired draw = one draw of both functional units (micro-factory and baseline). Setup = ours: the "
        "solver's construction (mean solution, LU and condition estimate where the strategy needs them); bw2calc: "
        "constructor + `lci()` + `lcia()`, not counted per draw. 10,000 paired draws = setup + 10,000 × per draw; "
        "*ours faster by* = bw2calc's 10,000-draw time ÷ ours on the same uncertainty.\n"
    )
    print(
        "| loops (column sums) | method | N | nnz (A / B) | setup (s) | per paired draw (ms) | 10,000 draws (s) "
        "| ours faster by |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        nnz = f"{r['nnz_a']:,} / {r['nnz_b']:,}"
        for label, setup, t, base in peer_lines(r):
            total = ten_k(setup, t)
            if base is None:
                ratio = "—"
            elif math.isfinite(total):
                ratio = f"{total / ten_k(base['setup'], base['per_draw']):.1f}×"
            else:
                ratio = "failed"
            print(
                f"| {r['case'].label} | {label} | {r['n']:,} | {nnz} | {setup:.2f} | {fmt_ms(t)} | {total:.1f} "
                f"| {ratio} |"
            )
    print()
    for r in rows:
        o, bw = r["ours"], r["bw"]
        print(
            f"- N = {r['n']:,}, loops {r['case'].label}: databases {r['t_build']:.1f} s, MultiLCA + MatrixSystem "
            f"{r['t_extract']:.1f} s; bw2calc timed on {r['bw_draws']} draws ({r['slow']} for LCA / MultiLCA), ours on "
            f"{r['draws']:,} (batch {r['batch']}). Ours: {o['k_tech']:,} + {o['k_bio']:,} uncertain entries, "
            f"**{o['mode']}**, iterations per block {o['iterations']}, draws handed over {o['handed_over']}, solved "
            f"directly {o['fallbacks']}, peak traced memory {o['peak']:,.0f} MiB. bw2calc stages: IterativeLCA "
            f"{bw['iter']['stats']}, JacobiGMRESLCA {bw['gmres']['stats']}."
        )
    print_targets(rows)
    print(f"\nChecks: {sum(checks)}/{len(checks)} PASS.")


def print_targets(rows: list[dict]) -> None:
    big = max(r["n"] for r in rows)
    print(f"\nTargets (N = {big:,}, 10,000 paired draws):")
    for r in (r for r in rows if r["n"] == big):
        o, bw = r["ours"], r["bw"]
        ours = ten_k(o["setup"], o["per_draw"])
        vs_iter = ten_k(2 * bw["iter"]["setup"], 2 * bw["iter"]["per_draw"]) / ours
        need = 5 if r["case"].strength == LOOP_STRENGTHS["weak"] and not r["case"].ill_gap else 3
        verdict = "MET" if vs_iter >= need else "NOT MET"
        vs_lca = ten_k(2 * bw["lca"]["setup"], 2 * bw["lca"]["per_draw"]) / ours
        line = f"- loops {r['case'].label}: one thread {verdict} ≥ {need}× IterativeLCA ({vs_iter:.1f}×)"
        if r.get("ours_w"):
            ow = r["ours_w"]
            vs_w = ten_k(2 * bw["iter"]["setup"], 2 * bw["iter"]["per_draw"]) / ten_k(ow["setup"], ow["per_draw"])
            line += f"; {r['workers']} threads {'MET' if vs_w >= need else 'NOT MET'} ({vs_w:.1f}×)"
        print(f"{line}; vs LCA {vs_lca:.1f}× (one thread)")


def parse_cases(text: str, ill_gap: float) -> list[Case]:
    cases = []
    for name in text.split(","):
        if name not in LOOP_STRENGTHS:
            raise SystemExit(f"--loop-strength: one of {', '.join(LOOP_STRENGTHS)} (comma-separated)")
        lo, hi = LOOP_STRENGTHS[name]
        cases.append(Case(f"{name} {lo:.2f}–{hi:.2f}", (lo, hi)))
    if ill_gap > 0:
        lo, hi = LOOP_STRENGTHS["weak"]
        cases.append(Case(f"weak {lo:.2f}–{hi:.2f} + one recycling loop, det {ill_gap:g}", (lo, hi), ill_gap))
    return cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="2000,20000", help="background sizes, comma-separated")
    ap.add_argument("--loop-strength", default="weak", help=f"cases, comma-separated: {', '.join(LOOP_STRENGTHS)}")
    ap.add_argument("--ill-loop", type=float, default=0.0, help="also a case with one recycling loop of this det")
    ap.add_argument("--draws", default="10000,200", help="our draws: one value, or one per size")
    ap.add_argument("--bw-draws", default="200,50", help="bw2calc draws: one value, or one per size")
    ap.add_argument("--bw-slow-draws", default="200,10", help="draws of bw2calc's LCA and MultiLCA, per size")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--batch", default="1000", help="monte_carlo batch: one value, or one per size (library default 1000)"
    )
    ap.add_argument("--profile", type=int, default=0, help="cProfile N draws of ours at the largest size")
    ap.add_argument("--workers", type=int, default=2, help="also time ours with this many worker threads (1: skip)")
    ap.add_argument(
        "--workers-draws", type=int, default=0, help="draws of that threaded run (default: --draws at each size)"
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cases = parse_cases(args.loop_strength, args.ill_loop)
    draws = per_size(args.draws, sizes, "draws")
    bw_draws = per_size(args.bw_draws, sizes, "bw-draws")
    slow = per_size(args.bw_slow_draws, sizes, "bw-slow-draws")
    batch = per_size(args.batch, sizes, "batch")
    with tempfile.TemporaryDirectory(prefix="lca-engine-bench-") as tmp:
        os.environ["LCA_ENGINE_DATA_DIR"] = tmp
        from lca_engine.bw.project import activate

        activate(tmp)  # before bw2data is imported: Brightway's directory goes into tmp
        import bw2data  # noqa: F401

        checks: list[bool] = []
        rows = []
        for n in sizes:
            for case in cases:
                row = run_size(
                    n,
                    case,
                    draws[n],
                    bw_draws[n],
                    slow[n],
                    args.seed,
                    batch[n],
                    checks,
                    (args.workers, args.workers_draws),
                )
                system = row.pop("system")  # keep the memory of one size and case at a time
                rows.append(row)
                if args.profile and n == max(sizes):
                    profile_ours(system, args.profile, args.seed, batch[n])
        report(rows, checks)
    log("done")


if __name__ == "__main__":
    main()
