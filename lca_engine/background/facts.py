"""Open facts besides the DESNZ flat files (``inventories/background/facts.toml``): GWP sets and water/energy
factors DESNZ does not give — each value cited once, there."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..errors import BackgroundError
from ..tomlfile import read_toml

FACTS_PREFIX = "facts."


def facts_path(inventories: Path | None = None) -> Path:
    from .catalog import default_inventories_dir

    return (inventories or default_inventories_dir()) / "background" / "facts.toml"


@lru_cache(maxsize=4)
def load_facts(path: Path | None = None) -> dict:
    path = path or facts_path()
    data = read_toml(path, "facts file", BackgroundError, fix="restore inventories/background/facts.toml")
    for section in ("gwp100",):
        if section not in data:
            raise BackgroundError(f"section [{section}] missing", file=str(path), fix="restore the section")
    return data


def gwp(basis: str) -> dict[str, float]:
    """{'CO2': 1.0, 'CH4': …, 'N2O': …} for basis 'ar5' or 'ar6'."""
    table = load_facts()["gwp100"][basis]
    return {g: float(table[g]) for g in ("CO2", "CH4", "N2O")}
