"""Coverage: how much of what a factory takes in each number actually characterises, per indicator and scope.

A number is only as complete as its data. For each factory × indicator × scope, the *inflows in scope* are the
boundary inflows (from the market or the environment into a process) that the scope reaches:

* ``site`` — what the indicator's family counts on site: energy carriers for carbon and energy, water for water
  withdrawal, process chemicals for chemicals; nothing for what the site itself releases (water consumption is its
  own evaporation, toxicity its own emissions: stated in the inventory, nothing bought to characterise);
* ``cradle_to_gate`` — what was bought that the indicator can reach: materials and chemicals (by mass), energy
  carriers (by delivered energy), and for water withdrawal the water itself (by mass, 1 kg per litre). Delivered
  energy is the same number at both scopes (it is what the site buys) and is covered over the energy carriers.

An inflow is *covered* when it contributes to the indicator at that scope (the completeness table, read from the
calculation: per unit of the flow, its score is not zero). Coverage is the covered share of the inflow mass and of
the delivered energy in scope; the headline figure is the lower of the two that apply (1 when nothing is in scope),
and the flows not covered are named — a flow linked to an imported background as "<flow> (not characterised by
background NAME)": such a background characterises only the indicators holding a whole LCIA method over biosphere3,
never the product's own energy, withdrawal and chemicals flows, and never counts on site. Freight (t·km) carries
no inflow mass and is not part of coverage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .background.imported import is_link, parse_link
from .balance import flow_mass_kg
from .indicators import CRADLE_TO_GATE, INDICATORS, SCOPE_LABELS, SCOPES, SITE
from .model import ENVIRONMENT, MARKET, Factory, Flow
from .units import convert, parse_unit, ureg

#: Inflow kinds each family counts on site, and cradle to gate.
SITE_KINDS = {"carbon": ("energy",), "energy": ("energy",), "water": ("water",), "chemicals": ("chemical",)}
CRADLE_TO_GATE_KINDS = {
    "carbon": ("material", "chemical", "energy"),
    "energy": ("material", "chemical", "energy"),
    "water": ("material", "chemical", "water"),
    "chemicals": ("material", "chemical"),
}
#: Indicators of what the site releases (its own evaporation, its own emissions): nothing bought is in scope on site;
#: cradle to gate, what was bought (water consumption: materials and chemicals; toxicity: energy too).
RELEASED = {
    "water_consumption": ("material", "chemical"),
    "water_scarcity": ("material", "chemical"),
    "water_wcp": ("material", "chemical"),
    "ecotox_freshwater": ("material", "chemical", "energy"),
    "human_tox_cancer": ("material", "chemical", "energy"),
    "human_tox_noncancer": ("material", "chemical", "energy"),
}
#: Delivered energy (all carriers and each): what the site buys, the same at both scopes.
DELIVERED = tuple(i for i in INDICATORS if i.startswith("energy_"))


def kinds_in_scope(indicator: str, scope: str) -> tuple[str, ...]:
    """The inflow kinds whose coverage a number at ``scope`` is judged on."""
    if indicator in DELIVERED:
        return ("energy",)
    if indicator in RELEASED:
        return () if scope == SITE else RELEASED[indicator]
    family = INDICATORS[indicator].family
    return SITE_KINDS[family] if scope == SITE else CRADLE_TO_GATE_KINDS[family]


_ENERGY = ureg.get_dimensionality("[mass]*[length]**2/[time]**2")

COLUMNS = [
    "factory",
    "indicator",
    "scope",
    "coverage",
    "mass_share",
    "energy_share",
    "inflow_kg",
    "inflow_kwh",
    "missing",
    "to_check",
]


@dataclass(frozen=True)
class Inflow:
    flow: Flow
    kg: float | None
    kwh: float | None


def inflows(factory: Factory, delivered_kwh: dict[str, float] | None = None) -> list[Inflow]:
    """Boundary inflows with their mass (kg) or, for energy carriers, their delivered energy (kWh): from the unit
    where it is an energy, else (a fuel in litres) from the calculation's delivered energy of the flow."""
    delivered_kwh = delivered_kwh or {}
    out = []
    for fl in factory.flows:
        if fl.from_ not in (MARKET, ENVIRONMENT) or fl.to in (MARKET, ENVIRONMENT) or fl.kind == "transport":
            continue
        if fl.kind == "energy":
            in_kwh = parse_unit(fl.unit).dimensionality == _ENERGY
            kwh = convert(fl.amount, fl.unit, "kWh") if in_kwh else delivered_kwh.get(fl.id)
            out.append(Inflow(fl, None, kwh))
        else:
            out.append(Inflow(fl, flow_mass_kg(fl), None))
    return out


def coverage(
    factories: list[Factory],
    completeness: pd.DataFrame,
    cube: pd.DataFrame,
    to_check: dict[str, frozenset[str]] | None = None,
) -> pd.DataFrame:
    """One row per factory × indicator × scope (columns :data:`COLUMNS`), from the completeness table and the
    result cube (delivered energy of fuels bought by volume; the links that contribute). ``to_check``: background
    keys -> indicators for which a figure behind the key was not checked against the publisher's text; the row
    names those that contribute to the number."""
    covered = _covered(completeness)
    unverified = _unverified(cube, to_check or {})
    delivered = cube[
        (cube.indicator == "energy_delivered")
        & (cube.contributor_type == "flow")
        & (cube.scope == CRADLE_TO_GATE)
        & (cube.scenario == "default")
    ]
    kwh = delivered.groupby(["factory", "contributor"])["value"].sum()
    rows = []
    for f in factories:
        ins = inflows(f, {c: float(v) for (fid, c), v in kwh.items() if fid == f.id and v > 0})
        for ind in INDICATORS.values():
            for scope in SCOPES:
                scoped = [i for i in ins if i.flow.kind in kinds_in_scope(ind.id, scope)]
                row = _row(f.id, ind.id, scope, scoped, covered.get((f.id, scope, ind.id), set()))
                rows.append(row | {"to_check": "; ".join(sorted(unverified.get((f.id, ind.id, scope), ())))})
    return pd.DataFrame(rows, columns=COLUMNS)


def _unverified(cube: pd.DataFrame, to_check: dict[str, frozenset[str]]) -> dict[tuple[str, str, str], set[str]]:
    """(factory, indicator, scope) -> background keys "to check" that contribute to that number."""
    flows = cube[
        (cube.contributor_type == "flow")
        & (cube.scenario == "default")
        & (cube.value != 0)
        & cube.factor.isin(to_check)
    ]
    out: dict[tuple[str, str, str], set[str]] = {}
    for r in flows[["factory", "indicator", "scope", "factor"]].drop_duplicates().itertuples(index=False):
        if r.indicator in to_check[r.factor]:
            out.setdefault((r.factory, r.indicator, r.scope), set()).add(r.factor)
    return out


def _covered(completeness: pd.DataFrame) -> dict[tuple[str, str, str], set[str]]:
    """(factory, scope, indicator) -> ids of the flows that contribute to it."""
    out: dict[tuple[str, str, str], set[str]] = {}
    for r in completeness.itertuples():
        for ind in filter(None, str(r.characterised_by).split(",")):
            out.setdefault((r.factory, r.scope, ind), set()).add(r.flow)
    return out


def _row(factory: str, indicator: str, scope: str, scoped: list[Inflow], covered: set[str]) -> dict:
    kg = sum(i.kg for i in scoped if i.kg is not None)
    kwh = sum(i.kwh for i in scoped if i.kwh is not None)
    mass_share = _share([i.kg for i in scoped if i.flow.id in covered and i.kg is not None], kg)
    energy_share = _share([i.kwh for i in scoped if i.flow.id in covered and i.kwh is not None], kwh)
    shares = [s for s in (mass_share, energy_share) if not math.isnan(s)]
    missing = sorted({flow_label(i.flow) for i in scoped if i.flow.id not in covered})
    if not shares:  # nothing measurable in scope: covered when every in-scope flow is
        shares = [0.0 if missing else 1.0]
    return {
        "factory": factory,
        "indicator": indicator,
        "scope": scope,
        "coverage": min(shares),
        "mass_share": mass_share,
        "energy_share": energy_share,
        "inflow_kg": kg,
        "inflow_kwh": kwh,
        "missing": "; ".join(missing),
    }


def flow_label(flow: Flow) -> str:
    """A flow not characterised, as coverage lists it: its id, and the imported backgrounds it links to (which do
    not characterise that number, see :data:`lca_engine.background.links.CHARACTERISED`)."""
    names = sorted({parse_link(k).background for k in flow.background_keys if is_link(k)})
    return f"{flow.id} (not characterised by background {', '.join(names)})" if names else flow.id


def _share(parts: list[float], whole: float) -> float:
    return sum(parts) / whole if whole > 0 else float("nan")


def of(cov: pd.DataFrame, factory: str, indicator: str, scope: str = CRADLE_TO_GATE) -> dict:
    """The coverage row of one factory, indicator and scope, as a dict."""
    sel = cov[(cov.factory == factory) & (cov.indicator == indicator) & (cov.scope == scope)]
    if sel.empty:
        raise KeyError(f"no coverage for factory '{factory}', indicator '{indicator}', scope '{scope}'")
    return sel.iloc[0].to_dict()


def shortfall(cov: pd.DataFrame | None, sides, indicator: str, scope: str, least: float) -> tuple[float, str]:
    """(the lower coverage of ``sides`` at ``scope``, why it is below ``least`` naming the flows not characterised,
    or ""); (NaN, "") without a coverage table. Claims and the verdict block judge coverage with it."""
    if cov is None:
        return float("nan"), ""
    worst, short = 1.0, []
    for fid in sides:
        sel = cov[(cov.factory == fid) & (cov.indicator == indicator) & (cov.scope == scope)]
        if sel.empty:
            continue
        r = sel.iloc[0]
        worst = min(worst, float(r["coverage"]))
        if r["coverage"] < least:
            short.append(f"{fid} {r['coverage']:.0%} (not characterised: {r['missing'] or 'flows without a mass'})")
    why = f"coverage below {least:.0%} at scope {SCOPE_LABELS[scope]}: " + "; ".join(short) if short else ""
    return worst, why
