"""``lca-engine symbiosis``: waste of one factory matched to other factories' virgin inflows (the table), and
``lca-engine symbiosis what-if``: one link re-assessed in both factories. Prints; the logic is lca_engine.symbiosis."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.core import TyperGroup

from ..errors import LcaEngineError
from .common import DataDirOpt, _df_table, _fail, app, check_table_out, err, out, styled, write_table

MATCH = "match"


class _MatchByDefault(TyperGroup):
    """``lca-engine symbiosis FILE|DIR… --radius KM`` is ``lca-engine symbiosis match …``: a first argument that is
    not a subcommand (nor the help option) runs ``match``."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [MATCH, *args]
        return super().parse_args(ctx, args)


symbiosis_app = typer.Typer(
    cls=_MatchByDefault,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Industrial symbiosis: match factories' waste to other factories' virgin inflows of the same material "
    "class within a road radius (`symbiosis FILE|DIR… --radius KM`), or re-assess one link (`symbiosis what-if`).",
)
app.add_typer(symbiosis_app, name="symbiosis")

YearOpt = typer.Option(2025, "--year", help="DESNZ background data year (2023, 2024, 2025).")

#: The printed table: column → header (the written file keeps every column under its own name).
SHOWN = {
    "giver": "giver",
    "giver_flow": "waste",
    "receiver": "receiver",
    "receiver_flow": "replaces",
    "material_class": "class",
    "giver_quality": "quality",
    "t_per_year": "t/yr",
    "road_km": "road km",
    "virgin_avoided_kg_co2e": "virgin",
    "treatment_avoided_kg_co2e": "treatment",
    "secondary_burden_kg_co2e": "secondary",
    "transport_added_kg_co2e": "transport",
    "net_avoided_kg_co2e": "net",
    "giver_mci": "giver MCI",
    "receiver_mci": "receiver MCI",
}


#: Printed columns that are read or copied whole (ids, numbers): they never wrap.
WHOLE = (
    "giver",
    "waste",
    "receiver",
    "replaces",
    "class",
    "t/yr",
    "road km",
    "virgin",
    "treatment",
    "secondary",
    "transport",
    "net",
    "giver MCI",
    "receiver MCI",
)


#: The kg CO2e a year columns of a match, printed to 0.1 kg.
KG_COLUMNS = [c for c in SHOWN if c.endswith("_kg_co2e")]


def _mci(before, after) -> str:
    shown = ["n/a" if v is None or v != v else f"{v:.3f}" for v in (before, after)]
    return "→".join(shown)


def _kg(v) -> str:
    return "not counted" if v is None or v != v else f"{v:,.1f}"


def _shown(df):
    """The printed table: every cell a string (kg CO2e to 0.1, tonnes and km to 4 significant figures)."""
    t = df.assign(
        giver_mci=[_mci(b, a) for b, a in zip(df.giver_mci_before, df.giver_mci_after, strict=True)],
        receiver_mci=[_mci(b, a) for b, a in zip(df.receiver_mci_before, df.receiver_mci_after, strict=True)],
        t_per_year=df.t_per_year.map("{:.4g}".format),
        road_km=df.road_km.map("{:.4g}".format),
    )
    for col in (
        "virgin_avoided_kg_co2e",
        "treatment_avoided_kg_co2e",
        "secondary_burden_kg_co2e",
        "transport_added_kg_co2e",
    ):
        t[col] = df[col].map(_kg)
    t["net_avoided_kg_co2e"] = df.net_avoided_kg_co2e.map(_kg)
    return t[list(SHOWN)].rename(columns=SHOWN).astype(str)


def _print_matches(df, title: str, caption: str) -> None:
    """One table when it fits the terminal, else one block per match."""
    from .fit import blocks, fit

    shown = _shown(df)
    table = _df_table(shown, title, caption=caption)
    whole = [i for i, c in enumerate(shown.columns) if c in WHOLE]
    needed = fit(table, [list(shown[c]) for c in shown.columns], whole)
    # a header wraps between words only: its longest word widens a narrower column
    needed += sum(
        max(0, max(map(len, c.split())) - (col.min_width or 0)) for c, col in zip(shown, table.columns, strict=True)
    )
    if needed <= out.width:
        out.print(table)
    else:
        out.print(blocks(shown, title, caption))


@symbiosis_app.command(MATCH)
def match(
    paths: list[Path] = typer.Argument(..., help="Inventory files or folders (baselines are left out)."),
    radius: float = typer.Option(..., "--radius", help="Road distance within which factories may exchange, km."),
    year: int = YearOpt,
    out_file: Path | None = typer.Option(None, "--out", help="Write every column of the matches to FILE.csv|.parquet."),
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Each factory's waste matched to other factories' virgin inflows of the same class within --radius km of
    road (nearest first): tonnes a year, road km, kg CO2e a year avoided and added, both factories' MCI."""
    from ..symbiosis import find_matches

    try:
        check_table_out(out_file)
        s = find_matches(paths, radius, year=year, data_dir=data_dir)
        if out_file is not None:
            write_table(s.matches, out_file)
    except LcaEngineError as exc:
        _fail(exc)
    c = s.circuity
    caption = (
        f"kg CO2e per year (DESNZ {s.year}, AR5 GWP100): virgin production avoided, the giver's treatment avoided, "
        "the secondary material's own burden (its closed-loop factor), transport added, net avoided; road km = "
        f"great-circle km × circuity {c.value:g} ({c.status}; source {c.source}); MCI before→after this link "
        "alone. DESNZ waste-disposal factors are for reporting, not for comparing treatment routes."
    )
    title = f"Symbiosis matches within {s.radius_km:g} km of road: {len(s.matches)}"
    if len(s.matches):
        _print_matches(s.matches, title, caption)
    else:
        out.print(
            f"no symbiosis match within {s.radius_km:g} km of road: no waste outflow meets a virgin inflow of its class"
        )
    if len(s.unclassified):
        out.print(_df_table(s.unclassified, "Flows without a material class or mass (not matched)"))
    if out_file is not None:
        out.print(f"wrote {out_file}")


@symbiosis_app.command("what-if")
def what_if(
    giver_file: Path = typer.Argument(..., help="The giver's inventory file."),
    giver_flow: str = typer.Argument(..., help="The giver's waste flow id."),
    receiver_file: Path = typer.Argument(..., help="The receiver's inventory file."),
    receiver_flow: str = typer.Argument(..., help="The receiver's virgin inflow id."),
    tonnes: float | None = typer.Option(
        None, "--tonnes", help="Tonnes a year to send (default: the smaller of the supply and the demand)."
    ),
    year: int = YearOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Send the giver's waste flow to the receiver in place of part of its virgin inflow: both factories
    re-assessed with the link as a real flow (results per functional unit before and after, MCI, mass balance)."""
    from ..symbiosis import what_if as run

    try:
        w = run(giver_file, giver_flow, receiver_file, receiver_flow, t_per_year=tonnes, year=year, data_dir=data_dir)
    except LcaEngineError as exc:
        _fail(exc)
    k = w.link
    out.print(
        f"link: {k.t_per_year:.6g} t/yr of {k.giver}:{k.giver_flow} ({k.material_class}) to {k.receiver} in place "
        f"of {k.receiver_flow}, {k.road_km:.1f} km of road; {k.giver_kg_per_fu:.6g} kg per FU at the giver, "
        f"{k.receiver_kg_per_fu:.6g} kg per FU at the receiver; new flows: {', '.join(k.new_flows)}"
    )
    for note in k.notes:
        err.print(styled("note:", "yellow", f" {note}"))
    for fid, group in w.results.groupby("factory", sort=False):
        out.print(_df_table(group.drop(columns=["factory"]), f"{fid} per functional unit, before and after"))
    for fid, (before, after) in w.mci.items():
        out.print(f"{fid}: MCI {_mci(before, after)}")
    for c, b in zip(w.after, w.balances, strict=True):
        out.print(f"{c.factory.id}: mass balance after the link {'closed' if b.ok else 'NOT closed'}")
