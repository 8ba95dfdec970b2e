"""Every circularity figure of the shipped examples (six micro-factories and their baselines) as one JSON table.

Used for the issue-22 closing note: run before and after a change and compare
(``.venv/bin/python benchmarks/circularity_table.py > before.json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lca_engine import load
from lca_engine.circularity import circularity_report

EXAMPLES = Path(__file__).resolve().parents[1] / "inventories" / "examples"


def figures(report: dict) -> dict[str, float | None]:
    """Flatten one circularity report to {section.indicator: value} (loops: summed per key)."""
    out = {"mci": report["mci"]["value"]}
    for section in ("cti", "iso59020", "waste"):
        for key, ind in report[section].items():
            if isinstance(ind, dict) and "value" in ind:
                out[f"{section}.{key}"] = ind["value"]
    for key in ("share_of_material_inflow", "share_of_water_use"):
        vals = [lp.get(key) for lp in report["loops"] if lp.get(key) is not None]
        out[f"loops.{key} (sum)"] = sum(vals) if vals else None
    return out


def main() -> None:
    table = {}
    for path in sorted(EXAMPLES.glob("*.toml")):
        f = load(path)
        table[f.id] = figures(circularity_report(f))
    json.dump(table, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
