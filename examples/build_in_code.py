"""Script an inventory in Python, save it as TOML, and assess it against a baseline also built in code.

Run:  .venv/bin/python examples/build_in_code.py [output-folder]
The numbers are illustrative engineering assumptions (marked as such), not data.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("LCA_ENGINE_DATA_DIR", str(ROOT / ".lca-engine"))

import lca_engine as le  # noqa: E402


def assumption(why: str, low: float, high: float) -> le.Assumption:
    return le.Assumption(reasoning=why, low=low, high=high)


def flow(fid: str, src: str, dst: str, kind: str, amount: float, unit: str, **kw) -> le.Flow:
    """`from` is a Python keyword: in code a flow's `from` is `from_` (a mistake raises le.InventoryError)."""
    return le.Flow(id=fid, from_=src, to=dst, kind=kind, amount=amount, unit=unit, **kw)


def tray_plant(kind: str, fibre_origin: str, kwh: float, reject_share: float) -> le.Factory:
    """1000 moulded-pulp trays of 20 g; rejects are re-pulped in-plant (a loop)."""
    product_kg = 20.0
    rejects = product_kg * reject_share
    fibre_key = "desnz.material.paper_and_board_board." + ("closed_loop" if fibre_origin == "recycled" else "primary")
    return le.Factory(
        id=f"trays-{kind}",
        name=f"Moulded-pulp trays ({kind})",
        sector="eco-packaging",
        system="micro-factory" if kind == "micro" else "baseline",
        baseline="trays-baseline.toml" if kind == "micro" else None,
        site=le.Site(name="Bridgend", lat=51.5043, lon=-3.5769),
        functional_unit=le.FunctionalUnit(amount=1000, unit="item", description="1000 moulded-pulp trays, 20 g each"),
        processes=[le.Process(id="pulp", name="Pulping"), le.Process(id="mould", name="Moulding and drying")],
        flows=[
            flow(
                "fibre",
                "market",
                "pulp",
                "material",
                product_kg,
                "kg",
                origin=fibre_origin,
                background=fibre_key,
                assumption=assumption("fibre mass equals product mass at steady state", 19, 21),
            ),
            flow(
                "pulp_out",
                "pulp",
                "mould",
                "material",
                product_kg + rejects,
                "kg",
                assumption=assumption("product plus re-pulped rejects", 19, 30),
            ),
            flow(
                "rejects",
                "mould",
                "pulp",
                "waste",
                rejects,
                "kg",
                assumption=assumption("reject share of moulded trays, illustrative", 0, 6),
            ),
            flow(
                "power",
                "market",
                "mould",
                "energy",
                kwh,
                "kWh",
                background="desnz.electricity.uk",
                assumption=assumption("moulding and drying electricity, illustrative", 5, 80),
            ),
            flow(
                "trays",
                "mould",
                "market",
                "product",
                1000,
                "item",
                mass_per_unit="0.02 kg/item",
                assumption=assumption("tray mass, illustrative", 0, 1000),
            ),
        ],
    )


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="lca-engine-example-"))
    micro = tray_plant("micro", "recycled", kwh=22.0, reject_share=0.05)
    base = tray_plant("baseline", "virgin", kwh=30.0, reject_share=0.10)
    le.save(micro, out / "trays-micro.toml")
    le.save(base, out / "trays-baseline.toml")
    assert le.load(out / "trays-micro.toml") == micro  # lossless round trip
    from_code = le.assess(micro, base)
    from_files = le.assess_files([out / "trays-micro.toml"])
    print(from_code.comparison()[["factory", "baseline", "micro_factory", "baseline_value", "relative_change"]])
    assert abs(from_code.total("trays-micro") - from_files.total("trays-micro")) < 1e-9
    print(f"saved to {out}; loops: {[lp.label() for lp in le.find_loops(micro)]}")


if __name__ == "__main__":
    main()
