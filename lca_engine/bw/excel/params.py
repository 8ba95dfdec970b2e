"""Parameters and formulas of a foreign workbook, evaluated by Brightway itself.

bw2io keeps a workbook's project, database and activity parameters and each exchange's ``formula`` as read; only
bw2data evaluates them, once they are written into a project with ``activate_parameters=True``. So when a workbook
has any, :func:`evaluate_parameters` runs :mod:`.param_worker` in a child process on a scratch Brightway folder
inside the data folder (``<data dir>/tmp/parameters-*``, removed afterwards; the product's own project is never
touched and no global state of this process changes): bw2io writes the parameters and the formula exchanges,
bw2data recalculates them, and the evaluated amounts replace the cells' amounts. Each such exchange carries a note
with its formula and the values of the parameters it uses. A formula or parameter that fails is a user error at
its sheet and row naming the parameter and the names it cannot resolve.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ...errors import InventoryError
from .cells import _Locator
from .sheets import Sheets

#: Seconds the child may take (importing Brightway and writing a scratch project: a few seconds).
TIMEOUT = 300


def has_parameters(imp) -> bool:
    return bool(
        imp.project_parameters
        or getattr(imp, "database_parameters", None)
        or any(ds.get("parameters") for ds in imp.data)
        or any(e.get("formula") for ds in imp.data for e in ds.get("exchanges", []))
    )


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _params(items) -> list[dict]:
    """bw2io's parameters (a list, or activity parameters as {name: {...}}) as JSON-safe dicts."""
    if isinstance(items, dict):
        items = [{"name": k, **v} for k, v in items.items()]
    return [{k: _plain(v) for k, v in p.items()} for p in items or []]


def _job(imp) -> dict:
    return {
        "database": str(imp.db_name),
        "project": _params(imp.project_parameters),
        "database_parameters": _params(getattr(imp, "database_parameters", None)),
        "activities": [
            {
                "code": f"a{a}",
                "parameters": _params(ds.get("parameters")),
                "exchanges": [
                    {"i": e, "formula": str(x["formula"]), "type": str(x.get("type")), "amount": 0.0}
                    for e, x in enumerate(ds.get("exchanges", []))
                    if x.get("formula")
                ],
            }
            for a, ds in enumerate(imp.data)
        ],
    }


def _scratch_root() -> Path:
    from ..project import _active, default_data_dir

    return (Path(_active).parent if _active else default_data_dir()) / "tmp"


def _run(job: dict, path: Path) -> dict:
    root = _scratch_root()
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="parameters-", dir=root))
    env = {**os.environ, "BRIGHTWAY2_DIR": str(scratch / "brightway"), "LCA_ENGINE_DATA_DIR": str(scratch)}
    (scratch / "brightway").mkdir()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lca_engine.bw.excel.param_worker"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            env=env,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise InventoryError(
            f"Brightway did not finish evaluating the parameters within {TIMEOUT} s",
            fix="simplify the parameters, or replace the formulas by their values",
            file=str(path),
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"parameter evaluation failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return json.loads(lines[-1])


def evaluate_parameters(path: Path, imp, sheets: Sheets, loc: _Locator) -> None:
    """Replace each formula exchange's amount in ``imp.data`` by Brightway's evaluation, with a note saying so."""
    if not has_parameters(imp):
        return
    job = _job(imp)
    out = _run(job, path)
    if not out["ok"]:
        raise InventoryError(_failure(out, imp, sheets, loc, path))
    shared = {p["name"]: p.get("formula") for p in job["project"] + job["database_parameters"]}
    spread = {p["name"] for p in job["project"] + job["database_parameters"] if _has_distribution(p)} | {
        p["name"] for a in job["activities"] for p in a["parameters"] if _has_distribution(p)
    }
    for a, ds in enumerate(imp.data):
        amounts, values = out["amounts"].get(f"a{a}", {}), out["values"].get(f"a{a}", {})
        scope = {**out["values"]["project"], **out["values"]["database"], **values}
        formulas = shared | {p["name"]: p.get("formula") for p in job["activities"][a]["parameters"]}
        for e, x in enumerate(ds.get("exchanges", [])):
            if x.get("formula"):
                x["amount"] = float(amounts[str(e)])
                x.setdefault("notes", []).append(_note(x, scope, formulas, spread))


def _has_distribution(p: dict) -> bool:
    kind = p.get("uncertainty type")
    return isinstance(kind, int | float) and not isinstance(kind, bool) and kind > 1


def _used(formula: str, scope: dict, formulas: dict) -> list[str]:
    """The parameters ``formula`` uses, and those their formulas use in turn (bw2parameters' own parser)."""
    from bw2parameters import Interpreter

    found: list[str] = []
    todo = [formula]
    while todo:
        for name in sorted(Interpreter().get_symbols(todo.pop()) & set(scope)):
            if name not in found:
                found.append(name)
                todo += [formulas[name]] if formulas.get(name) else []
    return found


def _note(x: dict, scope: dict, formulas: dict, spread: set[str]) -> str:
    used = _used(str(x["formula"]), scope, formulas)
    given = ", ".join(f"{n} = {scope[n]:.6g}" + (f" (= {formulas[n]})" if formulas.get(n) else "") for n in used)
    note = f"amount = {x['formula']} = {x['amount']:.6g} (evaluated by Brightway)" + (f" with {given}" if given else "")
    uncertain = [n for n in used if n in spread]
    if uncertain:
        note += f"; {', '.join(uncertain)}: a distribution in the file, taken at the amount (not propagated)"
    return note


def _row(rows: dict, level: str, a: int | None, name: str, path: Path) -> dict:
    """Where parameter ``name`` of ``level`` is written: in activity ``a``'s table, else in any (a shared group)."""
    if (level, a, name) in rows:
        return rows[(level, a, name)]
    return next((w for (lv, _, n), w in rows.items() if lv == level and n == name), {"file": str(path)})


def _failure(out: dict, imp, sheets: Sheets, loc: _Locator, path: Path):
    from ...errors import Problem
    from .param_rows import parameter_rows

    rows = parameter_rows(sheets, str(path))
    a = int(out["code"][1:]) if out.get("code") else None
    level = "activity" if out["level"] in ("activity", "exchanges") else out["level"]
    unknown = out.get("unknown") or {}
    why = f"{out['error']}: {' '.join(str(out['message']).split())}"[:600]
    fix = "define the missing names (project, database or this activity's parameters) or correct the formula"
    problems = [
        Problem(
            f"parameter '{name}' cannot be evaluated by Brightway: its formula uses {', '.join(map(repr, names))}, "
            f"which no parameter in scope defines ({why})",
            fix=fix,
            **_row(rows, level, a, name, path),
        )
        for name, names in unknown.items()
    ]
    for f in out.get("formulas") or []:
        j, x = int(f["code"][1:]), imp.data[int(f["code"][1:])]["exchanges"][f["i"]]
        problems.append(
            Problem(
                f"the formula '{x['formula']}' of exchange '{x.get('name')}' cannot be evaluated by Brightway "
                f"({' '.join(f['error'].split())[:400]})",
                fix=fix,
                **loc.where(j, f["i"]),
            )
        )
    return problems or [
        Problem(
            f"Brightway cannot evaluate the {out['level']} parameters ({why})",
            fix=fix,
            **(loc.where(a) if a is not None else {"file": str(path)}),
        )
    ]
