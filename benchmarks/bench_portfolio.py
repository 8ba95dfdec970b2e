"""Portfolio assessment (issue 20): N synthetic micro-factories + N baselines against bw2calc on the same factories.

Run:  /tmp/benchvenv/bin/python benchmarks/bench_portfolio.py [--sizes 100,1000,10000] [--sample 50]
          [--dask-sizes 1000,10000] [--mem-limit 6144] [--timeout 1800] [--skip-comparison SIZES] [--profile 0]
          [--table FILE] [--dump FILE] [--from-dump FILE]

Per N (``lca-engine portfolio generate``, seed 1; generation timed apart, not counted), every measurement in a
fresh subprocess, so that its peak memory (``ru_maxrss`` of that child from ``wait4``; with Dask also the summed
RSS of its process tree, sampled every 0.2 s) is its own:

* **ours**: ``assess_portfolio`` on the 2N inventories, totals only (``contributions=False``), in one process
  (``LocalRunner``; wall split into the background solve and the factories) and with ``DaskRunner(workers=2)`` at
  ``--dask-sizes``. Ours reads, validates and solves every TOML file.
* **peers**, on the same factories already written into Brightway: every factory's ``build.foreground_data``
  re-keyed into one database (codes prefixed by the factory id, links to ``desnz-2025`` and the biosphere kept),
  written once ("peer setup": reading the inventories and ``Database.write``, shown, not counted):
  - naive loop: one ``bw2calc.LCA`` per factory (``lci`` once, then ``switch_method`` + ``lcia`` for each of the
    24 methods) on ``--sample`` factories evenly spread over the 2N, extrapolated linearly to 2N;
  - ``bw2calc.MultiLCA``: 2N functional units × 24 methods (``lci`` + ``lcia``);
  - ``bw2calc.FastScoresOnlyMultiLCA``: its default direction (forward: one solve per demand, chunks of 50 with
    PARDISO) and ``direction="adjoint"`` (one transposed solve per method, as ours).
  A peer whose dense supply arrays (products × demands × 8 B, several copies) would exceed ``--mem-limit`` is
  "not run (reason)"; one that passes the limit or ``--timeout`` while running is stopped and reported so.

Checks: ours (``cradle_to_gate`` totals) against every peer's score for each factory and indicator it computed,
relative difference ≤ 1e-5 (bw2calc keeps matrices in float32); PASS/FAIL counts printed. Targets printed: ≥ 50×
the naive loop at N = 1,000; ahead of ``FastScoresOnlyMultiLCA`` at N = 1,000; peak ≤ 2,048 MiB at N = 10,000.
``--profile K`` runs cProfile on ours (one process) at N = K and prints where the time goes. ``--skip-comparison``
stops ours after its chunks at those sizes (the comparison table untimed); ``--dump`` keeps the measurements as JSON
and ``--from-dump`` prints their report again without measuring.

Everything lives in a fresh temporary folder (data folders, portfolios, outputs), deleted at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu_name  # benchmarks/machine.py (this script's folder is on sys.path)

HERE = Path(__file__).resolve()
YEAR = 2025
SEED = 1
REL_TOL = 1e-5
PEERS = ("naive", "multilca", "fast_forward", "fast_adjoint")
PEER_LABEL = {
    "naive": "bw2calc `LCA` loop (switch_method + lcia)",
    "multilca": "bw2calc `MultiLCA`",
    "fast_forward": "bw2calc `FastScoresOnlyMultiLCA` (default: forward)",
    "fast_adjoint": "bw2calc `FastScoresOnlyMultiLCA` (direction='adjoint')",
}
T0 = time.perf_counter()


def log(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f} s] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------------- children
def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_warm(spec: dict) -> dict:
    """Build the data folder's project (biosphere, methods, DESNZ background) once, as a first run would."""
    from lca_engine.bw.project import activate

    d = activate(spec["data"])
    from lca_engine.background.catalog import load_catalog
    from lca_engine.bw.calc import built

    t = time.perf_counter()
    with built([], load_catalog(YEAR, cache_dir=d.cache), spec["data"], foregrounds=False):
        pass
    return {"wall": time.perf_counter() - t}


class _SkipComparison(Exception):
    """Raised by the timer around ``comparison_table`` where the run is asked to stop there (``--skip-comparison``)."""


def _save_totals(totals, path: str) -> None:
    tot = totals[(totals.contributor_type == "total") & (totals.scope == "cradle_to_gate")]
    tot.pivot(index="factory", columns="indicator", values="value").to_parquet(path)


def _timers(spec: dict, marks: dict) -> None:
    """Time the run's two phases without changing them: the background (``run._setup``) and the comparison table
    (``run.comparison_table``, which also receives every total: saved for the checks, time not counted)."""
    import lca_engine.portfolio.run as run_mod

    setup, compare = run_mod._setup, run_mod.comparison_table

    def timed_setup(*a, **kw):
        t = time.perf_counter()
        out = setup(*a, **kw)
        marks["background"] = time.perf_counter() - t
        return out

    def timed_compare(totals, *a, **kw):
        t = time.perf_counter()
        marks.update(chunks_done=t, peak_before_comparison_mib=_peak_mib())
        _save_totals(totals, spec["totals"])
        marks["saving"] = time.perf_counter() - t
        if spec["skip_comparison"]:
            raise _SkipComparison
        t = time.perf_counter()
        out = compare(totals, *a, **kw)
        marks["comparison"] = time.perf_counter() - t
        return out

    run_mod._setup, run_mod.comparison_table = timed_setup, timed_compare


def child_ours(spec: dict) -> dict:
    from lca_engine.bw.project import activate

    activate(spec["data"])
    import lca_engine.background.catalog
    import lca_engine.bw.background_scores
    import lca_engine.bw.calc
    import lca_engine.load  # noqa: F401  (imports before the clock starts, as the peers' bw2calc)
    from lca_engine.portfolio.run import assess_portfolio
    from lca_engine.portfolio.runners import DaskRunner, LocalRunner

    marks: dict = {}
    _timers(spec, marks)
    runner = DaskRunner(workers=spec["workers"]) if spec["workers"] > 1 else LocalRunner()
    try:
        t = time.perf_counter()
        assess_portfolio([spec["portfolio"]], spec["out"], year=YEAR, data_dir=spec["data"], runner=runner)
        end = time.perf_counter()
    except _SkipComparison:
        end, marks["saving"] = marks["chunks_done"], 0.0
    finally:
        runner.close()
    wall = end - t - marks.get("saving", 0.0)
    chunks = marks["chunks_done"] - t - marks["background"]
    return {"wall": wall, "chunks": chunks, "workers": spec["workers"], **marks}


def child_profile(spec: dict) -> dict:
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    res = child_ours(spec)
    prof.disable()
    out = {}
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(25)
        out[key] = "\n".join(line for line in buf.getvalue().splitlines() if line.strip())
    return {**res, "profile": out}


def _rekey(data: dict, own: str, db: str, prefix: str) -> dict:
    """One factory's activities under ``db``, codes ``prefix::code``; links to other databases kept."""

    def key(k):
        return (db, f"{prefix}::{k[1]}") if k[0] == own else tuple(k)

    return {
        key(k): {**act, "exchanges": [{**ex, "input": key(ex["input"])} for ex in act["exchanges"]]}
        for k, act in data.items()
    }


def child_peer_setup(spec: dict) -> dict:
    """Read every inventory (as ours does), write all foregrounds as one database; the functional units' ids."""
    from lca_engine.bw.project import activate

    d = activate(spec["data"])
    import bw2data as bd

    from lca_engine.background.catalog import load_catalog
    from lca_engine.bw.build import FU_CODE, foreground_data, foreground_db_name
    from lca_engine.bw.calc import chosen_indicators
    from lca_engine.collect import collect_files
    from lca_engine.load import load_checked

    catalog = load_catalog(YEAR, cache_dir=d.cache)
    t = time.perf_counter()
    data, ids = {}, []
    for p in collect_files([spec["portfolio"]]):
        f = load_checked(p, catalog=catalog).factory
        data.update(_rekey(foreground_data(f, catalog), foreground_db_name(f, YEAR), spec["db"], f.id))
        ids.append(f.id)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    bd.Database(spec["db"]).write(data, searchable=False, check_typos=False)
    t_write = time.perf_counter() - t
    nodes = {f"{fid}::{FU_CODE}": None for fid in ids}
    from bw2data.backends import ActivityDataset as AD

    for row in AD.select(AD.id, AD.code).where(AD.database == spec["db"]):
        if row.code in nodes:
            nodes[row.code] = row.id
    methods = [[i.id, list(i.method)] for i in chosen_indicators(None)]
    fu = [[fid, nodes[f"{fid}::{FU_CODE}"]] for fid in ids]
    Path(spec["map"]).write_text(json.dumps({"fu": fu, "methods": methods, "activities": len(data)}))
    exchanges = sum(len(a["exchanges"]) for a in data.values())
    return {"load": t_load, "write": t_write, "activities": len(data), "exchanges": exchanges}


def _quiet_warnings() -> None:
    import warnings

    warnings.filterwarnings("ignore")


def _naive(fu: list, methods: list, sample: int):
    import bw2calc as bc
    import numpy as np

    picks = sorted({round(i * (len(fu) - 1) / max(sample - 1, 1)) for i in range(min(sample, len(fu)))})
    scores = np.full((len(fu), len(methods)), np.nan)
    for row in picks:
        lca = bc.LCA({fu[row][1]: 1.0}, method=tuple(methods[0][1]))
        lca.lci()
        lca.lcia()
        scores[row, 0] = lca.score
        for k, (_, m) in enumerate(methods[1:], start=1):
            lca.switch_method(tuple(m))
            lca.lcia()
            scores[row, k] = lca.score
    return scores, len(picks)


def _multi(fu: list, methods: list, kind: str):
    import bw2calc as bc
    import bw2data as bd
    import numpy as np

    demands = {fid: {node: 1.0} for fid, node in fu}
    config = {"impact_categories": [tuple(m) for _, m in methods]}
    objs = bd.get_multilca_data_objs(demands, config)
    if kind == "multilca":
        mlca = bc.MultiLCA(demands=demands, method_config=config, data_objs=objs)
        mlca.lci()
        mlca.lcia()
        got = mlca.scores
        return np.array([[got[(tuple(m), fid)] for _, m in methods] for fid, _ in fu]), len(fu)
    direction = "adjoint" if kind == "fast_adjoint" else None
    mlca = bc.FastScoresOnlyMultiLCA(demands=demands, method_config=config, data_objs=objs, direction=direction)
    arr = mlca.calculate()
    rows = {str(c): i for i, c in enumerate(arr.coords["LCIA"].values)}
    cols = [rows[str(tuple(m))] for _, m in methods]
    return np.asarray(arr.values)[cols, :].T, len(fu)


def child_peer(spec: dict) -> dict:
    from lca_engine.bw.project import activate

    activate(spec["data"])
    import bw2calc
    import numpy as np

    _quiet_warnings()
    info = json.loads(Path(spec["map"]).read_text())
    t = time.perf_counter()
    if spec["kind"] == "naive":
        scores, done = _naive(info["fu"], info["methods"], spec["sample"])
    else:
        scores, done = _multi(info["fu"], info["methods"], spec["kind"])
    wall = time.perf_counter() - t
    np.save(spec["scores"], scores)
    return {"wall": wall, "done": done, "pypardiso": bool(bw2calc.PYPARDISO)}


CHILDREN = {
    "warm": child_warm,
    "ours": child_ours,
    "profile": child_profile,
    "peer_setup": child_peer_setup,
    "peer": child_peer,
}


def run_child_spec(path: str) -> None:
    spec = json.loads(Path(path).read_text())
    res = CHILDREN[spec["child"]](spec)
    res["peak_self_mib"] = _peak_mib()
    Path(spec["result"]).write_text(json.dumps(res))


# ---------------------------------------------------------------------------------------------------- parent
def _tree_rss(pid: int) -> int:
    import psutil

    with contextlib.suppress(psutil.Error):
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for c in proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += c.memory_info().rss
        return total
    return 0


def spawn(spec: dict, root: Path, data: Path, limit_mib: float, timeout: float) -> dict:
    """Run one child; its result, wall time of the process, peak RSS (own, from wait4; tree, sampled)."""
    name = f"{spec['child']}-{spec.get('kind', '')}-{time.time_ns()}"
    spec = {**spec, "result": str(root / f"{name}.result.json")}
    (root / f"{name}.spec.json").write_text(json.dumps(spec))
    env = {**os.environ, "LCA_ENGINE_DATA_DIR": str(data), "HOME": str(root / "home")}
    env["BRIGHTWAY2_DIR"] = str(data / "brightway")
    cmd = [sys.executable, str(HERE), "--child", str(root / f"{name}.spec.json")]
    t = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, start_new_session=True)
    tree, stopped = 0, ""
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        tree = max(tree, _tree_rss(p.pid))
        if not stopped and tree > limit_mib * 2**20:
            stopped = f"stopped at {tree / 2**20:,.0f} MiB (limit {limit_mib:,.0f} MiB)"
        elif not stopped and time.perf_counter() - t > timeout:
            stopped = f"stopped after {timeout:,.0f} s (timeout)"
        if stopped:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
        time.sleep(0.2)
    p.returncode = os.waitstatus_to_exitcode(status)
    out = {"proc_wall": time.perf_counter() - t, "peak_mib": ru.ru_maxrss / 1024, "tree_mib": tree / 2**20}
    result = Path(spec["result"])
    if result.exists():
        return {**out, **json.loads(result.read_text())}
    return {**out, "failed": stopped or f"exit code {p.returncode}"}


def ours_totals(path: str):
    """cradle-to-gate totals, factory × indicator (pandas), as the run handed them to its comparison table."""
    import pandas as pd

    return pd.read_parquet(path)


def check(ours, scores_file: str, info: dict) -> dict:
    """PASS/FAIL per factory × indicator where the peer has a score; the largest relative difference."""
    import numpy as np

    theirs = np.load(scores_file)
    ids = [fid for fid, _ in info["fu"]]
    inds = [i for i, _ in info["methods"]]
    mine = ours.loc[ids, inds].to_numpy(dtype=float)
    have = ~np.isnan(theirs)
    scale = np.nanmax(np.abs(mine), axis=0, keepdims=True) + 1e-300
    diff = np.abs(mine - theirs)
    big = np.maximum(np.abs(mine), np.abs(theirs))
    tiny = big <= 1e-12 * scale  # both round-off around zero
    rel = np.where(tiny, 0.0, diff / np.where(big > 0, big, 1.0))
    ok = (rel <= REL_TOL) & have
    worst = float(np.max(rel[have])) if have.any() else math.nan
    return {"pass": int(ok.sum()), "fail": int((have & ~ok).sum()), "max_rel": worst}


def mem_estimate_gib(kind: str, products: int, demands: int) -> float:
    """Dense supply arrays a peer holds at once (products × demands × 8 B × copies)."""
    copies = {"multilca": 3, "fast_forward": 2}.get(kind, 0)
    return copies * products * demands * 8 / 2**30


# ---------------------------------------------------------------------------------------------------- one size
def generate(n: int, root: Path) -> tuple[Path, float]:
    from lca_engine.portfolio.generate import generate_to

    out = root / f"portfolio_{n}"
    t = time.perf_counter()
    generate_to(out, n, seed=SEED)
    return out, time.perf_counter() - t


def ours_spec(n: int, port: Path, ctx: dict, workers: int, child: str = "ours") -> dict:
    out = ctx["root"] / f"out_{n}_{workers}_{child}"
    out.mkdir()
    spec = {"child": child, "portfolio": str(port), "out": str(out), "data": str(ctx["ours"]), "workers": workers}
    return spec | {"totals": str(out / "totals.parquet"), "skip_comparison": n in ctx["skip_comparison"]}


def run_ours(n: int, port: Path, ctx: dict, workers: int) -> dict:
    spec = ours_spec(n, port, ctx, workers)
    log(f"N = {n:,}: ours, {workers} process(es)")
    return {**spawn(spec, ctx["root"], ctx["ours"], ctx["limit"], ctx["timeout"]), "totals": spec["totals"]}


def run_peers(n: int, port: Path, ctx: dict) -> dict:
    mapping = ctx["root"] / f"peers_{n}.json"
    spec = {"child": "peer_setup", "portfolio": str(port), "data": str(ctx["peers"]), "db": f"portfolio-{n}"}
    log(f"N = {n:,}: peer setup (one combined database)")
    setup = spawn({**spec, "map": str(mapping)}, ctx["root"], ctx["peers"], ctx["limit"], ctx["timeout"] * 4)
    out = {"setup": setup}
    if "failed" in setup:
        return out
    info = json.loads(mapping.read_text())
    products = info["activities"] + 400  # + the DESNZ background
    for kind in PEERS:
        est = mem_estimate_gib(kind, products, 2 * n)
        if est * 1024 > ctx["limit"]:
            out[kind] = {"failed": f"not run: dense supply arrays ≈ {est:,.0f} GiB > limit {ctx['limit'] / 1024:g} GiB"}
            continue
        scores = ctx["root"] / f"scores_{n}_{kind}.npy"
        spec = {"child": "peer", "kind": kind, "data": str(ctx["peers"]), "map": str(mapping)}
        spec |= {"scores": str(scores), "sample": ctx["sample"]}
        log(f"N = {n:,}: {kind}")
        out[kind] = spawn(spec, ctx["root"], ctx["peers"], ctx["limit"], ctx["timeout"])
        if "failed" not in out[kind]:
            out[kind]["check"] = check(ctx["totals"], str(scores), info)
            if kind == "naive":
                out[kind]["extrapolated"] = out[kind]["wall"] * 2 * n / out[kind]["done"]
    return out


def run_size(n: int, ctx: dict) -> dict:
    log(f"N = {n:,}: generating {2 * n:,} inventories")
    port, t_gen = generate(n, ctx["root"])
    row = {"n": n, "generate": t_gen, "ours": run_ours(n, port, ctx, 1)}
    if "failed" in row["ours"]:
        return row
    ctx["totals"] = ours_totals(row["ours"]["totals"])
    if n in ctx["dask_sizes"]:
        row["dask"] = run_ours(n, port, ctx, 2)
        if "failed" not in row["dask"]:
            same = ours_totals(row["dask"]["totals"]).equals(ctx["totals"])
            row["dask"]["same"] = same
    row["peers"] = run_peers(n, port, ctx)
    if n == ctx["profile"]:
        log(f"N = {n:,}: cProfile of ours")
        spec = ours_spec(n, port, ctx, 1, "profile")
        row["profile"] = spawn(spec, ctx["root"], ctx["ours"], ctx["limit"], ctx["timeout"])
    shutil.rmtree(port, ignore_errors=True)
    return row


# ---------------------------------------------------------------------------------------------------- report
def machine_line() -> str:
    from importlib.metadata import version
    from importlib.util import find_spec

    pardiso = "pypardiso installed" if find_spec("pypardiso") else "no pypardiso (SuperLU)"
    libs = ", ".join(f"{m} {version(m)}" for m in ("numpy", "scipy", "bw2calc", "bw2data", "dask"))
    return (
        f"Machine: {cpu_name()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end, Python "
        f"{platform.python_version()}, {libs} ({pardiso})"
    )


def _wall(r: dict | None, key: str = "wall") -> float:
    return math.nan if not r or "failed" in r else r.get(key, math.nan)


def _fmt(x: float, digits: int = 2) -> str:
    return "—" if not math.isfinite(x) else f"{x:,.{digits}f}"


def _ours_lines(row: dict) -> list[str]:
    o, lines = row["ours"], []
    if "failed" in o:
        return [f"| lca-engine `assess_portfolio`, one process | failed: {o['failed']} | | | | | |"]
    wall, label = _fmt(o["wall"]), "lca-engine `assess_portfolio`, one process"
    lines.append(f"| {label} | {wall} | {o['peak_mib']:,.0f} | 1× | {wall} | 1× | {_split(o)} |")
    d = row.get("dask")
    if d and "failed" not in d:
        note = f"{_split(d)}; speed-up {o['wall'] / d['wall']:.2f}× (chunks {o['chunks'] / d['chunks']:.2f}×); "
        note += f"totals equal one process: {d['same']}"
        mem = f"{d['peak_mib']:,.0f} (tree {d['tree_mib']:,.0f})"
        label = "lca-engine, `DaskRunner(workers=2)`"
        lines.append(f"| {label} | {_fmt(d['wall'])} | {mem} | — | {_fmt(d['wall'])} | — | {note} |")
    elif d:
        lines.append(f"| lca-engine, `DaskRunner(workers=2)` | {d['failed']} | | | | | |")
    return lines


def _split(o: dict) -> str:
    comparison = f"{o['comparison']:.2f} s" if "comparison" in o else "not run (--skip-comparison)"
    return (
        f"background {o['background']:.2f} s + chunks {o['chunks']:.2f} s + comparison table {comparison}; peak "
        f"before the comparison {o['peak_before_comparison_mib']:,.0f} MiB"
    )


def _peer_line(kind: str, r: dict, ours: float, n: int, setup: float) -> str:
    label = PEER_LABEL[kind]
    if "failed" in r:
        return f"| {label} | {r['failed']} | | | | | |"
    wall = r.get("extrapolated", r["wall"])
    c = r["check"]
    note = f"check {c['pass']:,} PASS / {c['fail']:,} FAIL, max rel. diff {c['max_rel']:.1e}"
    if kind == "naive":
        note = (
            f"{r['done']} of {2 * n:,} factories in {r['wall']:.2f} s, extrapolated ×{2 * n / r['done']:.1f}; " + note
        )
    both = f"{_fmt(setup + wall)} | {(setup + wall) / ours:,.2f}×"
    return f"| {label} | {_fmt(wall)} | {r['peak_mib']:,.0f} | {wall / ours:,.2f}× | {both} | {note} |"


def size_table(row: dict) -> list[str]:
    n = row["n"]
    out = [f"\n### N = {n:,} ({2 * n:,} inventories; generation {row['generate']:.1f} s, not counted)\n"]
    out.append("| method | wall s | peak MiB | ours faster by | with peer setup: s | ours faster by | notes |")
    out.append("|---|---|---|---|---|---|---|")
    out += _ours_lines(row)
    ours = _wall(row["ours"])
    peers = row.get("peers", {})
    s, setup = peers.get("setup"), math.nan
    if s and "failed" not in s:
        setup = s["load"] + s["write"]
        note = (
            f"reading the inventories {s['load']:.1f} s + `Database.write` {s['write']:.1f} s ({s['activities']:,} "
            f"activities, {s['exchanges']:,} exchanges); not counted below"
        )
        out.append(f"| peer setup (one combined database) | {_fmt(setup)} | {s['peak_mib']:,.0f} | — | | | {note} |")
    elif s:
        out.append(f"| peer setup | {s['failed']} | | | | | |")
    for kind in PEERS:
        if kind in peers:
            out.append(_peer_line(kind, peers[kind], ours, n, setup))
    return out


def cost_curve(rows: list[dict]) -> list[str]:
    out = [
        "\n### Cost curve (ours, one process)\n",
        "| N | inventories | wall s | background s | chunks s | comparison table s | chunks ms per inventory "
        "| peak MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        o = r["ours"]
        if "failed" in o:
            continue
        ms = o["chunks"] / (2 * r["n"]) * 1e3
        keys = ("wall", "background", "chunks", "comparison")
        cells = [f"{r['n']:,}", f"{2 * r['n']:,}"] + [_fmt(o.get(k, math.nan)) for k in keys]
        out.append(f"| {' | '.join(cells)} | {ms:.2f} | {o['peak_mib']:,.0f} |")
    return out


def targets(rows: list[dict]) -> list[str]:
    by = {r["n"]: r for r in rows}
    out = ["\n### Targets\n"]
    r = by.get(1000)
    if r and "peers" in r:
        ours = _wall(r["ours"])
        naive = _wall(r["peers"].get("naive"), "extrapolated")
        ratio = naive / ours
        out.append(f"- ≥ 50× the naive `LCA` loop at N = 1,000: {'MET' if ratio >= 50 else 'NOT MET'} ({ratio:,.1f}×)")
        for kind in ("fast_forward", "fast_adjoint"):
            fast = _wall(r["peers"].get(kind))
            verdict = "MET" if fast > ours else "NOT MET"
            out.append(
                f"- ahead of {PEER_LABEL[kind]} at N = 1,000: {verdict} ({fast / ours:.2f}×: {_fmt(fast)} s vs ours "
                f"{_fmt(ours)} s)"
            )
    r = by.get(10000)
    if r and "failed" not in r["ours"]:
        peak = r["ours"]["peak_mib"]
        out.append(
            f"- N = 10,000 peak ≤ 2,048 MiB (one process): {'MET' if peak <= 2048 else 'NOT MET'} ({peak:,.0f} MiB)"
        )
    return out


def checks_line(rows: list[dict]) -> str:
    passed = failed = 0
    for r in rows:
        for kind in PEERS:
            c = r.get("peers", {}).get(kind, {}).get("check")
            if c:
                passed, failed = passed + c["pass"], failed + c["fail"]
    return f"\nChecks (ours vs peers, cradle to gate, rel. ≤ {REL_TOL:g}): {passed:,} PASS, {failed:,} FAIL."


def report(rows: list[dict], warm: dict, machine: str | None = None) -> str:
    lines = ["## Results", "", machine or machine_line(), ""]
    lines.append(
        f"One-time project build (biosphere, 24 methods, DESNZ {YEAR}) per data folder: {warm['wall']:.1f} s, not "
        "counted. Wall = the call alone (imports excluded) in a fresh process; peak = that process's ru_maxrss "
        "(with Dask: the driver; 'tree' = driver + workers, sampled). Ours reads and validates every TOML file; the "
        "peers start from the database written in the setup."
    )
    for r in rows:
        lines += size_table(r)
    lines += cost_curve(rows)
    lines += targets(rows)
    lines.append(checks_line(rows))
    for r in rows:
        if r.get("profile") and "profile" in r["profile"]:
            p = r["profile"]["profile"]
            lines += [
                f"\n### cProfile of ours, N = {r['n']:,} (one process, {r['profile']['wall']:.1f} s under the "
                "profiler)\n"
            ]
            lines += [
                "By own time:",
                "```",
                p["tottime"][:5000],
                "```",
                "By cumulative time:",
                "```",
                p["cumulative"][:5000],
                "```",
            ]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--sample", type=int, default=50, help="factories of the naive LCA loop (extrapolated)")
    ap.add_argument("--dask-sizes", default="1000,10000", help="sizes where ours also runs on 2 Dask workers")
    ap.add_argument("--mem-limit", type=float, default=6144, help="MiB: a child above it is stopped")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per measurement (setup: 4×)")
    ap.add_argument(
        "--skip-comparison", default="", help="sizes where ours stops before its comparison table (timed apart)"
    )
    ap.add_argument("--profile", type=int, default=0, help="cProfile ours at this N (0: no)")
    ap.add_argument("--table", help="also write the results (Markdown) to this file")
    ap.add_argument("--dump", help="also write the measurements (JSON) to this file")
    ap.add_argument("--from-dump", help="print the report of an earlier run's --dump file (no measurement)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    return ap.parse_args()


def from_dump(args: argparse.Namespace) -> None:
    """The report again from the measurements of an earlier run."""
    dump = json.loads(Path(args.from_dump).read_text())
    text = report(dump["rows"], dump["warm"], dump.get("machine"))
    print(text)
    if args.table:
        Path(args.table).write_text(text + "\n", encoding="utf-8")


def measure(args: argparse.Namespace, root: Path) -> None:
    (root / "home").mkdir()
    for k, v in {"LCA_ENGINE_DATA_DIR": "gen", "HOME": "home", "BRIGHTWAY2_DIR": "gen/bw"}.items():
        os.environ[k] = str(root / v)
    ctx = {"root": root, "ours": root / "data_ours", "peers": root / "data_peers", "limit": args.mem_limit}
    ctx |= {"timeout": args.timeout, "sample": args.sample, "profile": args.profile}
    ctx["dask_sizes"] = {int(s) for s in args.dask_sizes.split(",") if s}
    ctx["skip_comparison"] = {int(s) for s in args.skip_comparison.split(",") if s}
    log("building the project in both data folders (once)")
    warm = spawn({"child": "warm", "data": str(ctx["ours"])}, root, ctx["ours"], args.mem_limit, 3600)
    spawn({"child": "warm", "data": str(ctx["peers"])}, root, ctx["peers"], args.mem_limit, 3600)
    rows = []
    for n in args.sizes.split(","):
        rows.append(run_size(int(n), ctx))
        print("\n".join(size_table(rows[-1])), file=sys.stderr, flush=True)
        if args.table:  # after every size: a later size that fails leaves the earlier ones written
            Path(args.table).write_text(report(rows, warm) + "\n", encoding="utf-8")
        if args.dump:
            dump = {"warm": warm, "rows": rows, "machine": machine_line()}
            Path(args.dump).write_text(json.dumps(dump, default=str, indent=1))
    print(report(rows, warm), flush=True)


def main() -> None:
    args = parse_args()
    if args.child:
        return run_child_spec(args.child)
    if args.from_dump:
        return from_dump(args)
    root = Path(tempfile.mkdtemp(prefix="lca-engine-bench-portfolio-"))
    try:
        measure(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    log("done")
    return None


if __name__ == "__main__":
    main()
