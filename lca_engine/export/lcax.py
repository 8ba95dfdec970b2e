"""LCAx (``lcax`` package) of assessed results: a project, one assembly per factory, one product per process.

Layout: the project is the comparison (a micro-factory and, where it names one, its baseline); each factory is an
assembly of one functional unit (quantity = the functional unit's amount, LCAx unit where one fits, else
``unknown``) and each of its processes a product carrying that process's part of the result, per LCAx impact
category (:mod:`.mapping`) and EN 15804 module (:mod:`.modules`; LCAx has one product-stage module, ``a1a3``: the
A1 / A2 / A3 split is in each assembly's and product's ``metaData.a1_a2_a3``). Results are cradle to gate per
functional unit, scenario "default", background year of the assessment. Products carry no ``impactData`` (the
numbers are ours, not an EPD's) and ``referenceServiceLife`` 0 (our inventories do not state one). The project
``results`` are left empty when it holds two alternatives: LCAx would add them up.

Flows linked to an imported background (``NAME:…``) count only where their indicator characterises such a link
(:data:`lca_engine.background.links.CHARACTERISED`: not GWP, our DESNZ AR5 carbon, nor PENRT / PERT) and the
linked activity reaches it. Where they do not, the number leaves them out; each assembly's
``metaData.not_characterised`` names them per category, as coverage does, and the project names the backgrounds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pandas as pd

from .. import __version__, atomic
from ..background.imported import is_link
from ..background.links import linked_backgrounds
from ..coverage import flow_label as named_flow
from ..indicators import CRADLE_TO_GATE, INDICATORS
from ..model import Factory
from .mapping import LCAX_CATEGORIES
from .modules import PRODUCT_STAGE, Module, module

#: Our functional-unit units → LCAx ``Unit`` names.
_UNITS = {"m2": "M2", "m3": "M3", "m": "M", "kg": "KG", "t": "TONES", "L": "L", "km": "KM"}
_BY_INDICATOR = {m.indicator: m for m in LCAX_CATEGORIES}

Values = dict[str, dict[Module, float]]  # LCAx category name -> EN 15804 module -> value


def module_values(results: pd.DataFrame, factory_id: str) -> dict[str, Values]:
    """Per process of ``factory_id``: the cradle-to-gate flow contributions of the mapped indicators, summed per
    LCAx category and EN 15804 module (pure; from the result cube)."""
    r = results
    rows = r[
        (r.factory == factory_id)
        & (r.scenario == "default")
        & (r.scope == CRADLE_TO_GATE)
        & (r.contributor_type == "flow")
        & r.indicator.isin(list(_BY_INDICATOR))
    ]
    out: dict[str, Values] = defaultdict(lambda: defaultdict(lambda: defaultdict(float)))
    for row in rows.itertuples():
        out[row.process][_BY_INDICATOR[row.indicator].category][module(row.module, row.stage)] += float(row.value)
    return out


def not_characterised(results: pd.DataFrame, factory: Factory) -> dict[str, list[str]]:
    """Per LCAx category (lower case): the flows of ``factory`` linked to an imported background that add nothing
    to its indicator, named as coverage names them, where there are any (pure; from the result cube)."""
    linked = sorted((fl for fl in factory.flows if any(map(is_link, fl.background_keys))), key=lambda fl: fl.id)
    r = results
    reached = r[
        (r.factory == factory.id)
        & (r.scenario == "default")
        & (r.scope == CRADLE_TO_GATE)
        & (r.contributor_type == "flow")
        & r.contributor.isin([fl.id for fl in linked])
        & (r.value != 0)
    ]
    reached_by = set(zip(reached.indicator, reached.contributor, strict=True))
    out = {}
    for m in LCAX_CATEGORIES:
        missing = [named_flow(fl) for fl in linked if (m.indicator, fl.id) not in reached_by]
        if missing:
            out[m.category.lower()] = missing
    return out


def _add(parts: list[Values]) -> Values:
    total: Values = defaultdict(lambda: defaultdict(float))
    for part in parts:
        for cat, mods in part.items():
            for m, v in mods.items():
                total[cat][m] += v
    return total


def lcax_modules(values: Values) -> dict[str, dict[str, float]]:
    """LCAx's modules: A1, A2 and A3 added into ``a1a3``; A4, A5 as they are."""
    out: dict[str, dict[str, float]] = {}
    for cat, mods in values.items():
        agg: dict[str, float] = defaultdict(float)
        for m, v in mods.items():
            agg["A1A3" if m in PRODUCT_STAGE else m.value] += v
        out[cat] = dict(agg)
    return out


def _impacts(values: Values):
    import lcax

    return lcax.Impacts(
        {
            getattr(lcax.ImpactCategoryKey, cat): lcax.ImpactCategory(
                {getattr(lcax.LifeCycleModule, m): v for m, v in mods.items()}
            )
            for cat, mods in lcax_modules(values).items()
        }
    )


def _split(values: Values) -> dict:
    return {cat.lower(): {m.value.lower(): mods.get(m, 0.0) for m in PRODUCT_STAGE} for cat, mods in values.items()}


def _assembly(factory: Factory, per_process: dict[str, Values], missing: dict[str, list[str]]):
    import lcax

    fu = factory.functional_unit
    unit = getattr(lcax.Unit, _UNITS.get(fu.unit, "UNKNOWN"))
    names = {p.id: p.name or p.id for p in factory.processes}
    products = [
        lcax.Product(
            id=f"{factory.id}/{pid or 'functional-unit'}",
            name=names.get(pid, "flows outside the processes"),
            description=f"the part of process '{pid}' in one functional unit" if pid else None,
            reference_service_life=0,
            impact_data=[],
            quantity=fu.amount,
            unit=unit,
            results=_impacts(vals),
            meta_data={"a1_a2_a3": _split(vals)},
        )
        for pid, vals in sorted(per_process.items())
    ]
    total = _add(list(per_process.values()))
    meta = {
        "system": factory.system,
        "sector": factory.sector,
        "functional_unit": fu.label(),
        "a1_a2_a3": _split(total),
        **({"not_characterised": missing} if missing else {}),
    }
    return lcax.Assembly(
        id=factory.id,
        name=factory.name,
        description=fu.description,
        quantity=fu.amount,
        unit=unit,
        products=products,
        results=_impacts(total),
        meta_data=meta,
    ), total


def _mapping_meta() -> dict:
    return {
        m.category.lower(): {
            "indicator": m.indicator,
            "name": INDICATORS[m.indicator].name,
            "unit": INDICATORS[m.indicator].unit,
            "en15804_a2_characterisation": m.en15804,
            "basis": m.basis,
        }
        for m in LCAX_CATEGORIES
    }


def _imported_text(names: list[str]) -> str:
    if not names:
        return ""
    return (
        f" and imported background(s) {', '.join(names)} (their activities count only where an indicator "
        "characterises them; each assembly's metaData.not_characterised names the flows left out)"
    )


def build_project(results: pd.DataFrame, factories: list[Factory], year: int):
    """The LCAx project of ``factories`` (a micro-factory first, then its baseline if any) from the result cube."""
    import lcax

    assemblies, totals = zip(
        *(_assembly(f, module_values(results, f.id), not_characterised(results, f)) for f in factories), strict=True
    )
    imported = linked_backgrounds(factories)
    modules = sorted({m for t in totals for mods in lcax_modules(t).values() for m in mods}, key=str)
    head = factories[0]
    return lcax.Project(
        id=head.id,
        name=head.name if len(factories) == 1 else f"{head.name} vs {factories[1].name}",
        description=head.description or None,
        location=lcax.Location(country=lcax.Country.GBR, city=head.site.name if head.site else None),
        project_phase=lcax.ProjectPhase.OTHER,
        software_info=lcax.SoftwareInfo(
            lca_software="lca-engine",
            lca_software_version=__version__,
            goal_and_scope_definition="cradle to gate (to the erected product where an installation stage is stated)"
            " per functional unit; one assembly per factory: the micro-factory and its baseline are alternatives",
            calculation_type="process LCA, Brightway 2.5 (bw2calc)",
        ),
        life_cycle_modules=[getattr(lcax.LifeCycleModule, m) for m in modules],
        impact_categories=[getattr(lcax.ImpactCategoryKey, m.category) for m in LCAX_CATEGORIES],
        assemblies=list(assemblies),
        lcia_method=f"lca-engine indicators on the DESNZ {year} background{_imported_text(imported)}; GWP is the "
        "DESNZ AR5 basis, not EN 15804+A2 GWP-total (see metaData.indicator_mapping)",
        results=_impacts(totals[0]) if len(factories) == 1 else None,
        meta_data={
            "indicator_mapping": _mapping_meta(),
            "background_year": year,
            **({"imported_backgrounds": imported} if imported else {}),
        },
    )


def write_lcax(results: pd.DataFrame, factories: list[Factory], path: str | Path, year: int) -> None:
    """Write the LCAx project JSON (atomically)."""
    text = build_project(results, factories, year).dumps()
    atomic.write_text(path, json.dumps(json.loads(text), indent=2) + "\n")
