"""The edge of the symbiosis engine: inventory files read and checked, the catalogue and circuity loaded, and the
what-if re-assessed through the public :func:`lca_engine.assess.assess` (the same checks and numbers as for
files). Conventional baselines are left out of the matching: they are counterfactuals, not sites that exist."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..balance import BalanceResult, mass_balance
from ..collect import collect_files
from ..indicators import HEADLINE
from ..load import Checked, check_factory, load_checked
from ..vocabulary import BASELINE
from .distance import load_circuity, site_km
from .flows import demands, supplies
from .matching import check_radius
from .portfolio import Symbiosis, mci_value, symbiosis
from .whatif import Link, link

RESULT_COLUMNS = ["factory", "indicator", "scope", "unit", "before", "after", "change"]


def _catalog(year: int, data_dir: str | Path | None):
    from ..background.catalog import load_catalog
    from ..bw.project import DataDir, default_data_dir

    return load_catalog(year, cache_dir=DataDir(Path(data_dir) if data_dir else default_data_dir()).cache)


def load_factories(paths: Iterable[str | Path], catalog) -> list[Checked]:
    """Every inventory the paths name, checked (micro-factories and any factory that is not a baseline)."""
    checked = [load_checked(p, catalog=catalog) for p in collect_files(paths)]
    return [c for c in checked if c.factory.system != BASELINE]


def find_matches(
    paths: Iterable[str | Path], radius_km: float, *, year: int = 2025, data_dir: str | Path | None = None
) -> Symbiosis:
    """Every match among the inventories ``paths`` names within ``radius_km`` of road (see :mod:`.matching`)."""
    check_radius(radius_km)
    catalog = _catalog(year, data_dir)
    factories = [(c.factory, c.file) for c in load_factories(paths, catalog)]
    return symbiosis(factories, radius_km, catalog, load_circuity())


@dataclass(frozen=True)
class WhatIf:
    link: Link
    before: tuple[Checked, Checked]
    after: tuple[Checked, Checked]
    balances: tuple[BalanceResult, BalanceResult]  # giver, receiver after the link
    results: pd.DataFrame  # RESULT_COLUMNS
    mci: dict[str, tuple[float | None, float | None]]  # factory id → (before, after)


def _totals(factory, year: int, data_dir) -> pd.DataFrame:
    from ..assess import assess

    r = assess(factory, year=year, data_dir=data_dir).results
    t = r[(r.contributor_type == "total") & (r.scenario == "default") & r.indicator.isin(HEADLINE)]
    return t[["factory", "indicator", "scope", "unit", "value"]]


def _compare(before, after, year: int, data_dir) -> pd.DataFrame:
    b = pd.concat([_totals(f, year, data_dir) for f in before])
    a = pd.concat([_totals(f, year, data_dir) for f in after])
    keys = ["factory", "indicator", "scope", "unit"]
    out = b.rename(columns={"value": "before"}).merge(a.rename(columns={"value": "after"}), on=keys)
    out["change"] = out.after - out.before
    return out[RESULT_COLUMNS].reset_index(drop=True)


def what_if(
    giver_file: str | Path,
    giver_flow: str,
    receiver_file: str | Path,
    receiver_flow: str,
    *,
    t_per_year: float | None = None,
    year: int = 2025,
    data_dir: str | Path | None = None,
) -> WhatIf:
    """Send ``giver_flow`` of the giver to the receiver in place of ``receiver_flow``: both factories re-assessed
    with the link as a real flow. ``t_per_year``: tonnes a year (default: the smaller of supply and demand)."""
    catalog = _catalog(year, data_dir)
    g, r = (load_checked(p, catalog=catalog) for p in (giver_file, receiver_file))
    files = (g.file, r.file)
    if t_per_year is None:
        s = {x.flow: x.t_per_year for x in supplies(g.factory, g.file)[0]}
        d = {x.flow: x.t_per_year for x in demands(r.factory, r.file)[0]}
        t_per_year = min(s.get(giver_flow, 0.0), d.get(receiver_flow, 0.0))  # 0: the link says why
    road = site_km(g.factory.site, r.factory.site) * load_circuity().value
    g2, r2, lk = link(g.factory, giver_flow, r.factory, receiver_flow, t_per_year, road, catalog.factors, files)
    # the models built in code cite what their files could cite
    before = [c.factory.model_copy(update={"sources": c.sources}) for c in (g, r)]
    after = [f.model_copy(update={"sources": c.sources}) for f, c in ((g2, g), (r2, r))]
    checked_after = tuple(check_factory(f, catalog=catalog) for f in after)
    results = _compare(before, after, year, data_dir)
    mci = {
        c.factory.id: (mci_value(c.factory), mci_value(a.factory)) for c, a in zip((g, r), checked_after, strict=True)
    }
    balances = (mass_balance(g2), mass_balance(r2))
    return WhatIf(lk, (g, r), checked_after, balances, results, mci)
