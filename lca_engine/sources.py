"""The source registry: ``sources.toml`` files that numbers cite by id."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from .errors import InventoryError, Problem
from .inventory import field_path, locate
from .model import Source
from .tomlfile import read_toml


def load_sources(path: str | Path) -> dict[str, Source]:
    """The sources of one ``sources.toml``; read once per version of the file (path, modification time, size):
    every inventory of a portfolio folder cites the same shipped registry."""
    path = Path(path)
    stat = path.stat() if path.is_file() else None
    if stat is None:
        return _read_sources(path)
    return dict(_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=64)
def _cached(path: str, mtime_ns: int, size: int) -> dict[str, Source]:
    return _read_sources(Path(path))


def _read_sources(path: Path) -> dict[str, Source]:
    data = read_toml(path, "sources file", fix="give an existing sources.toml")
    text = path.read_text(encoding="utf-8")  # for the line numbers of entry errors
    out, problems = {}, []
    for sid, entry in data.items():
        try:
            out[sid] = Source.model_validate(entry)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (sid, *err["loc"])
                problems.append(
                    Problem(
                        err["msg"],
                        fix="every source needs publisher, title and licence",
                        file=str(path),
                        field=field_path(loc),
                        line=locate(text, loc[:1]),
                    )
                )
    if problems:
        raise InventoryError(problems)
    return out


def sources_for(inventory_file: str | Path | None, shipped: Path | None = None) -> dict[str, Source]:
    """Shipped sources, overlaid by every ``sources.toml`` from the filesystem root down to the file's folder."""
    from .background import default_inventories_dir

    registry: dict[str, Source] = {}
    shipped_file = (shipped or default_inventories_dir()) / "sources.toml"
    if shipped_file.exists():
        registry.update(load_sources(shipped_file))
    if inventory_file is not None:
        folder = Path(inventory_file).resolve().parent
        for parent in reversed([folder, *folder.parents]):
            candidate = parent / "sources.toml"
            if candidate.exists() and candidate.resolve() != shipped_file.resolve():
                registry.update(load_sources(candidate))
    return registry
