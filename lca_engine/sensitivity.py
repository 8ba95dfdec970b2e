"""Global sensitivity of the micro-factory − baseline difference: Sobol indices (SALib) over every uncertain
matrix entry, evaluated on the vectorised engine (one batched solve for all Saltelli samples)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .mc_solvers import choose_solver
from .uncertainty import MatrixSystem, UncertaintyError

_DISTS = {2: "lognorm", 3: "norm", 4: "unif", 5: "triang"}


def _problem(system: MatrixSystem) -> dict:
    params = np.concatenate([system.tech.params[system.tech.uncertain], system.bio.params[system.bio.uncertain]])
    dists, bounds = [], []
    for p in params:
        t = int(p["uncertainty_type"])
        if t not in _DISTS:
            raise UncertaintyError(
                f"Sobol analysis does not support stats_arrays type {t}",
                fix="use lognormal, normal, uniform or triangular distributions",
            )
        dists.append(_DISTS[t])
        if t == 5:
            lo, hi = float(p["minimum"]), float(p["maximum"])
            # float32-stored bounds can put the mode a hair outside [min, max]: clip the peak fraction
            bounds.append([lo, hi, min(1.0 - 1e-12, max(0.0, (float(p["loc"]) - lo) / (hi - lo)))])  # SALib: peak < 1
        elif t == 4:
            bounds.append([float(p["minimum"]), float(p["maximum"])])
        else:
            bounds.append([float(p["loc"]), float(p["scale"])])
    names, seen = [], {}
    for name in system.parameter_names():  # SALib groups parameters that share a name: keep them apart
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return {"num_vars": len(names), "names": names, "bounds": bounds, "dists": dists}


def sobol_difference(
    system: MatrixSystem,
    factory: str,
    baseline: str,
    indicators: list[str] | None = None,
    samples: int = 256,
    seed: int = 1,
    top: int | None = None,
) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices of ``factory − baseline`` per indicator, largest ST first."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    if samples <= 0 or samples & (samples - 1):
        raise UncertaintyError(
            f"samples = {samples} must be a positive power of 2 (Sobol sequence)",
            fix="e.g. 256, 512 or 1024",
            field="samples",
        )
    problem = _problem(system)
    if problem["num_vars"] == 0:
        raise UncertaintyError("no uncertain parameters", fix="give ranges (assumptions) to some flows")
    x = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)  # rows × params
    k_a = system.tech.uncertain.size
    solver = choose_solver(system)
    scores = np.concatenate(
        [solver.solve(x[i : i + 5000, :k_a].T, x[i : i + 5000, k_a:].T) for i in range(0, x.shape[0], 5000)], axis=2
    )
    fi, bi = system.demand_names.index(factory), system.demand_names.index(baseline)
    rows = []
    for ind in indicators or system.indicators:
        y = scores[system.indicators.index(ind), fi] - scores[system.indicators.index(ind), bi]
        if np.var(y) <= 0:
            continue
        res = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        order = np.argsort(-res["ST"])[: top or problem["num_vars"]]
        for j in order:
            rows.append(
                {
                    "indicator": ind,
                    "parameter": problem["names"][j],
                    "S1": float(res["S1"][j]),
                    "S1_conf": float(res["S1_conf"][j]),
                    "ST": float(res["ST"][j]),
                    "ST_conf": float(res["ST_conf"][j]),
                }
            )
    return pd.DataFrame(rows, columns=["indicator", "parameter", "S1", "S1_conf", "ST", "ST_conf"])
