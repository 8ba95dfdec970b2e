"""The labels ``desnz.toml`` looks for in one year's flat file.

DESNZ renames a column now and then (the waste column "Combustion" of 2023 and 2024 is "Incineration with Energy
Recovery" in 2025), so any selector label in the mapping may be written once (the same label every year) or per
year (``{ 2023 = "Combustion", 2025 = "Incineration with Energy Recovery" }``). A label missing for a year, or
absent from that year's file, is an error naming the mapping file, the factor key, the year and the labels looked
for — never a fallback to another year's label or value.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BackgroundError

#: Flat-file columns a single factor may be selected by (each must match exactly).
SELECTOR_FIELDS = ("level1", "level2", "level3", "level4", "column_text", "uom")


def label(value: object, year: int, field: str, mapping: Path) -> str:
    """The label of ``field`` for ``year``: the string itself, or the year's entry of a per-year table."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        if str(year) in value:
            return value[str(year)]
        given = ", ".join(f'{y} = "{v}"' for y, v in sorted(value.items()))
        raise BackgroundError(
            f"no {year} label for {field} (labels given: {given})",
            fix=f'add {year} = "<the label as printed in the {year} flat file>" to {field} in {mapping.name}',
            file=str(mapping),
            field=field,
        )
    raise BackgroundError(
        f"{field} must be a label or a table of labels by year, not {value!r}",
        fix='write "<label>" or { 2024 = "<label>", 2025 = "<label>" }',
        file=str(mapping),
        field=field,
    )


def selector(spec: dict, year: int, where: str, mapping: Path) -> dict[str, str]:
    """The flat-file columns a single factor is selected by, with each label resolved for ``year``."""
    return {f: label(spec[f], year, f"{where}.{f}", mapping) for f in SELECTOR_FIELDS if f in spec}


def describe(sel: dict[str, str]) -> str:
    """'Level 1 "Fuels", Level 3 "LPG", UOM "kWh (Gross CV)"' — the labels looked for, as a reader finds them."""
    names = {"level1": "Level 1", "level2": "Level 2", "level3": "Level 3", "level4": "Level 4"}
    names |= {"column_text": "Column Text", "uom": "UOM"}
    return ", ".join(f'{names.get(k, k)} "{v}"' for k, v in sel.items())


def route_labels(spec: dict, family: str, year: int, mapping: Path) -> dict[str, str]:
    """{route: column label for ``year``} of one family."""
    return {
        route: label(value, year, f"families.{family}.routes.{route}", mapping)
        for route, value in spec["routes"].items()
    }


def check_route_columns(columns: set[str], labels: dict[str, str], family: str, spec: dict, year: int, mapping: Path):
    """Every route's column label must exist under the family's Level 1 in this year's file."""
    for route, col in labels.items():
        if col in columns:
            continue
        field = f"families.{family}.routes.{route}"
        raise BackgroundError(
            f'the {year} flat file has no column "{col}" under Level 1 "{spec["level1"]}" '
            f"(keys desnz.{family}.<item>.{route}); its columns there: {', '.join(sorted(columns))}",
            fix=f'name the label per year in {mapping.name}: {field} = {{ {year} = "<one of those>", ... }}',
            file=str(mapping),
            field=field,
        )


def family_key_labels(config: dict, key: str, year: int, mapping: Path) -> str:
    """The labels a family key (``desnz.<family>.<item>.<route>``) is looked up by in ``year``'s file."""
    parts = key.split(".")
    spec = config.get("families", {}).get(parts[1]) if len(parts) == 4 else None
    if spec is None or parts[3] not in spec["routes"]:
        return ""
    col = label(spec["routes"][parts[3]], year, f"families.{parts[1]}.routes.{parts[3]}", mapping)
    return f'Level 1 "{spec["level1"]}", item "{parts[2]}" (Level 3, as a slug), Column Text "{col}"'
