"""Units of a Brightway Excel background, as Brightway reads them: an exchange's unit is its input's.

An exchange row without a unit is linked to the one activity of the workbook with its name and location (bw2io's
linking hashes the unit too, so it stayed unlinked) and takes that activity's unit, as bw2data does when it builds
the matrices. An activity without a unit (bw2io writes 'Unknown') cannot be linked by an inventory (a link's amount
is converted into it) and is refused at its sheet and row, with the exchange rows that take it. Runs on bw2io's
data after its strategies (units normalised, exchanges linked), before the rows' tags are taken off.
"""

from __future__ import annotations

from ...background.import_errors import WorkbookError
from ...errors import Problem
from .excel_products import where

#: Exchange types whose unit is their input activity's.
TECHNOSPHERE = ("production", "technosphere", "substitution")
#: What bw2io leaves for a unit the file does not give ('Unknown' for an activity).
MISSING = (None, "", "Unknown")


def link_unitless(data: list[dict]) -> list[dict]:
    """Each unlinked exchange without a unit → the one activity of the same name and location, if one."""
    by_place: dict[tuple, list[dict]] = {}
    for ds in data:
        by_place.setdefault((ds.get("name"), ds.get("location")), []).append(ds)
    for ds in data:
        for e in ds.get("exchanges", []):
            if e.get("type") in TECHNOSPHERE and not e.get("input") and e.get("unit") in MISSING:
                found = by_place.get((e.get("name"), e.get("location") or ds.get("location")), [])
                if len(found) == 1:
                    e["input"] = (found[0].get("database"), found[0].get("code"))
    return data


def fill_units(data: list[dict], loc) -> list[dict]:
    by_key = {(ds.get("database"), ds.get("code")): ds for ds in data}
    problems = [_no_unit(loc, ds) for ds in data if ds.get("unit") in MISSING]
    for ds in data:
        for e in ds.get("exchanges", []):
            provider = by_key.get(e.get("input")) if e.get("type") in TECHNOSPHERE else None
            if provider is None or e.get("unit") not in MISSING:
                continue
            if provider.get("unit") not in MISSING:
                e["unit"] = provider["unit"]
            else:
                problems.append(_takes_no_unit(loc, ds, e, provider))
    if problems:
        raise WorkbookError(problems)
    return data


def _no_unit(loc, ds: dict) -> Problem:
    return Problem(
        f"activity '{ds.get('name')}' has no unit: an inventory linked to it could not say how much it takes",
        fix="add a row 'unit | <unit of its product>' (e.g. kilogram) to the activity's metadata",
        **where(loc, ds),
    )


def _takes_no_unit(loc, ds: dict, e: dict, provider: dict) -> Problem:
    return Problem(
        f"exchange '{e.get('name')}' of '{ds.get('name')}' has no unit, and neither has the activity "
        f"'{provider.get('name')}' it links to",
        fix=f"fill in the unit of this row and give '{provider.get('name')}' its unit (a 'unit' row)",
        **where(loc, ds, e),
    )
