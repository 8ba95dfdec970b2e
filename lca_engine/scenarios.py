"""Named, declarative scenarios: parameter changes applied to inventories in memory, never to the files.

A scenario is data (``inventories/scenarios.toml`` or the user's file). :func:`apply` turns one factory into its
scenario variant (a pure function of the model and the catalogue); :func:`assess_scenarios` assesses every
scenario and stacks the results in one cube, with the scenario's name in the ``scenario`` column.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .assess import Assessment
from .background.catalog import Catalog, Factor
from .circularity.energy import RENEWABLE_TARIFF
from .errors import BackgroundError, InventoryError, Problem
from .load import Checked
from .model import BOUNDARY_NODES, Factory, Flow
from .tomlfile import read_toml

GRID = "desnz.electricity.uk"
#: The grid's transmission and distribution losses (scope 3), kept on electricity bought on a renewable tariff.
GRID_TD = "desnz.electricity.uk.td"
RENEWABLE = RENEWABLE_TARIFF
CUSTOM_PREFIX = "scenario.electricity_intensity."
#: How the renewable-electricity variant accounts for electricity (stated in every scenario result).
MARKET_BASED = (
    "market-based (GHG Protocol scope 2): electricity on a renewable tariff / PPA with REGOs has zero generation "
    "emissions; a location-based view keeps the grid average, as in the 'default' results"
)


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    year: int | None = None
    fill_unpublished_from: int | None = None
    electricity_intensity: float | None = Field(None, ge=0)
    renewable_electricity_share: float | None = Field(None, ge=0, le=1)
    recycled_share: float | None = Field(None, ge=0, le=1)
    utilisation: float | None = Field(None, gt=0, le=2)
    fixed_energy_share: float = Field(0.3, ge=0, le=1)
    renewable_keeps_td_losses: bool = True

    @field_validator("fill_unpublished_from")
    @classmethod
    def _needs_year(cls, v, info):
        if v is not None and info.data.get("year") in (None, v):
            raise ValueError("fill_unpublished_from needs a scenario year, and a different one")
        return v


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


def scenario_catalog(catalog: Catalog, scenario: Scenario, fill: Catalog | None = None) -> Catalog:
    """The catalogue with the factors a scenario needs (a user grid intensity is a factor of its own).

    A factor DESNZ did not publish for the scenario's year stays missing (assessing a flow that needs it is an
    error) unless the scenario names a year to fill it from (``fill_unpublished_from``, catalogue ``fill``): that
    year's value is then used, its name saying it was substituted and from which year.
    """
    if fill is not None:
        catalog = substitute_unpublished(catalog, fill)
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


def substitute_unpublished(catalog: Catalog, fill: Catalog) -> Catalog:
    """``catalog`` with the factors it lacks (published in other years) taken from ``fill``, each labelled."""
    factors, unpublished = dict(catalog.factors), dict(catalog.unpublished)
    for key in catalog.unpublished:
        if key in fill.factors:
            f = fill.factors[key]
            label = f"[{fill.year} value substituted: not published for {catalog.year}]"
            factors[key] = replace(f, name=f"{f.name} {label}")
            del unpublished[key]
    files = {**catalog.files, "substituted-from-year": str(fill.year)}
    return replace(catalog, factors=factors, unpublished=unpublished, files=files)


def require_published(checked: dict[str, Checked], catalog: Catalog, scenario: Scenario) -> None:
    """Every background factor the scenario's variants use exists in its catalogue (one problem per flow)."""
    problems = []
    fill = f"; or add fill_unpublished_from = <year> to scenario '{scenario.name}' (a labelled substitution)"
    for c in checked.values():
        for i, f in enumerate(c.factory.flows):
            for key in (k for k in f.background_keys if k not in catalog.factors):
                try:
                    catalog.get(key)
                except BackgroundError as exc:
                    msg, fix = exc.problems[0].message, exc.problems[0].fix + fill
                    where = {"file": c.file, "field": f"flows[{i}].background"}
                    problems.append(Problem(f"scenario '{scenario.name}' (DESNZ {catalog.year}): {msg}", fix, **where))
    if problems:
        raise BackgroundError(problems)


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


def _electricity(f: Flow, scenario: Scenario) -> list[Flow] | None:
    """Grid electricity at the scenario's intensity, split by its renewable share (None: not grid electricity)."""
    keys = f.background_keys
    if not (GRID in keys and f.kind == "energy"):
        return None
    custom = scenario.electricity_intensity is not None
    grid_key = f"{CUSTOM_PREFIX}{scenario.electricity_intensity:g}" if custom else GRID
    r = scenario.renewable_electricity_share or 0.0
    f = f.model_copy(update={"background": [grid_key if k == GRID else k for k in keys]})
    tariff = [RENEWABLE, GRID_TD] if scenario.renewable_keeps_td_losses else [RENEWABLE]
    return _split(f, [("", 1 - r, {}), ("_renewable", r, {"background": tariff})])


def _virgin_with_primary_factor(f: Flow) -> bool:
    return (
        f.kind == "material"
        and f.from_ == "market"
        and f.origin == "virgin"
        and any(k.startswith("desnz.material.") and k.endswith(".primary") for k in f.background_keys)
    )


def _closed_loop_keys(f: Flow) -> list[str]:
    return [k.removesuffix(".primary") + ".closed_loop" if k.endswith(".primary") else k for k in f.background_keys]


def _recycled(f: Flow, scenario: Scenario, catalog: Catalog) -> list[Flow] | None:
    """Virgin material partly replaced by closed-loop recycled material (None: no closed-loop factor for it)."""
    if not (scenario.recycled_share and _virgin_with_primary_factor(f)):
        return None
    recycled = _closed_loop_keys(f)
    if not all(k in catalog.factors for k in recycled):
        return None
    s = scenario.recycled_share
    return _split(f, [("", 1 - s, {}), ("_recycled", s, {"background": recycled, "origin": "recycled"})])


def apply(factory: Factory, scenario: Scenario, catalog: Catalog) -> Factory:
    """The scenario variant of one factory (a new model; the input is not changed)."""
    flows: list[Flow] = []
    electricity = scenario.electricity_intensity is not None or scenario.renewable_electricity_share
    for f in factory.flows:
        new = (_electricity(f, scenario) if electricity else None) or _recycled(f, scenario, catalog) or [f]
        if scenario.utilisation and f.kind == "energy" and f.to not in BOUNDARY_NODES:
            factor = scenario.fixed_energy_share / scenario.utilisation + 1 - scenario.fixed_energy_share
            new = [_split(x, [("", factor, {})])[0] for x in new]
        flows.extend(new)
    return factory.model_copy(update={"flows": flows})


@dataclass(frozen=True)
class ScenarioEffect:
    """What one scenario parameter does to one inventory: ``applies`` False = it cannot act on it (``note`` says
    why, starting "not applicable: ")."""

    scenario: str
    factory: str
    parameter: str
    applies: bool
    note: str


def _grid_flows(factory: Factory) -> list[Flow]:
    return [f for f in factory.flows if GRID in f.background_keys and f.kind == "energy"]


def _electricity_effects(factory: Factory, sc: Scenario) -> list[tuple[str, bool, str]]:
    grid = _grid_flows(factory)
    out = []
    if sc.electricity_intensity is not None:
        out.append(("electricity_intensity", bool(grid), f"grid electricity at {sc.electricity_intensity:g} kg "
                    "CO2e per kWh delivered (user value, generation and losses together)"))  # fmt: skip
    if sc.renewable_electricity_share:
        td = "transmission and distribution losses kept (scope 3)" if sc.renewable_keeps_td_losses else (
            "transmission and distribution losses removed (renewable_keeps_td_losses = false)")  # fmt: skip
        out.append(("renewable_electricity_share", bool(grid), f"{sc.renewable_electricity_share:.0%} of grid "
                    f"electricity on a renewable tariff: {MARKET_BASED}; {td}"))  # fmt: skip
    return [(p, ok, note if ok else "not applicable: the inventory buys no UK grid electricity") for p, ok, note in out]


def _recycled_effect(factory: Factory, sc: Scenario, catalog: Catalog) -> tuple[str, bool, str]:
    virgin = [f for f in factory.flows if _virgin_with_primary_factor(f)]
    able = [f for f in virgin if all(k in catalog.factors for k in _closed_loop_keys(f))]
    if able:
        ids = ", ".join(f.id for f in able)
        return "recycled_share", True, f"{sc.recycled_share:.0%} of {ids} replaced by closed-loop recycled material"
    if not virgin:
        return "recycled_share", False, "not applicable: no virgin material bought with a DESNZ 'primary' factor"
    missing = sorted({k for f in virgin for k in _closed_loop_keys(f) if k not in catalog.factors})
    return "recycled_share", False, f"not applicable: DESNZ has no closed-loop factor ({', '.join(missing)})"


def effects(factory: Factory, scenario: Scenario, catalog: Catalog) -> list[ScenarioEffect]:
    """What each parameter of ``scenario`` does to ``factory`` — never silence where it does nothing."""
    rows = _electricity_effects(factory, scenario)
    if scenario.recycled_share:
        rows.append(_recycled_effect(factory, scenario, catalog))
    if scenario.utilisation:
        energy = any(f.kind == "energy" and f.to not in BOUNDARY_NODES for f in factory.flows)
        rows.append(("utilisation", energy, f"energy scaled by {scenario.fixed_energy_share:g} / "
                     f"{scenario.utilisation:g} + {1 - scenario.fixed_energy_share:g}" if energy
                     else "not applicable: the inventory uses no energy"))  # fmt: skip
    if scenario.year:
        rows.append(("year", True, f"DESNZ {scenario.year} conversion factors"))
    return [ScenarioEffect(scenario.name, factory.id, p, ok, note) for p, ok, note in rows]


@dataclass
class ScenarioAssessment(Assessment):
    """An :class:`Assessment` of the inventories under named scenarios, with what each scenario did to each
    inventory (``effects``: scenario, factory, parameter, applies, note)."""

    effects: pd.DataFrame = field(default_factory=pd.DataFrame)


def assess_scenarios(
    paths, scenarios: list[Scenario], *, year: int = 2025, data_dir=None, tolerance=0.01, strict_balance: bool = True
):
    """Assess the inventories as written ("default") and under every scenario, in one stacked cube; ``effects``
    says what each scenario parameter did to each inventory ("not applicable: …" where it could not act)."""
    from .assess import _run, load_many
    from .background.catalog import load_catalog
    from .bw.project import activate

    cache = activate(data_dir).cache
    catalog = load_catalog(year, cache_dir=cache)
    checked, pairs = load_many(paths, catalog, tolerance=tolerance, strict_balance=strict_balance)
    base = _run(checked, pairs, catalog, data_dir, year, None)
    cubes, completeness, done = [base.results], [base.completeness], []
    for sc in scenarios:
        cat = load_catalog(sc.year, cache_dir=cache) if sc.year else catalog
        fill = load_catalog(sc.fill_unpublished_from, cache_dir=cache) if sc.fill_unpublished_from else None
        cat = scenario_catalog(cat, sc, fill)
        # each variant gets its own id (and so its own foreground database): scenarios never overwrite each
        # other's or the default's databases, and a rerun rebuilds nothing
        tag = f"--{sc.name}"
        variants = {
            fid + tag: replace(c, factory=apply(c.factory, sc, cat).model_copy(update={"id": fid + tag}))
            for fid, c in checked.items()
        }
        require_published(variants, cat, sc)
        var_pairs = [(m + tag, b + tag if b else None) for m, b in pairs]
        res = _run(variants, var_pairs, cat, data_dir, cat.year, None)
        res.results["factory"] = res.results["factory"].str.removesuffix(tag)
        res.results["scenario"] = sc.name
        res.completeness["factory"] = res.completeness["factory"].str.removesuffix(tag)
        res.completeness.insert(0, "scenario", sc.name)
        cubes.append(res.results)
        completeness.append(res.completeness)
        done += [e for c in checked.values() for e in effects(c.factory, sc, cat)]
    base.completeness.insert(0, "scenario", "default")
    cube = pd.concat(cubes, ignore_index=True)
    return ScenarioAssessment(
        cube,
        pairs,
        checked,
        year,
        pd.concat(completeness, ignore_index=True),
        base.timings,
        base.split_factors,
        base.to_check,
        pd.DataFrame([asdict(e) for e in done], columns=[f.name for f in fields(ScenarioEffect)]),
    )
