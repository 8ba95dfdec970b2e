"""The report's section "Material in use and industrial symbiosis" for one factory, as plain JSON-able data.

* **Lifetimes**: each product the factory sells to the market with its ``[flows.lifetime]`` (distribution, mean and
  parameters in years, the industry average L_av, its source or "assumption"), and where the MCI utility's L/L_av
  comes from (:func:`lca_engine.circularity.lifetime.lifetime_ratio`: "lifetime data" or "typed ratio").
* **In use** (:func:`lca_engine.stocks.in_use_stocks` on this factory alone, :data:`START` … :data:`END`): the
  stock in use, the end-of-life outflow by route and the secondary material per year (the chart's series), a
  table at :data:`TABLE_YEARS`, and per material the tonnes put on the market over the horizon, still in use at
  its end and gone by each end-of-life route (the series' ``horizon_totals``: the in-use Sankey's flows). A
  factory none of whose products can be modelled says "not stated" and why — never zeros.
* **Symbiosis** (:func:`lca_engine.symbiosis.portfolio.symbiosis` among the factories the report was run on,
  baselines left out, within :data:`RADIUS_KM` of road): the matches this factory gives or takes part in, the road
  circuity factor with its source and status ("to check" until read at its publisher) and DESNZ's caveat.
"""

from __future__ import annotations

from pathlib import Path

from ..background.catalog import Catalog
from ..circularity.lifetime import lifetime_ratio
from ..model import Factory, Flow, Lifetime
from ..rules.lifetime import is_sold_product
from ..stocks import EOL_ROUTES, in_use_stocks
from ..stocks.horizon import END, START
from ..stocks.lifetimes import in_years
from ..symbiosis.distance import load_circuity
from ..symbiosis.portfolio import COLUMNS as MATCH_TABLE
from ..symbiosis.portfolio import symbiosis
from ..vocabulary import BASELINE

#: Years of the section's table (those inside the horizon).
TABLE_YEARS = (2030, 2040, 2050, 2060)
#: Road distance within which the report looks for symbiosis matches (the CLI asks for it: `--radius`).
RADIUS_KM = 50.0
#: What "not stated" means here.
NOT_STATED = "not stated"
DESNZ_CAVEAT = (
    "DESNZ states that its waste-disposal factors are for reporting, not for comparing treatment routes: the "
    "treatment avoided by a match is an indication, not a comparison of routes."
)
#: The match columns the report shows (the rest stay in `lca-engine symbiosis --out`): every column of the match
#: table but the receiver's quality, the circuity (stated once under the table) and the factors used.
MATCH_COLUMNS = tuple(c for c in MATCH_TABLE if c not in ("receiver_quality", "circuity", "circuity_status", "factors"))


def _provenance(lt: Lifetime) -> str:
    if lt.source:
        return f"source {lt.source}"
    a = lt.assumption
    return f"assumption: {a.reasoning} (range {a.low:g}–{a.high:g} {lt.unit})" if a else NOT_STATED


def product_row(flow: Flow) -> dict:
    """One product sold to the market and its lifetime (figures in years; ``None``: not stated)."""
    row = {"id": flow.id, "name": flow.name, "material": flow.material or NOT_STATED, "lifetime": None}
    lt = flow.lifetime
    if lt is not None:
        y = in_years(lt, f"{flow.id}.lifetime")
        row["lifetime"] = {
            "distribution": y.distribution,
            "mean_years": y.mean,
            "std_years": y.std,
            "shape": y.shape,
            "average_years": y.average,
            "unit_stated": lt.unit,
            "provenance": _provenance(lt),
            "assumption": lt.assumption is not None,
            "note": lt.note,
        }
    return row


def horizon_totals(result) -> list[dict]:
    """Per material (sorted), over the whole horizon, t: put on the market (the inflows summed), still in use at
    the end of its last year and the end-of-life outflow summed by route — the in-use Sankey's flows. The stock
    model conserves mass, so put on the market = in use at the end + Σ routes (to rounding)."""
    end = result.horizon.end
    put = result.stocks.groupby("material")["inflow_t"].sum()
    last = result.stocks[result.stocks["year"] == end].groupby("material")["stock_t"].sum()
    routes = result.outflows.groupby(["material", "route"])["outflow_t"].sum()
    return [
        {
            "material": str(m),
            "put_on_market_t": float(put[m]),
            "in_use_end_t": float(last.get(m, 0.0)),
            "by_route": {r: float(routes.get((m, r), 0.0)) for r in EOL_ROUTES},
        }
        for m in sorted(put.index)
    ]


def _series(result) -> dict:
    """Per year of the horizon: stock in use (end of year), outflow by route and secondary material, t (all
    products of the factory summed); and the horizon's totals per material (:func:`horizon_totals`)."""
    routes = result.outflow_by_route()
    return {
        "years": [int(y) for y in result.horizon.years],
        "stock_t": result.stock_by_material().sum(axis=1).tolist(),
        "outflow_t": {r: routes[r].tolist() for r in EOL_ROUTES},
        "secondary_t": result.secondary_by_year().sum(axis=1).tolist(),
        "horizon_totals": horizon_totals(result),
    }


def _table(series: dict) -> list[dict]:
    rows = []
    for year in TABLE_YEARS:
        if year not in series["years"]:
            continue
        i = series["years"].index(year)
        by_route = {r: v[i] for r, v in series["outflow_t"].items()}
        rows.append(
            {
                "year": year,
                "stock_t": series["stock_t"][i],
                "outflow_t": sum(by_route.values()),
                "by_route": by_route,
                "secondary_t": series["secondary_t"][i],
            }
        )
    return rows


def in_use(checked, start: int = START, end: int = END) -> dict:
    """The in-use part for one checked factory: modelled, or "not stated" with the reasons."""
    result = in_use_stocks([checked], start, end)
    left = [{"product": x.product, "reason": x.reason} for x in result.left_out]
    base = {"start": start, "end": end, "routes": list(EOL_ROUTES), "left_out": left, "notes": list(result.notes)}
    if result.stocks.empty:
        return base | {"modelled": False, "status": NOT_STATED}
    series = _series(result)
    return base | {
        "modelled": True,
        "status": "modelled",
        "series": series,
        "table": _table(series),
        "secondary_formula": result.secondary_formula,
        "inflow_at": result.inflow_at,
        "inflow_t_per_year": result.stocks.groupby("year")["inflow_t"].sum().iloc[0],
    }


def _circuity(c) -> dict:
    keys = ("value", "low", "high", "source", "where", "note")
    return {k: getattr(c, k) for k in keys} | {"status": c.status}


def symbiosis_part(assessment, factory_id: str, catalog: Catalog, inventories: Path) -> dict:
    """The matches ``factory_id`` gives or takes part in among the assessment's factories (baselines left out)."""
    peers = [(c.factory, c.file) for c in assessment.checked.values() if c.factory.system != BASELINE]
    s = symbiosis(peers, RADIUS_KM, catalog, load_circuity(inventories))
    m = s.matches
    mine = m[(m.giver == factory_id) | (m.receiver == factory_id)]
    un = s.unclassified[s.unclassified.factory == factory_id]
    return {
        "radius_km": s.radius_km,
        "year": s.year,
        "peers": sorted(f.id for f, _ in peers),
        "circuity": _circuity(s.circuity),
        "caveat": DESNZ_CAVEAT,
        "matches": mine[list(MATCH_COLUMNS)].to_dict("records"),
        "unclassified": un[["flow", "side", "reason"]].to_dict("records"),
    }


def cycles_section(assessment, factory_id: str, *, catalog: Catalog, inventories: Path) -> dict:
    """The whole section for ``factory_id`` (module docstring)."""
    checked = assessment.checked[factory_id]
    factory: Factory = checked.factory
    ratio = lifetime_ratio(factory)
    return {
        "products": [product_row(f) for f in factory.flows if is_sold_product(f)],
        "utility": {"value": ratio.value, "basis": ratio.basis, "note": ratio.note},
        "in_use": in_use(checked),
        "symbiosis": symbiosis_part(assessment, factory_id, catalog, inventories),
    }
