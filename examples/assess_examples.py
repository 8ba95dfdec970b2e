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
    for _, row in comparison.iterrows():
        print(
            f"{row.factory:32s} {row.micro_factory:10.3f} vs {row.baseline_value:10.3f} {row.unit} per FU "
            f"({row.relative_change:+.1%})  [{row.functional_unit}]"
        )
    for micro, _ in result.pairs:
        loops = le.find_loops(result.checked[micro].factory)
        for loop in loops:
            print(f"  loop in {micro}: {loop.label()} recirculates {loop.recirculated_kg:.4g} kg per FU")
        top = result.results.query("factory == @micro and contributor_type == 'factor'").nlargest(3, "value")[
            ["contributor", "value"]
        ]
        print("  top background contributors:", ", ".join(f"{c} {v:.3g}" for c, v in top.itertuples(index=False)))


if __name__ == "__main__":
    main()
