"""Named, declarative scenarios: parameter changes applied to inventories in memory, never to the files.

A scenario is data (``inventories/scenarios.toml`` or the user's file). :func:`apply` turns one factory into its
scenario variant (a pure function of the model and the catalogue); :func:`assess_scenarios` assesses every
scenario and stacks the results in one cube, with the scenario's name in the ``scenario`` column.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .background.catalog import Catalog, Factor
from .errors import InventoryError, Problem
from .model import BOUNDARY_NODES, Factory, Flow
from .tomlfile import read_toml

GRID = "desnz.electricity.uk"
RENEWABLE = "facts.electricity.renewable_market_based"
CUSTOM_PREFIX = "scenario.electricity_intensity."


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    year: int | None = None
    electricity_intensity: float | None = Field(None, ge=0)
    renewable_electricity_share: float | None = Field(None, ge=0, le=1)
    recycled_share: float | None = Field(None, ge=0, le=1)
    utilisation: float | None = Field(None, gt=0, le=2)
    fixed_energy_share: float = Field(0.3, ge=0, le=1)


PARAMETERS = [n for n in Scenario.model_fields if n not in ("name", "description")]


def load_scenarios(path: str | Path | None = None) -> list[Scenario]:
    from .background.catalog import default_inventories_dir

    path = Path(path) if path else default_inventories_dir() / "scenarios.toml"
    data = read_toml(path, "scenario file", fix="give an existing scenarios.toml")
    out, problems, seen = [], [], set()
    for i, entry in enumerate(data.get("scenarios", [])):
        try:
            sc = Scenario.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(map(str, err["loc"]))
                if err["type"] == "extra_forbidden":
                    msg, fix = f"unknown scenario parameter '{field}'", f"use one of: {', '.join(PARAMETERS)}"
                else:
                    msg, fix = err["msg"], "see the parameter list at the top of inventories/scenarios.toml"
                problems.append(Problem(msg, fix=fix, file=str(path), field=f"scenarios[{i}].{field}"))
            continue
        if sc.name in seen or sc.name == "default":
            problems.append(
                Problem(
                    f"scenario name '{sc.name}' is used twice or reserved",
                    fix="rename it",
                    file=str(path),
                    field=f"scenarios[{i}].name",
                )
            )
        seen.add(sc.name)
        out.append(sc)
    if problems:
        raise InventoryError(problems)
    return out


def scenario_catalog(catalog: Catalog, scenario: Scenario, default: Catalog | None = None) -> Catalog:
    """The catalogue with the factors a scenario needs (a user grid intensity is a factor of its own).

    For a scenario year, factors DESNZ did not publish that year keep the default year's value, named as such
    (e.g. clothing to energy recovery has no 2023 factor), so that the scenario changes only what it says.
    """
    if default is not None and default.year != catalog.year:
        factors = dict(catalog.factors)
        for key, f in default.factors.items():
            if key not in factors:
                factors[key] = replace(f, name=f"{f.name} ({default.year} value: not published for {catalog.year})")
        catalog = replace(catalog, factors=factors, files={**catalog.files, "fallback-year": str(default.year)})
    if scenario.electricity_intensity is None:
        return catalog
    key = f"{CUSTOM_PREFIX}{scenario.electricity_intensity:g}"
    grid = catalog.factors[GRID]
    factors = dict(catalog.factors)
    factors[key] = Factor(
        key,
        f"Electricity, grid, user scenario value {scenario.electricity_intensity:g} kg CO2e/kWh",
        "kWh",
        float(scenario.electricity_intensity),
        catalog.year,
        "scenario (user value)",
        table="scenario",
        carrier=grid.carrier,
        energy_kwh=grid.energy_kwh,
    )
    return replace(catalog, factors=factors, files={**catalog.files, key: "user value"})


def _split(flow: Flow, parts: list[tuple[str, float, dict]]) -> list[Flow]:
    out = []
    for suffix, share, update in parts:
        if share <= 0:
            continue
        f = flow.model_copy(update={"amount": flow.amount * share, **update})
        if suffix:
            f = f.model_copy(update={"id": f"{flow.id}{suffix}"})
        if f.assumption is not None:
            a = f.assumption
            f = f.model_copy(update={"assumption": a.model_copy(update={"low": a.low * share, "high": a.high * share})})
        out.append(f)
    return out


def apply(factory: Factory, scenario: Scenario, catalog: Catalog) -> Factory:
    """The scenario variant of one factory (a new model; the input is not changed)."""
    flows: list[Flow] = []
    for f in factory.flows:
        keys = f.background_keys
        electricity = scenario.electricity_intensity is not None or scenario.renewable_electricity_share
        if GRID in keys and f.kind == "energy" and electricity:
            grid_key = (
                f"{CUSTOM_PREFIX}{scenario.electricity_intensity:g}"
                if (scenario.electricity_intensity is not None)
                else GRID
            )
            r = scenario.renewable_electricity_share or 0.0
            f = f.model_copy(update={"background": [grid_key if k == GRID else k for k in keys]})
            parts = [("", 1 - r, {}), ("_renewable", r, {"background": RENEWABLE})]
            new = _split(f, parts)
        elif (
            scenario.recycled_share
            and f.kind == "material"
            and f.from_ == "market"
            and f.origin == "virgin"
            and any(k.startswith("desnz.material.") and k.endswith(".primary") for k in keys)
        ):
            recycled = [k.removesuffix(".primary") + ".closed_loop" if k.endswith(".primary") else k for k in keys]
            if all(k in catalog.factors for k in recycled):
                s = scenario.recycled_share
                new = _split(f, [("", 1 - s, {}), ("_recycled", s, {"background": recycled, "origin": "recycled"})])
            else:
                new = [f]
        else:
            new = [f]
        if scenario.utilisation and f.kind == "energy" and f.to not in BOUNDARY_NODES:
            factor = scenario.fixed_energy_share / scenario.utilisation + 1 - scenario.fixed_energy_share
            new = [_split(x, [("", factor, {})])[0] for x in new]
        flows.extend(new)
    return factory.model_copy(update={"flows": flows})


def assess_scenarios(
    paths, scenarios: list[Scenario], *, year: int = 2025, data_dir=None, tolerance=0.01, strict_balance: bool = True
):
    """Assess the inventories as written ("default") and under every scenario, in one stacked cube."""
    import pandas as pd

    from .assess import Assessment, _run, load_many
    from .background.catalog import load_catalog
    from .bw.project import activate

    cache = activate(data_dir).cache
    catalog = load_catalog(year, cache_dir=cache)
    checked, pairs = load_many(paths, catalog, tolerance=tolerance, strict_balance=strict_balance)
    base = _run(checked, pairs, catalog, data_dir, year, None)
    cubes, completeness = [base.results], [base.completeness]
    for sc in scenarios:
        cat = load_catalog(sc.year, cache_dir=cache) if sc.year else catalog
        cat = scenario_catalog(cat, sc, catalog)
        # each variant gets its own id (and so its own foreground database): scenarios never overwrite each
        # other's or the default's databases, and a rerun rebuilds nothing
        tag = f"--{sc.name}"
        variants = {
            fid + tag: replace(c, factory=apply(c.factory, sc, cat).model_copy(update={"id": fid + tag}))
            for fid, c in checked.items()
        }
        var_pairs = [(m + tag, b + tag if b else None) for m, b in pairs]
        res = _run(variants, var_pairs, cat, data_dir, cat.year, None)
        res.results["factory"] = res.results["factory"].str.removesuffix(tag)
        res.results["scenario"] = sc.name
        res.completeness["factory"] = res.completeness["factory"].str.removesuffix(tag)
        res.completeness.insert(0, "scenario", sc.name)
        cubes.append(res.results)
        completeness.append(res.completeness)
    base.completeness.insert(0, "scenario", "default")
    cube = pd.concat(cubes, ignore_index=True)
    return Assessment(
        cube, pairs, checked, year, pd.concat(completeness, ignore_index=True), base.timings, base.split_factors
    )
