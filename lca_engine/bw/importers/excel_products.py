"""Brightway 2.5 ``product`` nodes of a Brightway Excel background, folded into the processes that make them.

bw2io reads a workbook's ``type = product`` activities as nodes of their own and links the exchanges that name
them (a process's production, another process's input) to those nodes. A background's index lists what an
inventory may link, and bw2calc builds one row per product and one column per process: a process linked by an
inventory must be its own row. So each product node made by exactly one process becomes that process's reference
product: the production exchange points to the process itself, every exchange that takes the product takes the
process, and the product node goes (its name becomes the process's reference product, its unit the process's
unit). The matrices are the same up to the labels of their rows.

What cannot be folded is refused at its sheet and row: a product made by several processes (bw2calc would have
one row for several columns), a process making several products (multi-output: allocate it first), a product
some exchange takes but no process makes, a product node with exchanges of its own. A product node nothing makes
or takes is left out. The rows are found from the tags :func:`tag` puts on the data before bw2io's strategies
(activity block and exchange row of the workbook); :func:`untag` takes them off again once every check ran.
"""

from __future__ import annotations

from ...background.import_errors import WorkbookError
from ...errors import Problem

#: Tags on bw2io's data while its strategies run: the activity's block and the exchange's row in the workbook.
BLOCK, ROW = "lca_engine_block", "lca_engine_row"


def tag(data: list[dict]) -> None:
    for a, ds in enumerate(data):
        ds[BLOCK] = a
        for i, e in enumerate(ds.get("exchanges", [])):
            e[ROW] = i


def untag(data: list[dict]) -> None:
    for ds in data:
        ds.pop(BLOCK, None)
        for e in ds.get("exchanges", []):
            e.pop(ROW, None)


def _key(ds: dict) -> tuple:
    return (ds.get("database"), ds.get("code"))


def _product_types() -> set[str]:
    from bw2data.configuration import labels

    return set(labels.product_node_types)


def fold_products(data: list[dict], loc) -> list[dict]:
    """``data`` with each product node folded into its one maker (see the module doc); raises
    :class:`WorkbookError` naming every product node that cannot be folded."""
    kinds = _product_types()
    products = {_key(ds): ds for ds in data if ds.get("type") in kinds}
    if not products:
        return data
    makers: dict[tuple, list[tuple[dict, dict]]] = {p: [] for p in products}
    for ds in data:
        for e in _productions(ds, products) if _key(ds) not in products else []:
            makers[e.get("input")].append((ds, e))
    problems = _problems(data, products, makers, loc)
    if problems:
        raise WorkbookError(problems)
    maker = {p: made[0][0] for p, made in makers.items() if made}
    for p, ds in maker.items():
        ds["reference product"] = products[p].get("name")
        ds["unit"] = products[p].get("unit") or ds.get("unit")
    for ds in data:
        for e in ds.get("exchanges", []):
            if e.get("input") in maker:
                e["input"] = _key(maker[e["input"]])
    return [ds for ds in data if _key(ds) not in products]


def _productions(ds: dict, products: dict) -> list[dict]:
    return [e for e in ds.get("exchanges", []) if e.get("type") == "production" and e.get("input") in products]


def where(loc, ds: dict, e: dict | None = None) -> dict:
    block = ds.get(BLOCK)
    if block is None:
        return {"file": str(loc.path)}
    return loc.where(block, e.get(ROW) if e is not None else None)


def _problems(data: list[dict], products: dict, makers: dict, loc) -> list[Problem]:
    out: list[Problem] = []
    for p, ds in products.items():
        made, name = makers[p], products[p].get("name")
        if ds.get("exchanges"):
            out.append(_own_exchanges(loc, ds))
        if len(made) > 1:
            by = ", ".join(f"'{m.get('name')}'" for m, _ in made)
            out += [
                Problem(
                    f"product '{name}' is made by {len(made)} processes ({by}): a background has one maker per "
                    "product (bw2calc would have one product row for several process columns)",
                    fix=f"keep one production exchange naming '{name}' (give the other processes products of "
                    "their own, or make a market process that takes from each in shares)",
                    **where(loc, m, e),
                )
                for m, e in made
            ]
    for ds in data:
        out += _multi_output(loc, ds, products)
        out += _unmade(loc, ds, products, makers)
    return out


def _own_exchanges(loc, ds: dict) -> Problem:
    return Problem(
        f"product node '{ds.get('name')}' (type product) has exchanges of its own: a product node is what a "
        "process makes, it has no inputs or emissions",
        fix="move its exchanges to the process that makes it, or give the activity the type 'process'",
        **where(loc, ds),
    )


def _multi_output(loc, ds: dict, products: dict) -> list[Problem]:
    """A process whose productions include a product node and number more than one."""
    productions = [e for e in ds.get("exchanges", []) if e.get("type") == "production"]
    if len(productions) < 2 or not _productions(ds, products):
        return []
    names = ", ".join(f"'{e.get('name')}'" for e in productions)
    return [
        Problem(
            f"process '{ds.get('name')}' makes several products ({names}): a multi-output process has no single "
            "column in bw2calc's matrix",
            fix="allocate it first: one process per product, each with its share of the inputs and emissions",
            **where(loc, ds, productions[1]),
        )
    ]


def _unmade(loc, ds: dict, products: dict, makers: dict) -> list[Problem]:
    return [
        Problem(
            f"exchange '{e.get('name')}' of '{ds.get('name')}' takes product '{products[e['input']].get('name')}', "
            "which no process of the workbook makes (no production exchange names it)",
            fix=f"add the process that makes '{products[e['input']].get('name')}' (a production exchange naming it), "
            "or link the exchange to a process",
            **where(loc, ds, e),
        )
        for e in ds.get("exchanges", [])
        if e.get("type") != "production" and e.get("input") in products and not makers[e["input"]]
    ]
