"""Synthetic portfolios: N micro-factories, each with its own conventional baseline, varied from the shipped examples.

Each factory is one of the six shipped example pairs (``inventories/examples``), chosen by sector (round-robin over
the sectors asked for), varied so that it still validates:

* **site**: a uniform random point inside Wales (rejection sampling in :data:`WALES_BOX`, checked with
  :func:`lca_engine.geo.point_in_wales` after rounding to 4 decimals); the baseline keeps its template's site (a
  conventional plant abroad, whose freight depends on it);
* **loops**: for every process → process cycle whose every step carries a balanced mass flow (a mass unit,
  ``balance = true``), one δ ∈ [−0.5, +1.0] × the smallest amount on the cycle is added to one such flow per step,
  and to its assumption's low and high: every process on the cycle gains δ in and δ out, so balances stay closed;
* **energy and transport**: every flow of those kinds outside the mass balance is multiplied by one lognormal
  factor per factory (σ = :data:`SIGMA`), its low and high too.

Nothing else changes. Factory ``i`` draws from its own stream (``seed``, ``i``, micro or baseline), so the same
seed gives byte-identical files, and the first factories of a larger portfolio are those of a smaller one.

Sources: the generated files cite the templates' source ids. :func:`lca_engine.sources.sources_for` always reads the
shipped ``inventories/sources.toml`` (found from the package, wherever the file lies) and then any ``sources.toml``
above the file, so no copy is written into the portfolio folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import tomli_w

from .. import atomic
from ..balance import flow_mass_kg
from ..errors import LcaEngineError
from ..geo import point_in_wales
from ..graph import find_loops
from ..inventory import load, to_dict
from ..limits import LIMITS, Limits
from ..model import SECTORS, Factory, Flow, Site
from ..units import convert, is_mass
from ..vocabulary import MICRO_FACTORY

#: Wales' outline (``inventories/geo/wales.geojson``) lies inside this box: lat 51.38–53.43, lon −5.35 to −2.65.
WALES_BOX = (51.3, 53.5, -5.4, -2.6)  # lat min, lat max, lon min, lon max
#: σ of the log of the per-factory energy and transport factor.
SIGMA = 0.25
#: δ per loop, as a share of the smallest amount on the loop.
DELTA_RANGE = (-0.5, 1.0)
ENERGY_KINDS = ("energy", "transport")
#: The folder's record of what was generated: written before any inventory, so a killed run is still recognised.
MANIFEST = "portfolio.json"
GENERATOR = "lca-engine portfolio generate"
_OURS = re.compile(r"\d{5,}_[a-z-]+_(micro|baseline)\.toml")
_OUR_TEMP = re.compile(r"\.(portfolio\.json|\d{5,}_[a-z-]+_(micro|baseline)\.toml)\..+\.tmp")


class PortfolioError(LcaEngineError):
    """A portfolio cannot be generated or written as asked."""

    title = "invalid portfolio request"


@dataclass(frozen=True)
class GeneratedPair:
    """One synthetic micro-factory and its own baseline, with the file names they are written under."""

    index: int
    seed: int
    sector: str
    micro: Factory
    baseline: Factory
    micro_file: str
    baseline_file: str

    def files(self) -> list[tuple[str, Factory]]:
        return [(self.micro_file, self.micro), (self.baseline_file, self.baseline)]


@dataclass(frozen=True)
class _Side:
    """One template file and what may vary in it: loops as (flow index per step), energy/transport flow indices."""

    file: str
    factory: Factory
    loops: tuple[tuple[int, ...], ...]
    scaled: tuple[int, ...]


@dataclass(frozen=True)
class _Template:
    micro: _Side
    baseline: _Side


# ------------------------------------------------------------------------------------------------ the API
def generate_portfolio(
    n: int, seed: int = 1, sectors: list[str] | None = None, limits: Limits = LIMITS
) -> list[GeneratedPair]:
    """``n`` synthetic micro-factory / baseline pairs from ``seed``, round-robin over ``sectors`` (default: all)."""
    return list(iter_portfolio(n, seed, sectors, limits))


def iter_portfolio(
    n: int, seed: int = 1, sectors: list[str] | None = None, limits: Limits = LIMITS
) -> Iterator[GeneratedPair]:
    """The pairs of :func:`generate_portfolio` one at a time (checked before the first), for portfolios that
    need not be held in memory at once."""
    check_request(n, seed, limits)
    chosen = resolve_sectors(sectors)
    templates = _templates()
    return (_pair(i, seed, chosen[i % len(chosen)], templates[chosen[i % len(chosen)]]) for i in range(n))


def generate_to(
    out_dir: str | Path, n: int, seed: int = 1, sectors: list[str] | None = None, limits: Limits = LIMITS
) -> list[Path]:
    """Generate and write a portfolio pair by pair (what the command line runs): every check before any write."""
    pairs = iter_portfolio(n, seed, sectors, limits)
    chosen = resolve_sectors(sectors)
    record = _record(seed, n, [chosen[i % len(chosen)] for i in range(min(n, len(chosen)))], file_names(n, chosen))
    return _write(check_out_dir(out_dir), record, pairs)


def file_names(n: int, sectors: list[str]) -> list[str]:
    """The inventory files of a portfolio of ``n`` over ``sectors`` (model names), micro-factory then baseline."""
    return [f"{_stem(i, sectors[i % len(sectors)])}_{side}.toml" for i in range(n) for side in ("micro", "baseline")]


def _stem(i: int, sector: str) -> str:
    return f"{i:05d}_{slug(sector)}"


def check_request(n: int, seed: int, limits: Limits = LIMITS) -> None:
    """Refuse a count outside 1 … ``limits.portfolio_factories`` or a seed that is not a whole number ≥ 0."""
    most = limits.portfolio_factories
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= most:
        raise PortfolioError(
            f"N = {n!r}: the number of micro-factories must be a whole number from 1 to {most:,}",
            fix=f"ask for 1 to {most:,} micro-factories (each comes with its baseline: 2 files per factory)",
            field="n",
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise PortfolioError(
            f"seed = {seed!r}: the seed must be a whole number ≥ 0", fix="give a seed such as 1", field="seed"
        )


def slug(sector: str) -> str:
    """A sector as it appears in file names and on the command line: 'green tech' → 'green-tech'."""
    return sector.replace(" ", "-")


def resolve_sectors(sectors: list[str] | None) -> list[str]:
    """The sectors asked for (as written in the model or as slugs, any case), in order, each once."""
    if sectors is None:
        return list(SECTORS)
    known = {s: s for s in SECTORS} | {slug(s): s for s in SECTORS}
    wanted = [s.strip().lower() for s in sectors if s.strip()]
    unknown = [s for s in wanted if s not in known]
    if unknown or not wanted:
        raise PortfolioError(
            f"unknown sector(s): {', '.join(map(repr, unknown))}" if unknown else "no sector given",
            fix="choose among " + ", ".join(slug(s) for s in SECTORS) + " (comma-separated)",
            field="sectors",
        )
    return list(dict.fromkeys(known[s] for s in wanted))


# ------------------------------------------------------------------------------------------------ templates
@cache
def _templates() -> dict[str, _Template]:
    """The shipped example pair of each sector (the first micro-factory file of the sector, sorted by name)."""
    from ..background.catalog import default_inventories_dir

    examples = default_inventories_dir() / "examples"
    found: dict[str, _Template] = {}
    for path in sorted(examples.glob("*.toml")):
        factory = load(path)
        if factory.system == MICRO_FACTORY and factory.baseline and factory.sector not in found:
            base = examples / factory.baseline
            found[factory.sector] = _Template(_side(path.name, factory), _side(base.name, load(base)))
    missing = [s for s in SECTORS if s not in found]
    if missing:
        raise PortfolioError(
            f"no shipped example pair for sector(s) {', '.join(missing)}",
            fix="reinstall lca-engine (the examples in inventories/examples are its templates)",
            field="sectors",
        )
    return found


def _side(file: str, factory: Factory) -> _Side:
    scaled = tuple(i for i, f in enumerate(factory.flows) if f.kind in ENERGY_KINDS and not _balanced(f))
    for flow in factory.flows:
        _remember(flow)
    return _Side(file, factory, _loop_steps(factory), scaled)


def _balanced(flow: Flow) -> bool:
    return flow.balance and flow_mass_kg(flow) is not None


def _loop_steps(factory: Factory) -> tuple[tuple[int, ...], ...]:
    """Per loop, the index of one balanced mass flow for each step u → v; loops with a step without one are left."""
    index = {f.id: i for i, f in enumerate(factory.flows)}
    out = []
    for loop in find_loops(factory):
        steps = zip(loop.nodes, loop.nodes[1:] + loop.nodes[:1], strict=True)
        chosen = [_step_flow(factory, loop.flows, u, v) for u, v in steps]
        if all(c is not None for c in chosen):
            out.append(tuple(index[c] for c in chosen))
    return tuple(out)


def _step_flow(factory: Factory, flow_ids: tuple[str, ...], u: str, v: str) -> str | None:
    for fid in flow_ids:
        f = factory.flow(fid)
        if f.from_ == u and f.to == v and f.balance and is_mass(f.unit) and f.amount > 0:
            return fid
    return None


# ------------------------------------------------------------------------------------------------ variation
def _pair(i: int, seed: int, sector: str, template: _Template) -> GeneratedPair:
    stem = _stem(i, sector)
    micro_file, baseline_file = f"{stem}_micro.toml", f"{stem}_baseline.toml"
    base = _vary(template.baseline, np.random.default_rng([seed, i, 1]), seed, i)
    micro = _vary(template.micro, np.random.default_rng([seed, i, 0]), seed, i)
    micro = micro.model_copy(update={"site": _site(np.random.default_rng([seed, i, 2]), i), "baseline": baseline_file})
    return GeneratedPair(i, seed, sector, micro, base, micro_file, baseline_file)


def _vary(side: _Side, rng: np.random.Generator, seed: int, i: int) -> Factory:
    """The template with its loops shifted and its energy and transport scaled, renamed as generated factory i."""
    t = side.factory
    flows = list(t.flows)
    for steps in side.loops:
        smallest = min(convert(flows[k].amount, flows[k].unit, "kg") for k in steps)
        delta = _round(rng.uniform(*DELTA_RANGE) * smallest, 4)
        for k in steps:
            flows[k] = _shifted(flows[k], convert(delta, "kg", flows[k].unit))
    factor = _round(rng.lognormal(0.0, SIGMA), 4)
    for k in side.scaled:
        flows[k] = _scaled(flows[k], factor)
    description = (
        f"Synthetic factory generated by {GENERATOR} from inventories/examples/{side.file}, seed {seed}, index {i} "
        "— not a real factory; for benchmarks, tests and demos."
    )
    update = {"id": f"{t.id}-gen-{i:05d}", "name": f"{t.name} — synthetic {i}", "description": description}
    return t.model_copy(update={**update, "flows": flows})


def _round(x: float, digits: int = 12) -> float:
    """``x`` to ``digits`` significant digits: short decimals in the files, and sums free of binary noise."""
    return float(f"{x:.{digits}g}")


def _shifted(flow: Flow, delta: float) -> Flow:
    update: dict = {"amount": _round(flow.amount + delta)}
    a = flow.assumption
    if a is not None:
        low, high = max(0.0, _round(a.low + delta)), max(0.0, _round(a.high + delta))
        update["assumption"] = a.model_copy(update={"low": low, "high": high})
    return flow.model_copy(update=update)


def _scaled(flow: Flow, factor: float) -> Flow:
    update: dict = {"amount": _round(flow.amount * factor)}
    a = flow.assumption
    if a is not None:
        update["assumption"] = a.model_copy(update={"low": _round(a.low * factor), "high": _round(a.high * factor)})
    return flow.model_copy(update=update)


def _site(rng: np.random.Generator, i: int) -> Site:
    """A uniform point inside Wales, 4 decimals (about 10 m), inside after rounding too."""
    lat_min, lat_max, lon_min, lon_max = WALES_BOX
    while True:
        lat = round(float(rng.uniform(lat_min, lat_max)), 4)
        lon = round(float(rng.uniform(lon_min, lon_max)), 4)
        if point_in_wales(lat, lon):
            return Site(name=f"Synthetic site {i:05d}", lat=lat, lon=lon)


# ------------------------------------------------------------------------------------------------ rendering
#: The TOML of each template flow, rendered once (tomli_w spends ~1 ms per file on the flows' long notes): a
#: generated factory shares the flows it does not vary with its template, by identity.
_RENDERED: dict[int, tuple[Flow, str, str, str]] = {}  # id → (flow, token, its placeholder table, its table)


def _remember(flow: Flow) -> None:
    """Keep the flow's own ``[[flows]]`` table, as :func:`lca_engine.inventory.dumps` writes it inside a file."""
    table = {"flows": [flow.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)]}
    text = tomli_w.dumps(table)
    if text.startswith("[[flows]]\n"):  # a table of its own (a short flow could be written inline: not kept)
        token = f"{GENERATOR} flow {len(_RENDERED)} ".ljust(120, "-")  # never short enough to be inline
        _RENDERED[id(flow)] = (flow, token, tomli_w.dumps({"flows": [{"id": token}]}), text)


def render(factory: Factory) -> str:
    """Exactly :func:`lca_engine.inventory.dumps` (tested), with the unvaried template flows pasted in: each is
    written as a placeholder table, then replaced by its TOML rendered once (an array-of-tables entry is written
    the same wherever it stands)."""
    data = to_dict(factory)
    pasted = []
    for k, flow in enumerate(factory.flows):
        kept = _RENDERED.get(id(flow))
        if kept is not None and kept[0] is flow:
            data["flows"][k] = {"id": kept[1]}
            pasted.append(kept)
    text = tomli_w.dumps(data)
    for _, _, placeholder, table in pasted:
        text = text.replace(placeholder, table, 1)
    return text


# ------------------------------------------------------------------------------------------------ writing
def check_out_dir(out_dir: str | Path) -> Path:
    """``out_dir`` if a portfolio may be written there: absent, empty, or holding a previous portfolio."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise PortfolioError(
            "is not a folder", fix="name a new or empty folder for the portfolio", file=str(out), field="out_dir"
        )
    if out.is_dir() and not (out / MANIFEST).is_file() and _foreign(out):
        raise PortfolioError(
            f"folder is not empty and holds no previous portfolio ({MANIFEST}); its files are left as they are",
            fix="name a new or empty folder, or a folder written by an earlier `lca-engine portfolio generate`",
            file=str(out),
            field="out_dir",
        )
    return out


def _foreign(folder: Path) -> list[str]:
    """Entries of the folder that a killed generation of ours cannot have left."""
    return [p.name for p in folder.iterdir() if not _OUR_TEMP.fullmatch(p.name)]


def write_portfolio(pairs: list[GeneratedPair], out_dir: str | Path) -> list[Path]:
    """Write every pair (two TOML files each, atomically) after the manifest; returns the inventory files written.

    A previous portfolio in ``out_dir`` is replaced: its inventories that the new one does not have are removed
    (only names the generator writes, listed in its manifest), and so are the temporary files of a killed run;
    nothing else in the folder is touched."""
    out = check_out_dir(out_dir)
    names = [name for pair in pairs for name, _ in pair.files()]
    sectors = list(dict.fromkeys(p.sector for p in pairs))
    return _write(out, _record(pairs[0].seed if pairs else None, len(pairs), sectors, names), iter(pairs))


def _write(out: Path, record: dict, pairs: Iterator[GeneratedPair]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    stale = set(_previous_files(out)) - set(record["files"])
    atomic.write_text(out / MANIFEST, json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    leftovers = [p.name for p in out.iterdir() if _OUR_TEMP.fullmatch(p.name)]  # of a run that was killed
    for name in sorted(stale) + leftovers:
        (out / name).unlink(missing_ok=True)
    written = []
    for pair in pairs:
        for name, factory in pair.files():
            atomic.write_text(out / name, render(factory))
            written.append(out / name)
    return written


def _previous_files(out: Path) -> list[str]:
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [n for n in listed if isinstance(n, str) and _OURS.fullmatch(n)]


def _record(seed: int | None, n: int, sectors: list[str], names: list[str]) -> dict:
    return {
        "generator": GENERATOR,
        "note": "synthetic factories, not real ones: for benchmarks, tests and demos",
        "seed": seed,
        "factories": n,
        "sectors": sectors,
        "files": names,
    }
