"""Assess the shipped example micro-factories against their baselines with the Python API.

Run:  .venv/bin/python examples/assess_examples.py
Brightway data goes to ./.lca-engine (project-local) unless LCA_ENGINE_DATA_DIR is set.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("LCA_ENGINE_DATA_DIR", str(ROOT / ".lca-engine"))  # before lca_engine touches Brightway

import lca_engine as le  # noqa: E402


def main() -> None:
    result = le.assess_files([ROOT / "inventories" / "examples"], year=2025)
    comparison = result.comparison()
    headline = comparison[
        comparison.indicator.isin(["carbon", "energy_delivered", "water_withdrawal", "chemicals_total"])
    ]
    for _, row in headline.iterrows():
        change = "n/a" if row.relative_change != row.relative_change else f"{row.relative_change:+.1%}"
        print(
            f"{row.factory:28s} {row.indicator:18s} {row.micro_factory:10.4g} vs {row.baseline_value:10.4g} "
            f"{row.unit} per FU ({change})"
        )
    top = le.top_contributors(result.results, by="factor", n=3)
    for micro, _ in result.pairs:
        for loop in le.find_loops(result.checked[micro].factory):
            print(f"  loop in {micro}: {loop.label()} recirculates {loop.recirculated_kg:.4g} kg per FU")
        mine = top[(top.factory == micro) & (top.indicator == "carbon")]
        print(
            "  top carbon contributors:",
            ", ".join(f"{f} {v:.3g}" for f, v in zip(mine.factor, mine.value, strict=True)),
        )


if __name__ == "__main__":
    main()
