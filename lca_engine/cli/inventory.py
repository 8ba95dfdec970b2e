"""Commands on inventories and data: validate, graph, factors, indicators (no Brightway needed except factors)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..errors import LcaEngineError
from .common import (
    DataDirOpt,
    LenientOpt,
    ToleranceOpt,
    _df_table,
    _fail,
    _print_warnings,
    app,
    err,
    out,
    problems_text,
    styled,
)


@app.command()
def validate(
    files: list[Path] = typer.Argument(..., help="Inventory TOML files or folders."),
    year: int = typer.Option(2025, "--year", help="Background data year used to check factor keys."),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Check schema, units, provenance, background keys and mass balance (no Brightway needed)."""
    from ..assess import collect_files
    from ..background.catalog import load_catalog
    from ..bw.project import DataDir, default_data_dir
    from ..load import load_checked

    try:
        catalog = load_catalog(year, cache_dir=DataDir(data_dir or default_data_dir()).cache)
        failed = 0
        for path in collect_files(files):
            try:
                c = load_checked(path, catalog=catalog, tolerance=tolerance, strict_balance=not lenient)
            except LcaEngineError as exc:
                failed = failed or exc.exit_code
                err.print(styled("✗", "red", f" {path}"))
                err.print(problems_text(exc.problems))
                continue
            out.print(
                styled(
                    "✓",
                    "green",
                    f" {path}: {c.factory.name} — {len(c.factory.processes)} processes, "
                    f"{len(c.factory.flows)} flows, balance {'closes' if c.balance.ok else 'DOES NOT close'}",
                )
            )
            _print_warnings(c.warnings)
        raise typer.Exit(failed)
    except LcaEngineError as exc:
        _fail(exc)


@app.command()
def graph(
    file: Path = typer.Argument(..., help="Inventory TOML file."),
    graphml: Path | None = typer.Option(None, "--graphml", help="Write the graph as GraphML."),
    json_out: Path | None = typer.Option(None, "--json", help="Write the graph as node-link JSON."),
    tolerance: float = ToleranceOpt,
) -> None:
    """Show the material-flow graph: reuse/recycling loops and the mass-balance table."""
    import networkx as nx

    from .. import atomic
    from ..graph import build_graph, find_loops, loops_table, to_json
    from ..load import load_checked

    try:
        c = load_checked(file, tolerance=tolerance, strict_balance=False)
    except LcaEngineError as exc:
        _fail(exc)
    g = build_graph(c.factory)
    loops = loops_table(find_loops(c.factory, g))
    out.print(
        f"{c.factory.name}: {g.number_of_nodes()} nodes, {g.number_of_edges()} flows, "
        f"{len(loops)} loop(s); per {c.factory.functional_unit.label()}"
    )
    if len(loops):
        out.print(_df_table(loops, "Reuse / recycling loops (kg per functional unit)"))
    out.print(_df_table(c.balance.table, f"Mass balance (kg per functional unit, tolerance {tolerance:.1%})"))
    if c.balance.excluded:
        out.print("not in the balance: " + "; ".join(c.balance.excluded))
    if graphml:
        with atomic.atomic_path(graphml) as tmp:
            nx.write_graphml(g, tmp)
        out.print(f"wrote {graphml}")
    if json_out:
        atomic.write_text(json_out, json.dumps(to_json(g), indent=2, sort_keys=True))
        out.print(f"wrote {json_out}")
    raise typer.Exit(0 if c.balance.ok else 3)


@app.command()
def factors(
    year: int = typer.Option(2025, "--year"),
    contains: str = typer.Option("", "--contains", help="Show only keys or names containing this text."),
    background: str | None = typer.Option(
        None,
        "--background",
        help="List the activities of this imported background (see `lca-engine background list`) by the whole key "
        "an inventory links them with.",
    ),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """List the background factor keys an inventory may use in `background = "…"`."""
    if background is not None:
        _imported_factors(background, contains, data_dir)
        return
    import pandas as pd

    from ..background.catalog import load_catalog
    from ..background.open_factors import PREFIX, load_open_factors
    from ..bw.project import DataDir, default_data_dir

    try:
        cat = load_catalog(year, cache_dir=DataDir(data_dir or default_data_dir()).cache)
        opened = load_open_factors()
    except LcaEngineError as exc:
        _fail(exc)
    rows = [
        (f.key, f.unit, f.value, f.name, f.desnz_id)
        for f in sorted(cat.factors.values(), key=lambda f: f.key)
        if contains.lower() in (f.key + f.name).lower() and not f.key.startswith(PREFIX)
    ]
    df = pd.DataFrame(rows, columns=["key", "per", "kg CO2e", "name", "DESNZ ID"])
    out.print(_keyed(df, f"Background factors, DESNZ {year} (kg CO2e, AR5 GWP100)"))
    chosen = {k: f for k, f in opened.items() if contains.lower() in (k + f.name).lower()}
    out.print(_keyed(_open_table(chosen), OPEN_TITLE, caption=OPEN_CAPTION))


def _keyed(df, title: str, caption: str | None = None, floats: str = "{:.6g}", whole: tuple[int, ...] = (0,)):
    """The table with its first column (keys to copy into an inventory; ``whole``: every column never cut) and
    numbers never cut, text wrapped between words; where the terminal is too narrow for that, one block per row: the
    key on a line of its own, then the other columns below it."""
    from .fit import blocks, fit

    table = _df_table(df, title, floats=floats, caption=caption)
    texts = [[floats.format(v) if isinstance(v, float) else str(v) for v in df[c]] for c in df.columns]
    numbers = {i for i, c in enumerate(df.columns) if df[c].dtype.kind in "fi"}
    if fit(table, texts, whole={*whole, *numbers}) <= out.width:
        return table
    return blocks(df, title, caption, floats)


#: At most this many activities of an imported background are listed at once (ecoinvent has ~25,000).
SHOWN_ACTIVITIES = 200


def _imported_factors(name: str, contains: str, data_dir: Path | None) -> None:
    """The activities of an imported background matching ``contains``: the whole link key, its unit and the key by
    code, both copyable into ``background = "…"``."""
    import pandas as pd

    from ..background.links import Links
    from ..bw.project import DataDir, default_data_dir

    try:
        found = Links(DataDir(data_dir or default_data_dir()).root).matching(name, contains)
    except LcaEngineError as exc:
        _fail(exc)
    rows = [(f"{name}:{a.key}", a.unit, f"{name}:{a.code}") for a in found[:SHOWN_ACTIVITIES]]
    df = pd.DataFrame(rows, columns=["key", "per", "key by code"])
    more = len(found) - len(rows)
    caption = f"{more} more: narrow the list with --contains" if more > 0 else None
    title = f"Activities of background {name}" + (f" containing '{contains}'" if contains else "")
    out.print(_keyed(df, f"{title}: {len(found)}", caption=caption, whole=(0, 2)))


OPEN_TITLE = "Open cradle-to-gate factors (per unit of 'per'; range low-high as published)"
OPEN_CAPTION = (
    "to check = not yet checked against the publisher's text; verified = read there; sources: inventories/sources.toml"
)


def _open_table(factors: dict):
    """One row per figure of each open factor, its range, source and "to check" marker."""
    import pandas as pd

    from ..background.open_factors import QUANTITY_UNITS

    rows = [
        (
            key,
            f.unit,
            q,
            fig.value,
            fig.low,
            fig.high,
            QUANTITY_UNITS[q],
            fig.source,
            "to check" if fig.to_check else "verified",
        )
        for key, f in sorted(factors.items())
        for q, fig in f.figures.items()
    ]
    columns = ["key", "per", "quantity", "value", "low", "high", "unit", "source", "status"]
    return pd.DataFrame(rows, columns=columns)


@app.command("indicators")
def list_indicators() -> None:
    """List the indicators (four families), their units and basis."""
    import pandas as pd

    from ..indicators import INDICATORS

    df = pd.DataFrame(
        [(i.id, i.family, i.unit, i.name) for i in INDICATORS.values()], columns=["id", "family", "unit per FU", "name"]
    )
    from ..indicators import SCOPE_NOTE

    out.print(_df_table(df, "Indicators (each computed at both scopes: site and cradle to gate)", caption=SCOPE_NOTE))
