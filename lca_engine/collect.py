"""Which inventory files a list of paths names (folders expanded), without reading them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .errors import InventoryError


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders to their ``*.toml`` inventories (sorted; ``sources.toml`` is not an inventory)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = sorted(x for x in p.glob("*.toml") if x.name != "sources.toml")
            if not found:
                raise InventoryError(
                    "folder holds no .toml inventories", fix="name a folder of inventories", file=str(p)
                )
            out.extend(found)
        else:
            out.append(p)
    seen, unique = set(), []
    for p in out:
        if p.resolve() not in seen:
            seen.add(p.resolve())
            unique.append(p)
    return unique
