"""Circularity credentials, data reconciliation and Wales alignment commands."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..errors import LcaEngineError
from ..vocabulary import MICRO_FACTORY
from .common import DataDirOpt, _df_table, _fail, app, err, out, styled


def _variant_figures() -> tuple:
    """Each project variant beside the method's own figure it departs from (imported when a command runs: the
    circularity package loads networkx and pandas, which ``--help`` does not need)."""
    from ..circularity.labels import FIGURES

    return tuple(
        f for f in FIGURES if f.variant or any(v.variant and v.key == f"{f.key}_yield_adjusted" for v in FIGURES)
    )


def _waste_figures() -> tuple:
    from ..circularity.labels import FIGURES

    return tuple(f for f in FIGURES if f.section == "waste")


def _pct(v) -> str:
    return "n/a" if v is None or v != v else f"{v:.1%}"


def _shown(m: dict) -> str:
    """One figure as printed: a share as a percentage, else the number and its unit ("not stated" when None)."""
    v, unit = m.get("value"), m.get("unit", "")
    if v is None:
        return "not stated"
    return _pct(v) if unit == "share" else f"{v:.4g} {unit}"


def _print_figures(reports: dict[str, dict], figs: tuple, title: str) -> None:
    """One row per factory, one column per figure (its plain label)."""
    import pandas as pd

    from ..circularity.labels import SHORT, metric

    rows = [
        {"factory": fid} | {f"{SHORT[f.section]} {f.label}".strip(): _shown(metric(r, f)) for f in figs}
        for fid, r in reports.items()
    ]
    table = _df_table(pd.DataFrame(rows), title)
    table.columns[0].no_wrap = True  # the factory id, whole
    out.print(table)


@app.command()
def circularity(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders."),
    json_out: Path | None = typer.Option(None, "--json", help="Write every indicator with its formula inputs."),
) -> None:
    """MCI, CTI, ISO 59020, loop and waste indicators per factory, and the portfolio MCI (mass-weighted)."""

    import pandas as pd

    from .. import atomic
    from ..assess import collect_files
    from ..circularity import circularity_report, portfolio_mci
    from ..load import load_checked

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
                    "loops": len(r["loops"]),
                    "product kg": r["material_flows"]["product_kg"],
                }
            )
    except LcaEngineError as exc:
        _fail(exc)
    df = pd.DataFrame(rows)
    shown = df.drop(columns=["product kg"]).copy()
    for col in ("circular inflow", "circular outflow", "material circularity"):
        shown[col] = shown[col].map(_pct)
    out.print(_df_table(shown, "Circularity per functional unit (shares by mass; MCI 0-1)", floats="{:.3f}"))
    from ..circularity import YIELD_NOTE
    from ..circularity.labels import WASTE_NOTE

    _print_figures(reports, _variant_figures(), "Project variants, yield-adjusted (not part of WBCSD CTI or ISO 59020)")
    out.print(f"note: {YIELD_NOTE}")
    _print_figures(reports, _waste_figures(), "Process waste per functional unit")
    out.print(f"note: {WASTE_NOTE}")
    micro = df[(df.system == MICRO_FACTORY) & df["MCI"].notna() & (df["product kg"] > 0)]
    if len(micro):
        value = portfolio_mci(list(zip(micro["product kg"], micro["MCI"], strict=True)))
        out.print(
            f"portfolio MCI of the {len(micro)} micro-factories, weighted by product mass per functional unit: "
            f"{value:.3f}"
        )
    notes = {n for r in reports.values() for n in r["mci"].get("notes", []) if "not stated" in n}
    for n in sorted(notes):
        err.print(styled("note:", "yellow", f" {n}"))
    if json_out:
        atomic.write_text(json_out, json.dumps(reports, indent=2, sort_keys=True, default=float))
        out.print(f"wrote {json_out}")


#: Plain headers of the Beyond Recycling columns printed.
BR_HEADERS = {
    "measure_label": "measure",
    "factory_value": "micro-factory",
    "baseline_value": "baseline",
    "baseline_status": "baseline status",
    "applies_as": "applies as",
    "source_id": "source",
}


def _print_beyond_recycling(fid: str, br) -> None:
    """Beyond Recycling rows for the micro-factory and, when given, its baseline, with the basis they share."""
    br = br.copy()
    br["target"] = [t + ("" if ok else " [to check]") for t, ok in zip(br.target, br.target_checked, strict=True)]
    cols = ["target", "measure_label", "factory_value", "status"]
    cols += ["baseline_value", "baseline_status"] if "baseline_value" in br else []
    shown = br[[*cols, "applies_as", "source_id"]].rename(columns=BR_HEADERS)
    out.print(_df_table(shown, f"{fid}: Beyond Recycling", floats="{:.3f}"))
    for basis in br["basis"].unique():
        out.print(f"basis: {basis}")


def _print_disagreements(w) -> None:
    """Every policy entry behind the tables on which sources disagree, as such."""
    found = [
        *zip(w.wfg.goal, w.wfg.goal_conflicts, strict=True),
        *zip(w.ways.way, w.ways.conflicts, strict=True),
        *zip(w.beyond_recycling.get("target", []), w.beyond_recycling.get("target_conflicts", []), strict=True),
        *zip(w.grants.criterion_id, w.grants.conflicts, strict=True),
    ]
    for name, conflicts in dict.fromkeys((n, c) for n, c in found if c):
        out.print(f"{name}: sources disagree: {conflicts}")


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

    import pandas as pd

    from .. import atomic
    from ..assess import assess_files, collect_files
    from ..results import _write_frame
    from ..wales import DISCLAIMER, assessment_alignment, load_policy, portfolio_alignment

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
        _print_beyond_recycling(fid, w.beyond_recycling)
        grants = w.grants[["criterion_id", "status", "figure", "source_id"]]
        out.print(_df_table(grants, f"{fid}: Circular Economy Fund criteria"))
        _print_disagreements(w)
        if w.not_stated:
            err.print(styled("not stated", "yellow", f" in {fid}: {', '.join(w.not_stated)}"))
    cited = {sid: src for w in found.values() for sid, src in w.sources.items()}
    out.print("Policy sources:")
    for sid, src in sorted(cited.items()):
        edition = f", {src['edition']}" if src.get("edition") else ""
        out.print(f"  [{sid}] {src['publisher']}: {src['title']}{edition}")
    fund = next((w.fund_status for w in found.values() if w.fund_status), None)
    if fund:
        out.print(f"Circular Economy Fund status [{fund['source_id']}]: {fund['note']}")
    out.print(DISCLAIMER)
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

    from ..limits import check_file_size
    from ..load import load_checked
    from ..reconciliation import reconcile_factory

    try:
        c = load_checked(file, strict_balance=False)
        measured = {}
        if measurements:
            try:
                check_file_size(measurements, what="measurements file")  # a pipe or device would block read_csv
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
        f"at 5 %; flagged: {', '.join(table[table.flag].flow) or 'none'}"
    )
    raise typer.Exit(0 if res.consistent else 3)
