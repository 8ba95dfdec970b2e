"""The report's content as one JSON-able dict: everything an assessor needs to check a micro-factory's result.

The HTML and PDF are renderings of exactly this dict (after :func:`clean`), and the JSON file is the dict itself,
so the three formats always say the same thing. The dict is deterministic: the same inputs give byte-identical
JSON (sorted keys, floats rounded to :data:`SIGNIFICANT` significant digits, stable ordering, no timestamp unless
one is passed explicitly).
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import tomllib
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..background.catalog import Catalog, default_inventories_dir
from ..background.desnz import sha256
from ..background.facts import facts_path, load_facts
from ..background.links import CHARACTERISED, linked_backgrounds
from ..background.open_background import CARRIER_PEF, figure_sources
from ..background.open_factors import load_open_factors
from ..balance import flow_mass_kg
from ..errors import LcaEngineError
from ..graph import find_loops
from ..indicators import CRADLE_TO_GATE, HEADLINE, INDICATORS, SCOPE_DEFINITION, SCOPE_LABELS, SCOPES
from ..load import Checked
from ..model import Factory, Source
from ..results import contributions
from .circularity_table import side_by_side
from .cycles_section import cycles_section
from .verdict_section import DEFAULT_DRAWS, DEFAULT_SEED, paired_draws, verdict_section

SCHEMA = "lca-engine-report/1"
#: Floats in the report carry this many significant digits (well above Brightway's float32 matrices, ~7).
SIGNIFICANT = 12
DEFAULT_CUTOFF = 0.01
OGL_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."
#: Packages whose versions the report states (distribution names).
SOFTWARE = (
    "lca-engine",
    "bw2data",
    "bw2calc",
    "bw2io",
    "bw_processing",
    "pint",
    "networkx",
    "pandas",
    "numpy",
    "scipy",
    "pydantic",
    "weasyprint",
    "jinja2",
)

#: What the two scopes mean (as lca_engine.indicators defines ``Scope``).

PRE_ASSESSMENT = (
    "This report is a pre-assessment produced by open software (lca-engine) from the inventories, engineering "
    "assumptions and open background data listed in it. It compares the micro-factory with a conventional baseline "
    "that delivers the same functional unit. It is not a funding decision: it gives an assessor the numbers, their "
    "basis and their sources so that each can be checked."
)


# ---------------------------------------------------------------- normalisation


def number(x: Any) -> float | int | None:
    """A float rounded to SIGNIFICANT digits (None for NaN/inf, 0.0 for -0.0); ints stay ints."""
    if x is None:
        return None
    if isinstance(x, bool):
        return x
    if isinstance(x, int | np.integer):
        return int(x)
    x = float(x)
    if not math.isfinite(x):
        return None
    if x == 0:
        return 0.0
    return float(f"{x:.{SIGNIFICANT}g}")


def clean(obj: Any) -> Any:
    """Normalise to plain JSON types: rounded floats, lists for tuples, str keys; insertion order kept."""
    if isinstance(obj, Mapping):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = sorted(obj, key=str) if isinstance(obj, set | frozenset) else obj
        return [clean(v) for v in items]
    if isinstance(obj, bool | np.bool_):
        return bool(obj)
    if isinstance(obj, int | float | np.integer | np.floating):
        return number(obj)
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, Path):
        return obj.as_posix()
    if hasattr(obj, "model_dump"):  # pydantic models
        return clean(obj.model_dump(mode="json", by_alias=True))
    if hasattr(obj, "item"):  # other numpy scalars
        return clean(obj.item())
    return str(obj)


def dumps(content: Mapping) -> str:
    """The JSON text of a report: sorted keys, UTF-8, no NaN, trailing newline."""
    return json.dumps(clean(content), sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False) + "\n"


# ---------------------------------------------------------------- pieces


def _display_path(path: Path, root: Path) -> str:
    """``path`` relative to the report's root folder (the micro-factory's folder), POSIX separators."""
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return path.resolve().as_posix()


def describe(checked: Checked, root: Path) -> dict:
    f = checked.factory
    return {
        "id": f.id,
        "name": f.name,
        "system": f.system,
        "sector": f.sector,
        "description": f.description,
        "file": _display_path(Path(checked.file), root) if checked.file else "",
        "site": f.site.model_dump(),
        "functional_unit": {
            "amount": f.functional_unit.amount,
            "unit": f.functional_unit.unit,
            "description": f.functional_unit.description,
            "label": f.functional_unit.label(),
        },
        "processes": [
            {"id": p.id, "name": p.name, "stage": p.stage, "description": p.description} for p in f.processes
        ],
        "counts": {"processes": len(f.processes), "flows": len(f.flows), "stocks": len(f.stocks)},
        "warnings": [
            {"message": p.message, "field": p.field or "", "line": p.line, "fix": p.fix} for p in checked.warnings
        ],
    }


def indicator_rows(assessment, factory_id: str, baseline_id: str | None) -> list[dict]:
    """One row per indicator × scope (in indicator order, site first): both sides' values, change, and each side's
    coverage, flows not characterised and background figures "to check" (:attr:`Assessment.coverage`)."""
    cov = assessment.coverage.set_index(["factory", "indicator", "scope"])
    rows = []
    for ind in INDICATORS.values():
        for scope in SCOPES:
            value = assessment.total(factory_id, ind.id, scope)
            base = assessment.total(baseline_id, ind.id, scope) if baseline_id else None
            diff = value - base if base is not None else None
            rel = diff / base if base not in (None, 0) else None
            rows.append(
                {
                    "id": ind.id,
                    "scope": scope,
                    "scope_label": SCOPE_LABELS[scope],
                    "family": ind.family,
                    "name": ind.name,
                    "unit": ind.unit,
                    "headline": ind.id in HEADLINE,
                    "basis": ind.basis,
                    "method": " | ".join(ind.method),
                    "factory": value,
                    "baseline": base,
                    "difference": diff,
                    "relative_change": rel,
                    "coverage": _coverage_of(cov, factory_id, ind.id, scope),
                    "baseline_coverage": _coverage_of(cov, baseline_id, ind.id, scope) if baseline_id else None,
                }
            )
    return rows


def _coverage_of(cov, fid: str, indicator: str, scope: str) -> dict:
    """One side's coverage of one number: share, the flows not characterised, the figures to check."""
    r = cov.loc[(fid, indicator, scope)]
    return {
        "share": r["coverage"],
        "mass_share": r["mass_share"],
        "energy_share": r["energy_share"],
        "missing": [x for x in str(r["missing"]).split("; ") if x],
        "to_check": [x for x in str(r["to_check"]).split("; ") if x],
    }


def not_characterised(rows: list[dict], side: str) -> list[dict]:
    """For the headline numbers of one side (``coverage`` or ``baseline_coverage``): each set of flows not
    characterised, with the numbers (indicator, scope) it leaves out of — grouped as the CLI prints them."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for r in rows:
        cov = r[side]
        if r["headline"] and cov and cov["missing"]:
            groups.setdefault(tuple(cov["missing"]), []).append(f"{r['id']} ({r['scope_label']})")
    return [{"flows": list(flows), "numbers": numbers} for flows, numbers in sorted(groups.items())]


def contribution_rows(
    cube, factory_id: str, indicator: str, by: str, cutoff: float, catalog: Catalog, scope: str = CRADLE_TO_GATE
) -> list[dict]:
    df = contributions(cube, factory_id, indicator, by=by, cutoff=cutoff, scope=scope)
    rows, other = [], []
    for r in df.itertuples(index=False):
        name = str(getattr(r, by))
        value, share = float(r.value), float(r.share)
        if name.startswith("other (<"):
            if value != 0:
                other.append({"name": name, "label": "below the cut-off, merged", "value": value, "share": share})
            continue
        if value == 0:
            continue
        label = _factor_label(name, catalog) if by == "factor" else ""
        rows.append({"name": name, "label": label, "value": value, "share": share})
    rows.sort(key=lambda r: (-abs(number(r["value"]) or 0.0), r["name"]))
    return rows + other


def _factor_label(name: str, catalog: Catalog) -> str:
    """A contributor of the 'factor' table in words: a shipped factor's name, an imported activity's whole link key
    (``NAME:<activity>|<product>|<location>``), or the elementary flow (``database:flow``)."""
    if name in catalog.factors:
        return catalog.factors[name].name
    if ":" not in name:
        return ""
    background, rest = name.split(":", 1)
    if catalog.links is not None and catalog.links.index(background) is not None:
        return f"{background}:{catalog.get(name).name}"
    return "elementary flow " + rest


def imported_backgrounds(checked: list[Checked], catalog: Catalog) -> list[dict]:
    """Each imported background the inventories link to, as the data folder records it: name, version, licence,
    import date, format, size and the digest of what was imported (its data are never copied into the report)."""
    out = []
    for name in linked_backgrounds([c.factory for c in checked]):
        index = catalog.links.index(name) if catalog.links is not None else None
        if index is None:
            continue
        m = index.meta
        out.append(
            {
                "name": m.name,
                "version": m.version or "not stated",
                "licence": m.licence,
                "imported": m.imported[:10],
                "format": m.format,
                "activities": m.activities,
                "exchanges": m.exchanges,
                "sha256": m.sha256,
            }
        )
    return out


def background_label(year: int, imported: list[dict]) -> str:
    """The backgrounds in one line (page 1's header): 'DESNZ 2025' and each imported one with its version."""
    return " + ".join([f"DESNZ {year}", *(f"{b['name']} {b['version']}" for b in imported)])


def contribution_tables(assessment, ids: list[str], cutoff: float, catalog: Catalog) -> dict:
    """Contributions to the headline indicators, cradle to gate (the scope that reaches every contributor)."""
    scope = CRADLE_TO_GATE
    out: dict[str, Any] = {"cutoff": cutoff, "by": ["module", "factor"], "indicators": list(HEADLINE), "tables": {}}
    out |= {"scope": scope, "scope_label": SCOPE_LABELS[scope]}
    for ind in HEADLINE:
        per = {}
        for fid in ids:
            per[fid] = {"total": assessment.total(fid, ind, scope)} | {
                by: contribution_rows(assessment.results, fid, ind, by, cutoff, catalog, scope)
                for by in ("module", "factor")
            }
        out["tables"][ind] = per
    return out


def claim_rows(assessment, factory_id: str) -> list[dict]:
    """The claim check of the micro-factory (:func:`lca_engine.claims.check_claims`, without Monte Carlo: the
    verdict is deterministic and says so): one row per claim × scope, with coverage and, when not assessable, why."""
    from ..claims import check_claims

    table = check_claims(assessment)
    table = table[table.factory == factory_id]
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        | {"scope_label": SCOPE_LABELS.get(r["scope"], "operations")}
        for r in table.to_dict("records")
    ]


def scope_methods() -> dict:
    """What site, cradle to gate and coverage mean: the scope definitions of the CLI and the coverage module's own
    text (:mod:`lca_engine.coverage`), so the report says what the code does."""
    from .. import coverage

    text = re.sub(r":\w+:`([^`]+)`|\*([^*\s][^*]*)\*", r"\1\2", coverage.__doc__ or "").replace("``", "")
    paragraphs = [" ".join(p.split()).removeprefix("* ") for p in re.split(r"\n\n|\n(?=\* )", text) if p.strip()]
    return {"scopes": dict(SCOPE_LABELS), "definition": SCOPE_DEFINITION, "coverage": paragraphs}


def balance_table(checked: Checked) -> dict:
    b = checked.balance
    rows = [
        {
            "node": r.node,
            "input_kg": r.input_kg,
            "output_kg": r.output_kg,
            "stock_change_kg": r.stock_change_kg,
            "imbalance_kg": r.imbalance_kg,
            "relative": r.relative,
            "ok": bool(r.ok),
        }
        for r in b.table.itertuples(index=False)
    ]
    return {"tolerance": b.tolerance, "ok": b.ok, "rows": rows, "excluded": list(b.excluded)}


def completeness_rows(assessment, factory_id: str) -> dict:
    """Every boundary flow at each scope with the indicators that characterise it; the flows not characterised at
    each scope."""
    df = assessment.completeness
    sel = df[df["factory"] == factory_id] if len(df) else df
    rows = [
        {
            "flow": r.flow,
            "process": r.process,
            "kind": r.kind,
            "scope": r.scope,
            "scope_label": SCOPE_LABELS[r.scope],
            "link": r.link,
            "characterised_by": [x for x in str(r.characterised_by).split(",") if x],
            "status": r.status,
        }
        for r in sel.itertuples(index=False)
    ]
    missing = {s: [r["flow"] for r in rows if r["scope"] == s and r["status"] != "characterised"] for s in SCOPES}
    return {"rows": rows, "not_characterised": missing, "boundary_flows": len({r["flow"] for r in rows})}


def coverage_rows(assessment, factory_id: str) -> list[dict]:
    """The coverage table of one inventory (every indicator × scope), as records."""
    cov = assessment.coverage
    return cov[cov.factory == factory_id].drop(columns="factory").to_dict("records")


def assumption_rows(factory: Factory) -> list[dict]:
    rows = []
    for fl in factory.flows:
        if fl.assumption is not None:
            rows.append(
                {
                    "type": "flow",
                    "id": fl.id,
                    "name": fl.name,
                    "where": f"{fl.from_} → {fl.to}",
                    "value": fl.amount,
                    "unit": fl.unit,
                    "low": fl.assumption.low,
                    "high": fl.assumption.high,
                    "reasoning": fl.assumption.reasoning,
                    "note": fl.note,
                }
            )
    for s in factory.stocks:
        if s.assumption is not None:
            rows.append(
                {
                    "type": "stock",
                    "id": s.id,
                    "name": s.material,
                    "where": s.process,
                    "value": s.change,
                    "unit": s.unit,
                    "low": s.assumption.low,
                    "high": s.assumption.high,
                    "reasoning": s.assumption.reasoning,
                    "note": s.note,
                }
            )
    return rows


def sankey_data(factory: Factory) -> dict:
    """Nodes (boundary inputs, processes, boundary outputs) and links (mass flows, kg per FU) for the Sankey."""
    from ..model import BOUNDARY_NODES

    loops = find_loops(factory)
    in_loop = {fid for lp in loops for fid in lp.flows}
    links = []
    for fl in factory.flows:
        mass = flow_mass_kg(fl)
        if mass is None or mass <= 0:
            continue
        src = f"in:{fl.from_}" if fl.from_ in BOUNDARY_NODES else fl.from_
        dst = f"out:{fl.to}" if fl.to in BOUNDARY_NODES else fl.to
        links.append(
            {
                "flow": fl.id,
                "name": fl.name,
                "source": src,
                "target": dst,
                "kind": fl.kind,
                "mass_kg": mass,
                "loop": fl.id in in_loop,
                "balance": fl.balance,
            }
        )
    used = {x for lk in links for x in (lk["source"], lk["target"])}
    through: dict[str, list[float]] = {}
    for lk in links:
        through.setdefault(lk["source"], [0.0, 0.0])[1] += lk["mass_kg"]
        through.setdefault(lk["target"], [0.0, 0.0])[0] += lk["mass_kg"]
    nodes = []
    for b in BOUNDARY_NODES:
        if f"in:{b}" in used:
            nodes.append({"id": f"in:{b}", "label": b, "kind": "boundary", "side": "in"})
    for p in factory.processes:
        if p.id in used:
            nodes.append({"id": p.id, "label": p.name or p.id, "kind": "process", "side": ""})
    for b in BOUNDARY_NODES:
        if f"out:{b}" in used:
            nodes.append({"id": f"out:{b}", "label": b, "kind": "boundary", "side": "out"})
    for n in nodes:
        n["mass_kg"] = max(through.get(n["id"], [0.0, 0.0]))
    return {
        "unit": "kg per functional unit",
        "nodes": nodes,
        "links": links,
        "loops": [
            {
                "loop": lp.label(),
                "nodes": list(lp.nodes),
                "flows": list(lp.flows),
                "recirculated_kg": lp.recirculated_kg,
            }
            for lp in loops
        ],
        "excluded": sorted(fl.id for fl in factory.flows if flow_mass_kg(fl) is None),
    }


def _source_record(sid: str, registry: Mapping[str, Source]) -> dict:
    s = registry.get(sid)
    if s is None:
        return {"id": sid, "found": False, "publisher": "", "title": "(not found in any sources.toml)", "licence": ""}
    return {"id": sid, "found": True, **s.model_dump()}


def cited_sources(
    checked: list[Checked], catalog: Catalog, year: int, inventories: Path
) -> tuple[list[dict], list[str]]:
    """Every source id used by the inventories, their background factors and the engine's facts."""
    cited: dict[str, set[str]] = {}

    def cite(sid: str | None, by: str) -> None:
        if sid:
            cited.setdefault(sid, set()).add(by)

    config = tomllib.loads((inventories / "background" / "desnz.toml").read_text(encoding="utf-8"))
    cite(config["files"][str(year)]["source"], f"background database (DESNZ {year} flat file)")
    facts = load_facts(facts_path(inventories))
    opened = load_open_factors(inventories)
    for basis, table in sorted(facts.get("gwp100", {}).items()):
        ind = "carbon" if basis == "ar5" else "carbon_ipcc2021"
        cite(table.get("source"), f"indicator {ind} (GWP100 {basis.upper()})")
    for carrier, key in CARRIER_PEF.items():
        for quantity, fig in getattr(opened.get(key), "figures", {}).items():
            cite(fig.source, f"indicator primary_energy ({carrier.replace('_', ' ')}: {quantity.replace('_', ' ')})")
    registry: dict[str, Source] = {}
    for c in checked:
        registry.update(c.sources)
    for c in checked:
        f = c.factory
        for fl in f.flows:
            cite(fl.source, f"{f.id}: flow {fl.id}")
            for key in fl.background_keys:
                factor = catalog.factors.get(key)
                if factor is None:
                    continue
                cite(factor.source, f"background factor {key}")
                for comp in factor.components:
                    if comp in catalog.factors:
                        cite(catalog.factors[comp].source, f"background factor {comp}")
                for sid in figure_sources(key, opened):
                    cite(sid, f"background factor {key}")
        for s in f.stocks:
            cite(s.source, f"{f.id}: stock {s.id}")
    if any(sid not in registry for sid in cited):
        from ..sources import sources_for

        registry = {**sources_for(None, inventories), **registry}
    records = []
    for sid in sorted(cited):
        rec = _source_record(sid, registry)
        rec["cited_by"] = sorted(cited[sid])
        records.append(rec)
    attribution = set()
    for rec in records:
        if "open government licence" in str(rec.get("licence", "")).lower():
            attribution.add(OGL_ATTRIBUTION)
        if rec.get("attribution"):
            attribution.add(rec["attribution"])
    return records, sorted(attribution)


def source_files(checked: list[Checked], inventories: Path) -> list[Path]:
    """The ``sources.toml`` files read for these inventories (as :func:`lca_engine.sources.sources_for` does)."""
    shipped = (inventories / "sources.toml").resolve()
    files = [shipped] if shipped.exists() else []
    for c in checked:
        if not c.file:
            continue
        folder = Path(c.file).resolve().parent
        for parent in reversed([folder, *folder.parents]):
            cand = (parent / "sources.toml").resolve()
            if cand.exists() and cand not in files:
                files.append(cand)
    return files


def input_files(checked: list[Checked], year: int, inventories: Path, root: Path) -> list[dict]:
    rows = []
    for c in checked:
        if c.file:
            role = f"{c.factory.system} inventory ({c.factory.id})"
            rows.append((role, Path(c.file)))
    for p in source_files(checked, inventories):
        rows.append(("source registry", p))
    bg = inventories / "background"
    config = tomllib.loads((bg / "desnz.toml").read_text(encoding="utf-8"))
    rows.append((f"DESNZ {year} flat file", bg / config["files"][str(year)]["file"]))
    rows.append(("background mapping", bg / "desnz.toml"))
    rows.append(("background facts", facts_path(inventories)))
    rows.append(("Welsh policy facts", inventories / "wales_policy.toml"))
    return [{"role": role, "file": _display_path(p, root), "name": p.name, "sha256": sha256(p)} for role, p in rows]


def software_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in SOFTWARE:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def circularity_for(checked: Checked) -> Any:
    """The circularity indicators of one inventory (``lca_engine.circularity.circularity_report``)."""
    try:
        from ..circularity import circularity_report
    except ImportError as exc:  # pragma: no cover - the module ships with the package
        raise LcaEngineError(
            f"the circularity indicators are not available ({exc})",
            fix="reinstall lca-engine: the report needs lca_engine.circularity",
        ) from None
    return circularity_report(checked)


def wales_for(assessment, factory_id: str, inventories: Path) -> dict:
    """Wales alignment (WFG goals and National Indicators, Beyond Recycling, Circular Economy Fund criteria)."""
    from ..wales import assessment_alignment, load_policy

    return assessment_alignment(assessment, factory_id, load_policy(inventories / "wales_policy.toml")).to_dict()


def carbon_statement(assessment, ids: list[str]) -> dict:
    shares = {fid: assessment.carbon_basis_share(fid) for fid in ids}
    text = (
        "The headline carbon indicator (carbon) is in kg CO2e on the IPCC AR5 GWP100 basis used by the UK "
        "Government (DESNZ) conversion factors; direct emissions are characterised with the same AR5 values, so the "
        "whole result is on one basis. The variant carbon_ipcc2021 uses IPCC 2021 (AR6) GWP100 where DESNZ splits "
        "a factor by gas (electricity, fuels, freight) and keeps DESNZ's AR5 kg CO2e for factors published as "
        "totals only (materials, waste, water); its share on the AR5 basis is given per inventory."
    )
    return {"statement": text, "ar5_share_of_carbon_ipcc2021": shares}


# ---------------------------------------------------------------- the whole report


def build_content(
    assessment,
    factory_id: str,
    *,
    catalog: Catalog,
    cutoff: float = DEFAULT_CUTOFF,
    generated: str | None = None,
    inventories: Path | None = None,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    data_dir: str | Path | None = None,
) -> dict:
    """The report on one micro-factory and its baseline, as a clean JSON-able dict; its verdict block on ``draws``
    paired Monte Carlo draws of the two (seed ``seed``; 0 draws: point values only) in the Brightway project of
    ``data_dir``."""
    inventories = Path(inventories) if inventories else default_inventories_dir()
    pairs = dict(assessment.pairs)
    if factory_id not in pairs:
        raise LcaEngineError(
            f"'{factory_id}' is not a micro-factory of this assessment",
            fix='report on a micro-factory inventory (system = "micro-factory"); its baseline is included',
        )
    baseline_id = pairs[factory_id]
    ids = [factory_id] + ([baseline_id] if baseline_id else [])
    checked = [assessment.checked[i] for i in ids]
    main = assessment.checked[factory_id]
    root = Path(main.file).resolve().parent if main.file else Path.cwd()
    year = int(assessment.year)
    sources, attribution = cited_sources(checked, catalog, year, inventories)
    waste_keys = sorted(
        {k for c in checked for fl in c.factory.flows for k in fl.background_keys if k.startswith("desnz.waste.")}
    )
    notes = []
    if waste_keys:
        notes.append(
            "DESNZ states that its waste-disposal factors are for reporting, not for comparing treatment routes; "
            f"they are used here for: {', '.join(waste_keys)}."
        )
    rows = indicator_rows(assessment, factory_id, baseline_id)
    imported = imported_backgrounds(checked, catalog)
    circularity = {fid: circularity_for(assessment.checked[fid]) for fid in ids}
    content = {
        "schema": SCHEMA,
        "title": f"Pre-assessment report: {main.factory.name}",
        "generated": generated,
        "year": year,
        "backgrounds": imported,
        "background_label": background_label(year, imported),
        "imported_characterise": list(CHARACTERISED),
        "factory_id": factory_id,
        "baseline_id": baseline_id,
        "statement": PRE_ASSESSMENT
        if baseline_id
        else PRE_ASSESSMENT.replace(
            "It compares the micro-factory with a conventional baseline that delivers the same functional unit.",
            "No baseline is named in this inventory, so nothing is compared: the figures describe the micro-factory "
            "alone.",
        ),
        "carbon_basis": carbon_statement(assessment, ids),
        "notes": notes,
        "inventories": {fid: describe(assessment.checked[fid], root) for fid in ids},
        "verdict": verdict_section(
            assessment, factory_id, paired_draws(assessment, factory_id, draws, seed, data_dir), draws, seed
        ),
        "indicators": rows,
        "not_characterised": {
            fid: not_characterised(rows, side)
            for fid, side in zip(ids, ("coverage", "baseline_coverage"), strict=False)
        },
        "to_check": sorted(
            {
                k
                for r in rows
                if r["headline"]
                for side in (r["coverage"], r["baseline_coverage"] or {})
                for k in side.get("to_check", [])
            }
        ),
        "claims": claim_rows(assessment, factory_id),
        "scope_methods": scope_methods(),
        "coverage": {fid: coverage_rows(assessment, fid) for fid in ids},
        "contributions": contribution_tables(assessment, ids, cutoff, catalog),
        "circularity": circularity,
        "circularity_table": side_by_side(circularity, ids),
        "cycles": cycles_section(assessment, factory_id, catalog=catalog, inventories=inventories),
        "wales": wales_for(assessment, factory_id, inventories),
        "sankey": {fid: sankey_data(assessment.checked[fid].factory) for fid in ids},
        "mass_balance": {fid: balance_table(assessment.checked[fid]) for fid in ids},
        "completeness": {fid: completeness_rows(assessment, fid) for fid in ids},
        "assumptions": {fid: assumption_rows(assessment.checked[fid].factory) for fid in ids},
        "sources": sources,
        "attribution": attribution,
        "software": software_versions(),
        "input_files": input_files(checked, year, inventories, root),
    }
    return clean(content)
