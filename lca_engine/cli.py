"""``lca-engine`` command line: parse arguments, call the API, print. No logic of its own.

Exit codes: 0 success · 1 invalid input (file, unit, provenance, background, year) · 2 usage error ·
3 mass balance does not close (use --lenient to report instead) · 4 unexpected internal error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .balance import DEFAULT_TOLERANCE
from .errors import LcaEngineError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Assess Welsh micro-factories against conventional baselines (LCA + MFA).",
)
# Rich falls back to 80 columns when piped; tables of results need more to stay readable in logs.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

EXIT_INTERNAL = 4

DataDirOpt = typer.Option(
    None,
    "--data-dir",
    help="Folder for the embedded Brightway project and caches "
    "(default: $LCA_ENGINE_DATA_DIR or the user cache folder).",
)
ToleranceOpt = typer.Option(
    DEFAULT_TOLERANCE, "--tolerance", min=0.0, max=0.5, help="Relative mass-balance tolerance (0.01 = 1 %)."
)
LenientOpt = typer.Option(False, "--lenient", help="Report mass imbalance as a warning instead of failing.")


def _fail(exc: LcaEngineError) -> None:
    err.print(f"[bold red]error[/] ({type(exc).__name__}):", highlight=False)
    err.print(exc.format(), highlight=False, markup=False)
    raise typer.Exit(exc.exit_code)


def _df_table(df, title: str, floats: str = "{:.4g}") -> Table:
    t = Table(title=Text(title), title_justify="left")
    for c in df.columns:
        t.add_column(str(c), justify="right" if df[c].dtype.kind in "fi" else "left")
    for _, row in df.iterrows():
        # Text, not markup: inventory strings such as "[x]" must print as written
        t.add_row(*[Text(floats.format(v) if isinstance(v, float) else str(v)) for v in row])
    return t


def _print_warnings(warnings) -> None:
    for w in warnings:
        err.print("[yellow]warning:[/] " + w.format().replace("[", "\\["), highlight=False)


@app.command()
def validate(
    files: list[Path] = typer.Argument(..., help="Inventory TOML files or folders."),
    year: int = typer.Option(2025, "--year", help="Background data year used to check factor keys."),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Check schema, units, provenance, background keys and mass balance (no Brightway needed)."""
    from .assess import collect_files
    from .background.catalog import load_catalog
    from .bw.project import DataDir, default_data_dir
    from .load import load_checked

    try:
        catalog = load_catalog(year, cache_dir=DataDir(data_dir or default_data_dir()).cache)
        failed = 0
        for path in collect_files(files):
            try:
                c = load_checked(path, catalog=catalog, tolerance=tolerance, strict_balance=not lenient)
            except LcaEngineError as exc:
                failed = failed or exc.exit_code
                err.print(f"[red]✗[/] {path}", highlight=False)
                err.print(exc.format(), highlight=False, markup=False)
                continue
            out.print(
                f"[green]✓[/] {path}: {c.factory.name} — {len(c.factory.processes)} processes, "
                f"{len(c.factory.flows)} flows, balance {'closes' if c.balance.ok else 'DOES NOT close'}",
                highlight=False,
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

    from . import atomic
    from .graph import build_graph, find_loops, loops_table, to_json
    from .load import load_checked

    try:
        c = load_checked(file, tolerance=tolerance, strict_balance=False)
    except LcaEngineError as exc:
        _fail(exc)
    g = build_graph(c.factory)
    loops = loops_table(find_loops(c.factory, g))
    out.print(
        f"{c.factory.name}: {g.number_of_nodes()} nodes, {g.number_of_edges()} flows, "
        f"{len(loops)} loop(s); per {c.factory.functional_unit.label()}",
        highlight=False,
    )
    if len(loops):
        out.print(_df_table(loops, "Reuse / recycling loops (kg per functional unit)"))
    out.print(_df_table(c.balance.table, f"Mass balance (kg per functional unit, tolerance {tolerance:.1%})"))
    if c.balance.excluded:
        out.print("not in the balance: " + "; ".join(c.balance.excluded), highlight=False)
    if graphml:
        with atomic.atomic_path(graphml) as tmp:
            nx.write_graphml(g, tmp)
        out.print(f"wrote {graphml}")
    if json_out:
        atomic.write_text(json_out, json.dumps(to_json(g), indent=2, sort_keys=True))
        out.print(f"wrote {json_out}")
    raise typer.Exit(0 if c.balance.ok else 3)


@app.command()
def assess(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders; named baselines are added."),
    year: int = typer.Option(2025, "--year", help="DESNZ background data year (2023, 2024, 2025)."),
    out_dir: Path = typer.Option(Path("results"), "--out", help="Folder for results.parquet and comparison.*"),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
    indicators: str = typer.Option(
        "",
        "--indicators",
        help="Comma-separated indicator ids to print "
        "(default: headline set; all are computed and written). See `lca-engine indicators`.",
    ),
) -> None:
    """Assess micro-factories against their baselines per functional unit; write Parquet results."""
    import pandas as pd
    from rich.progress import Progress

    from .assess import assess_files, collect_files
    from .results import write_comparison, write_completeness, write_results

    try:
        files = collect_files(paths)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("checking inventories", total=len(files))
            a = assess_files(
                files,
                year=year,
                data_dir=data_dir,
                tolerance=tolerance,
                strict_balance=not lenient,
                on_file=lambda p: progress.advance(task),
            )
            progress.update(task, description="calculating (Brightway)")
    except LcaEngineError as exc:
        _fail(exc)
    for c in a.checked.values():
        uncounted = [w for w in c.warnings if "has no background factor" in w.message]
        _print_warnings([w for w in c.warnings if w not in uncounted])
        if uncounted:
            ids = ", ".join(w.message.split("'")[1] for w in uncounted)
            err.print(
                f"[yellow]no background factor:[/] {c.file}: {ids} (their upstream burdens are not counted)",
                highlight=False,
            )
    comp = a.comparison()
    from .indicators import HEADLINE

    head = comp[comp.indicator.isin(indicators.split(",") if indicators else HEADLINE)].copy()
    head["indicator"] = pd.Categorical(
        head["indicator"],
        categories=list(dict.fromkeys(indicators.split(",") if indicators else HEADLINE)),
        ordered=True,
    )
    for micro, group in head.sort_values(["factory", "indicator"]).groupby("factory", sort=True):
        show = group[["indicator", "unit", "micro_factory", "baseline_value", "difference", "relative_change"]].copy()
        show["relative_change"] = show["relative_change"].map(lambda v: "n/a" if v != v else f"{v:+.1%}")
        show.columns = ["indicator", "unit per FU", "micro-factory", "baseline", "difference", "change"]
        fu = a.checked[micro].factory.functional_unit.label()
        base = group["baseline"].iloc[0] or "no baseline"
        table = _df_table(show, f"{micro} vs {base} (DESNZ {year} background)")
        table.caption = f"per functional unit: {fu}"
        out.print(table)
    not_char = a.completeness[a.completeness.status == "not characterised"]
    if len(not_char):
        out.print(
            f"completeness: {len(not_char)} boundary flow(s) are characterised by no indicator "
            f"(see completeness.parquet): " + ", ".join(f"{r.factory}:{r.flow}" for r in not_char.itertuples()),
            highlight=False,
        )
    t = a.timings
    out.print(
        f"MultiLCA: {t.get('factories', 0)} factories × {t.get('indicators', 0)} indicators in "
        f"{t.get('multilca', 0):.3f} s (project build/check {t.get('build', 0):.2f} s, contributions "
        f"{t.get('contributions', 0):.3f} s)",
        highlight=False,
    )
    write_results(a.results, out_dir / "results.parquet")
    write_comparison(comp, out_dir / "comparison.parquet")
    write_completeness(a.completeness, out_dir / "completeness.parquet")
    from . import atomic

    atomic.write_text(out_dir / "comparison.csv", comp.to_csv(index=False))
    out.print(
        f"wrote {out_dir}/results.parquet, comparison.parquet, comparison.csv, completeness.parquet", highlight=False
    )


@app.command()
def factors(
    year: int = typer.Option(2025, "--year"),
    contains: str = typer.Option("", "--contains", help="Show only keys or names containing this text."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """List the background factor keys an inventory may use in `background = "…"`."""
    import pandas as pd

    from .background.catalog import load_catalog
    from .bw.project import DataDir, default_data_dir

    try:
        cat = load_catalog(year, cache_dir=DataDir(data_dir or default_data_dir()).cache)
    except LcaEngineError as exc:
        _fail(exc)
    rows = [
        (f.key, f.unit, f.value, f.name, f.desnz_id)
        for f in sorted(cat.factors.values(), key=lambda f: f.key)
        if contains.lower() in (f.key + f.name).lower()
    ]
    df = pd.DataFrame(rows, columns=["key", "per", "kg CO2e", "name", "DESNZ ID"])
    out.print(_df_table(df, f"Background factors, DESNZ {year} (kg CO2e, AR5 GWP100)", floats="{:.6g}"))


def _quiet_brightway_logs() -> None:
    """bw2data prints informational lines (e.g. which directory it uses); a CLI user needs warnings only.

    With BRIGHTWAY_NO_STRUCTLOG, bw2data uses a plain logging logger of this name; a filter survives the
    ``setLevel(INFO)`` it applies at import.
    """
    import logging
    import os

    os.environ.setdefault("BRIGHTWAY_NO_STRUCTLOG", "1")
    logging.getLogger("brightway-stdout-feedback").addFilter(lambda record: record.levelno >= logging.WARNING)


@app.command()
def compare(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders; named baselines are added."),
    draws: int = typer.Option(2000, "--draws", min=1, help="Paired Monte Carlo draws."),
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same numbers)."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Threads solving batches of draws in parallel (results do not depend on it)."
    ),
    claims_file: Path | None = typer.Option(
        None, "--claims", help="Claims to test (default: inventories/claims.toml)."
    ),
    year: int = typer.Option(2025, "--year", help="DESNZ background data year."),
    out_dir: Path = typer.Option(Path("results"), "--out", help="Folder for claims.* and monte_carlo.parquet."),
    sobol: int = typer.Option(
        0,
        "--sobol",
        help="Also compute Sobol indices of the difference with this many "
        "base samples (a power of 2, e.g. 256); 0 = skip.",
    ),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Micro-factory vs baseline with uncertainty: paired Monte Carlo and the claim check."""
    import time

    import pandas as pd
    from rich.progress import Progress

    from . import atomic
    from .assess import assess_files, collect_files
    from .assess import monte_carlo as run_mc
    from .claims import Claim, evaluate, load_claims, operations_of
    from .results import _write_frame

    try:
        a = assess_files(
            collect_files(paths), year=year, data_dir=data_dir, tolerance=tolerance, strict_balance=not lenient
        )
        claims = load_claims(claims_file)
        t0 = time.perf_counter()
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task(f"Monte Carlo, {draws} paired draws", total=draws)
            mc = run_mc(
                [c.factory for c in a.checked.values()],
                draws=draws,
                seed=seed,
                year=year,
                data_dir=data_dir,
                workers=workers,
                progress=lambda done: progress.update(task, completed=done),
            )
        t_mc = time.perf_counter() - t0
        comp = a.comparison()
        tables = []
        for micro, _ in a.pairs:
            own = [Claim.model_validate(c) for c in a.checked[micro].factory.claims]
            ops = operations_of(c.factory for c in a.checked.values())
            tables.append(evaluate(claims + own, comp[comp.factory == micro], mc, ops))
        verdicts = pd.concat(tables, ignore_index=True)
    except LcaEngineError as exc:
        _fail(exc)
    show = verdicts[["factory", "claim", "claimed_change", "measured_change", "p_claim_holds", "verdict"]].copy()
    show["claimed_change"] = show["claimed_change"].map(lambda v: f"{v:+.0%}")
    show["measured_change"] = show["measured_change"].map(lambda v: "n/a" if v != v else f"{v:+.1%}")
    show["p_claim_holds"] = show["p_claim_holds"].map(lambda v: "n/a" if v != v else f"{v:.2f}")
    out.print(_df_table(show, f"Claim check (paired Monte Carlo, {draws} draws, seed {seed})"))
    diffs = pd.concat([mc.difference(m, b) for m, b in a.pairs if b], ignore_index=True)
    head = diffs[diffs.indicator.isin(["carbon", "energy_delivered", "water_withdrawal", "chemicals_total"])].copy()
    head = head[["factory", "indicator", "mean", "p2_5", "p97_5", "p_lower"]]
    head.columns = ["micro-factory", "indicator", "difference (mean)", "2.5 %", "97.5 %", "P(micro < baseline)"]
    out.print(_df_table(head, "Difference micro-factory − baseline per functional unit (paired draws)"))
    out.print(
        f"Monte Carlo: {len(a.checked)} factories, {draws} draws, all 22 indicators in {t_mc:.2f} s", highlight=False
    )
    if sobol:
        from .assess import matrix_system
        from .sensitivity import sobol_difference

        indicators = ["carbon", "energy_delivered", "water_withdrawal", "chemicals_total"]
        try:
            frames = []
            for micro, base in a.pairs:
                if not base:
                    continue
                system = matrix_system(
                    [a.checked[micro].factory, a.checked[base].factory],
                    year=year,
                    data_dir=data_dir,
                    indicators=indicators,
                )
                df = sobol_difference(system, micro, base, samples=sobol, seed=seed, top=3)
                df.insert(0, "factory", micro)
                frames.append(df)
        except LcaEngineError as exc:
            _fail(exc)
        sens = pd.concat(frames, ignore_index=True)
        out.print(
            _df_table(
                sens[["factory", "indicator", "parameter", "S1", "ST"]],
                f"Top drivers of the difference (Sobol, {sobol} base samples)",
                floats="{:.3f}",
            )
        )
        _write_frame(sens, out_dir / "sobol.parquet")
    atomic.write_text(out_dir / "claims.csv", verdicts.to_csv(index=False))

    _write_frame(verdicts, out_dir / "claims.parquet")
    _write_frame(diffs, out_dir / "monte_carlo_differences.parquet")
    _write_frame(mc.summary(), out_dir / "monte_carlo_summary.parquet")
    out.print(
        f"wrote {out_dir}/claims.csv, claims.parquet, monte_carlo_differences.parquet, monte_carlo_summary.parquet",
        highlight=False,
    )


@app.command()
def scenarios(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders; named baselines are added."),
    scenario_file: Path | None = typer.Option(
        None, "--scenarios", help="Scenario file (default: inventories/scenarios.toml)."
    ),
    indicator: str = typer.Option("carbon", "--indicator", help="Indicator to print (all are computed)."),
    year: int = typer.Option(2025, "--year", help="Default DESNZ background year."),
    out_dir: Path = typer.Option(Path("results"), "--out", help="Folder for scenarios.parquet and .csv"),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Assess every inventory as written and under each named scenario; one cube, one comparison table."""
    from . import atomic
    from .assess import collect_files
    from .results import write_comparison, write_results
    from .scenarios import assess_scenarios, load_scenarios

    try:
        scs = load_scenarios(scenario_file)
        a = assess_scenarios(
            collect_files(paths), scs, year=year, data_dir=data_dir, tolerance=tolerance, strict_balance=not lenient
        )
    except LcaEngineError as exc:
        _fail(exc)
    comp = a.comparison()
    sel = comp[comp.indicator == indicator][
        ["factory", "scenario", "unit", "micro_factory", "baseline_value", "relative_change"]
    ].copy()
    sel["relative_change"] = sel["relative_change"].map(lambda v: "n/a" if v != v else f"{v:+.1%}")
    out.print(_df_table(sel, f"{indicator} per functional unit under each scenario"))
    write_results(a.results, out_dir / "scenarios_results.parquet")
    write_comparison(comp, out_dir / "scenarios_comparison.parquet")
    atomic.write_text(out_dir / "scenarios_comparison.csv", comp.to_csv(index=False))
    out.print(
        f"wrote {out_dir}/scenarios_results.parquet, scenarios_comparison.parquet, scenarios_comparison.csv",
        highlight=False,
    )


@app.command()
def circularity(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders."),
    json_out: Path | None = typer.Option(None, "--json", help="Write every indicator with its formula inputs."),
) -> None:
    """MCI, CTI, ISO 59020, loop and waste indicators per factory, and the portfolio MCI (mass-weighted)."""
    import json

    import pandas as pd

    from . import atomic
    from .assess import collect_files
    from .circularity import circularity_report, portfolio_mci
    from .load import load_checked

    reports, rows = {}, []
    try:
        for path in collect_files(paths):
            c = load_checked(path, strict_balance=False)
            r = circularity_report(c)
            reports[c.factory.id] = r
            cti_ = r["cti"]
            rows.append(
                {
                    "factory": c.factory.id,
                    "system": c.factory.system,
                    "MCI": r["mci"]["value"],
                    "circular inflow": cti_["circular_inflow"]["value"],
                    "circular outflow": cti_["circular_outflow"]["value"],
                    "material circularity": cti_["material_circularity"]["value"],
                    "landfill diversion": r["waste"]["landfill_diversion"]["value"],
                    "loops": len(r["loops"]),
                    "product kg": r["material_flows"]["product_kg"],
                }
            )
    except LcaEngineError as exc:
        _fail(exc)
    df = pd.DataFrame(rows)
    shown = df.drop(columns=["product kg"]).copy()
    for col in ("circular inflow", "circular outflow", "material circularity", "landfill diversion"):
        shown[col] = shown[col].map(lambda v: "n/a" if v is None or v != v else f"{v:.0%}")
    out.print(_df_table(shown, "Circularity per functional unit (shares by mass; MCI 0-1)", floats="{:.3f}"))
    micro = df[(df.system == "micro-factory") & df["MCI"].notna() & (df["product kg"] > 0)]
    if len(micro):
        value = portfolio_mci(list(zip(micro["product kg"], micro["MCI"], strict=True)))
        out.print(
            f"portfolio MCI of the {len(micro)} micro-factories, weighted by product mass per functional unit: "
            f"{value:.3f}",
            highlight=False,
        )
    notes = {n for r in reports.values() for n in r["mci"].get("notes", []) if "not stated" in n}
    for n in sorted(notes):
        err.print(f"[yellow]note:[/] {n}", highlight=False)
    if json_out:
        atomic.write_text(json_out, json.dumps(reports, indent=2, sort_keys=True, default=float))
        out.print(f"wrote {json_out}")


@app.command()
def wales(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders; named baselines are added."),
    year: int = typer.Option(2025, "--year", help="DESNZ background data year (2023, 2024, 2025)."),
    factory: str = typer.Option("", "--factory", help="Show the full tables for this micro-factory id only."),
    out_dir: Path | None = typer.Option(None, "--out", help="Write wales_alignment.parquet/.csv and .json here."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Wales alignment: Well-being of Future Generations goals and National Indicators, Beyond Recycling targets,
    Circular Economy Fund criteria (a pre-assessment with evidence, not a funding decision)."""
    import json

    import pandas as pd

    from . import atomic
    from .assess import assess_files, collect_files
    from .results import _write_frame
    from .wales import DISCLAIMER, assessment_alignment, load_policy, portfolio_alignment

    try:
        a = assess_files(collect_files(paths), year=year, data_dir=data_dir)
        policy = load_policy()
        ids = [m for m, _ in a.pairs if not factory or m == factory]
        if factory and not ids:
            raise LcaEngineError(
                f"no micro-factory '{factory}' in these inventories", fix=f"one of: {', '.join(m for m, _ in a.pairs)}"
            )
        found = {m: assessment_alignment(a, m, policy) for m in ids}
    except LcaEngineError as exc:
        _fail(exc)
    out.print(_df_table(portfolio_alignment(a, policy), "Wales alignment, portfolio (counts of measures / criteria)"))
    for fid, w in found.items():
        per = w.wfg.drop_duplicates("measure")
        shown = per[
            ["national_indicator", "measure", "unit", "micro_factory", "baseline", "direction", "source_id"]
        ].copy()
        shown["national_indicator"] = [
            "—" if pd.isna(v) else f"NI {v}" + ("" if ok else " (wording to check)")
            for v, ok in zip(per["national_indicator"], per["indicator_checked"], strict=True)
        ]
        for col in ("micro_factory", "baseline"):
            shown[col] = shown[col].map(lambda v: "—" if v is None or pd.isna(v) else f"{v:.4g}")
        out.print(_df_table(shown, f"{fid}: measures under the well-being goals", floats="{:.4g}"))
        br = w.beyond_recycling.copy()
        br["target"] = [t + ("" if ok else " [to check]") for t, ok in zip(br.target, br.target_checked, strict=True)]
        br = br[["target", "factory_value", "status", "applies_as", "source_id"]]
        out.print(_df_table(br, f"{fid}: Beyond Recycling", floats="{:.3f}"))
        grants = w.grants[["criterion_id", "status", "figure", "source_id"]]
        out.print(_df_table(grants, f"{fid}: Circular Economy Fund criteria"))
        if w.not_stated:
            err.print(f"[yellow]not stated[/] in {fid}: {', '.join(w.not_stated)}", highlight=False)
    cited = {sid: src for w in found.values() for sid, src in w.sources.items()}
    out.print("Policy sources:", highlight=False)
    for sid, src in sorted(cited.items()):
        edition = f", {src['edition']}" if src.get("edition") else ""
        out.print(f"  [{sid}] {src['publisher']}: {src['title']}{edition}", highlight=False, markup=False)
    out.print(DISCLAIMER, highlight=False)
    if out_dir:
        frames = []
        for fid, w in found.items():
            for part, df in (("wfg", w.wfg), ("beyond_recycling", w.beyond_recycling), ("grant_criteria", w.grants)):
                frames.append(df.assign(factory=fid, table=part).astype({c: "string" for c in df.columns}))
        table = pd.concat(frames, ignore_index=True)
        _write_frame(table, Path(out_dir) / "wales_alignment.parquet")
        atomic.write_text(Path(out_dir) / "wales_alignment.csv", table.to_csv(index=False))
        atomic.write_text(
            Path(out_dir) / "wales_alignment.json",
            json.dumps({fid: w.to_dict() for fid, w in found.items()}, indent=2, default=str),
        )
        out.print(f"wrote {out_dir}/wales_alignment.(parquet|csv|json)")


@app.command()
def reconcile(
    file: Path = typer.Argument(..., help="Inventory TOML file."),
    measurements: Path | None = typer.Option(
        None,
        "--measurements",
        help="CSV with columns flow,value_kg,sigma_kg (per functional unit) overriding the inventory's values.",
    ),
    free: str = typer.Option("", "--free", help="Comma-separated flow ids to treat as unmeasured."),
    relative_sigma: float = typer.Option(0.02, "--relative-sigma", help="σ of cited values, as a fraction."),
) -> None:
    """Reconcile measured mass flows with the process balances (weighted least squares, χ² test)."""
    import pandas as pd

    from .load import load_checked
    from .reconciliation import reconcile_factory

    try:
        c = load_checked(file, strict_balance=False)
        measured = {}
        if measurements:
            try:
                m = pd.read_csv(measurements)
            except (OSError, ValueError) as exc:
                raise LcaEngineError(
                    f"cannot read measurements: {exc}", fix="give a CSV file", file=str(measurements)
                ) from None
            missing = {"flow", "value_kg", "sigma_kg"} - set(m.columns)
            if missing:
                raise LcaEngineError(
                    f"measurements lack column(s) {sorted(missing)}",
                    fix="columns: flow,value_kg,sigma_kg",
                    file=str(measurements),
                )
            measured = {r.flow: (float(r.value_kg), float(r.sigma_kg)) for r in m.itertuples()}
        table, res = reconcile_factory(
            c.factory,
            measured=measured,
            free=[x.strip() for x in free.split(",") if x.strip()],
            relative_sigma=relative_sigma,
        )
    except LcaEngineError as exc:
        _fail(exc)
    out.print(_df_table(table, f"Reconciled mass flows, kg per FU — {c.factory.id}", floats="{:.5g}"))
    verdict = "consistent" if res.consistent else "INCONSISTENT"
    out.print(
        f"chi2 = {res.chi2:.4g} with {res.dof} degrees of freedom, p = {res.p_value:.4g}: data {verdict} "
        f"at 5 %; flagged: {', '.join(table[table.flag].flow) or 'none'}",
        highlight=False,
    )
    raise typer.Exit(0 if res.consistent else 3)


@app.command()
def report(
    paths: list[Path] = typer.Argument(..., help="Micro-factory inventory files or folders (baselines are added)."),
    out_dir: Path = typer.Option(Path("reports"), "--out", help="Folder for <factory-id>.html/.pdf/.json"),
    formats: str = typer.Option("html,pdf,json", "--formats", help="Comma-separated: html, pdf, json."),
    year: int = typer.Option(2025, "--year", help="DESNZ background data year."),
    cutoff: float = typer.Option(0.01, "--cutoff", help="Contributions below this share are merged."),
    generated: str | None = typer.Option(None, "--generated", help="Date printed in the report (none by default)."),
    tolerance: float = ToleranceOpt,
    lenient: bool = LenientOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Auditable report for grant assessors: HTML, PDF and JSON of the same content."""
    from .report import render_report

    timings: dict[str, float] = {}
    try:
        written = render_report(
            paths,
            out_dir,
            [f.strip() for f in formats.split(",") if f.strip()],
            year=year,
            data_dir=data_dir,
            tolerance=tolerance,
            strict_balance=not lenient,
            cutoff=cutoff,
            generated=generated,
            timings=timings,
        )
    except LcaEngineError as exc:
        _fail(exc)
    for path in written.values():
        out.print(f"wrote {path}", highlight=False)
    out.print(
        f"report: {timings.get('total_s', 0):.1f} s (assess {timings.get('assess_s', 0):.1f} s, Sankey "
        f"{timings.get('sankey_s', 0):.1f} s, PDF {timings.get('pdf_s', 0):.1f} s)",
        highlight=False,
    )


@app.command("export-excel")
def export_excel(
    file: Path = typer.Argument(..., help="Inventory TOML file."),
    out_file: Path = typer.Option(..., "--out", help="Brightway Excel file to write (.xlsx)."),
    year: int = typer.Option(2025, "--year", help="DESNZ background year the links point to (desnz-<year>)."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Write an inventory as a Brightway (bw2io) Excel inventory; our own exports re-import losslessly."""
    from .background.catalog import load_catalog
    from .bw.excel import write_bw_excel
    from .bw.project import DataDir, default_data_dir
    from .load import load_checked

    try:
        catalog = load_catalog(year, cache_dir=DataDir(data_dir or default_data_dir()).cache)
        factory = load_checked(file, catalog=catalog, strict_balance=False).factory
        write_bw_excel(factory, out_file, year=year, catalog=catalog)
    except LcaEngineError as exc:
        _fail(exc)
    out.print(f"wrote {out_file} ({len(factory.processes)} processes, {len(factory.flows)} flows)", highlight=False)


@app.command("import-excel")
def import_excel(
    file: Path = typer.Argument(..., help="Brightway Excel inventory (.xlsx)."),
    out_file: Path = typer.Option(..., "--out", help="Inventory TOML file to write."),
    functional_unit: str | None = typer.Option(
        None,
        "--functional-unit",
        help="Name of the activity that is the functional unit (needed for files not written by lca-engine).",
    ),
    sector: str | None = typer.Option(None, "--sector", help="Sector of the factory (foreign files)."),
    site: str | None = typer.Option(None, "--site", help='Site as "Name,lat,lon" (foreign files).'),
    system: str = typer.Option("micro-factory", "--system", help="micro-factory or baseline."),
    year: int = typer.Option(2025, "--year"),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Read a Brightway (bw2io) Excel inventory into our per-functional-unit model and save it as TOML."""
    import warnings

    from .background.catalog import load_catalog
    from .bw.excel import ExcelImportWarning, read_bw_excel
    from .bw.project import activate
    from .inventory import save
    from .load import check_factory

    site_dict = None
    if site:
        parts = [p.strip() for p in site.split(",")]
        if len(parts) != 3:
            err.print('--site must be "Name,lat,lon", e.g. "Merthyr Tydfil,51.7487,-3.3816"')
            raise typer.Exit(2)
        try:
            site_dict = {"name": parts[0], "lat": float(parts[1]), "lon": float(parts[2])}
        except ValueError:
            err.print("--site: lat and lon must be numbers")
            raise typer.Exit(2) from None
    try:
        d = activate(data_dir)
        catalog = load_catalog(year, cache_dir=d.cache)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ExcelImportWarning)
            factory = read_bw_excel(
                file, functional_unit, sector=sector, site=site_dict, system=system, year=year, catalog=catalog
            )
        for w in caught:
            if issubclass(w.category, ExcelImportWarning):
                err.print(f"[yellow]import warning:[/] {w.message}", highlight=False)
        save(factory, out_file)
        checked = check_factory(factory, catalog=catalog, strict_balance=False)
        _print_warnings(checked.warnings)
    except LcaEngineError as exc:
        _fail(exc)
    out.print(
        f"wrote {out_file}: {factory.name} — {len(factory.processes)} processes, {len(factory.flows)} flows",
        highlight=False,
    )


def dashboard_app() -> Path:
    """``dashboard/app.py`` of the source tree (the dashboard is not in the wheel)."""
    return Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@app.command("dashboard")
def dashboard(
    port: int = typer.Option(8501, "--port", min=1, max=65535, help="Port to serve the dashboard on."),
    address: str = typer.Option("localhost", "--address", help="Address to listen on (localhost = this machine)."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Start the Streamlit dashboard (portfolio map, factory pages, circularity, claims, scenarios, uploads)."""
    import os
    import subprocess

    app_py = dashboard_app()
    if not app_py.is_file():
        err.print(
            f"[bold red]error[/]: the dashboard is not installed here (looked for {app_py}).",
            highlight=False,
        )
        err.print(
            "    fix: the dashboard ships in the source tree, not in the wheel: clone the repository and install it "
            "with `pip install -e .` from the clone, then run `lca-engine dashboard` there.",
            highlight=False,
        )
        raise typer.Exit(1)
    try:
        import streamlit  # noqa: F401
    except ImportError:
        err.print("[bold red]error[/]: Streamlit is not installed.\n    fix: pip install streamlit", highlight=False)
        raise typer.Exit(1) from None
    env = dict(os.environ)
    if data_dir:
        env["LCA_ENGINE_DATA_DIR"] = str(data_dir.expanduser().resolve())
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_py),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.maxUploadSize",
        "2",
        "--browser.gatherUsageStats",
        "false",
    ]
    out.print(f"dashboard: http://{address}:{port}  (Ctrl+C to stop)", highlight=False)
    # run in the dashboard folder so that Streamlit reads dashboard/.streamlit/config.toml
    raise typer.Exit(subprocess.call(cmd, cwd=app_py.parent, env=env))


@app.command("indicators")
def list_indicators() -> None:
    """List the indicators (four families), their units and basis."""
    import pandas as pd

    from .indicators import INDICATORS

    df = pd.DataFrame(
        [(i.id, i.family, i.unit, i.name) for i in INDICATORS.values()], columns=["id", "family", "unit per FU", "name"]
    )
    out.print(_df_table(df, "Indicators"))


def main() -> None:
    """Entry point: user errors exit 1/3 with a readable message; bugs exit 4 with a short note."""
    _quiet_brightway_logs()
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        if "--debug" in sys.argv or __import__("os").environ.get("LCA_ENGINE_DEBUG"):
            raise
        err.print(f"[bold red]internal error[/]: {type(exc).__name__}: {exc}", highlight=False)
        err.print("This is a bug in lca-engine; rerun with LCA_ENGINE_DEBUG=1 for the traceback and report it.")
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
