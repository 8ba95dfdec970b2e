"""Run in a child process on a scratch Brightway folder: bw2io writes a workbook's parameters and formula
exchanges with ``activate_parameters=True`` and bw2data evaluates them; the evaluated amounts go back as JSON.

stdin: ``{"database", "project", "database_parameters", "activities": [{"code", "parameters", "exchanges":
[{"i", "formula", "amount", "type"}]}]}``. stdout: ``{"ok": true, "amounts": {code: {i: amount}}, "values":
{"project": {...}, "database": {...}, code: {...}}}`` or ``{"ok": false, "level", "code", "error", "message",
"unknown": {name: [names]}}`` (the level that failed, bw2parameters' exception type, the unknown names per
parameter found with bw2parameters' own parser). The parent (:mod:`.params`) never evaluates a formula itself.
"""

from __future__ import annotations

import json
import sys


def _unknown(items: list[dict], known: set[str]) -> dict[str, list[str]]:
    from bw2parameters import Interpreter

    names = known | {p["name"] for p in items}
    out = {}
    for p in items:
        missing = Interpreter().get_unknown_symbols(p.get("formula"), known_symbols=names)
        if missing:
            out[p["name"]] = sorted(missing)
    return out


def _step(level: str, code: str | None, items: list[dict], known: set[str], run) -> dict | None:
    try:
        run()
    except Exception as exc:  # any failure of bw2data/bw2parameters is reported with where it happened
        return {
            "ok": False,
            "level": level,
            "code": code,
            "error": type(exc).__name__,
            "message": str(exc),
            "unknown": _unknown(items, known),
        }
    return None


def _importer(job: dict):
    from bw2io import ExcelImporter

    imp = ExcelImporter.__new__(ExcelImporter)
    db = job["database"]
    imp.db_name, imp.metadata, imp.strategies = db, {}, []
    imp.project_parameters = job["project"] or None
    imp.database_parameters = job["database_parameters"] or None
    imp.data = [
        {
            "database": db,
            "code": a["code"],
            "name": a["code"],
            "exchanges": [
                {
                    **{k: v for k, v in x.items() if k != "amount"},
                    "amount": x.get("amount") or 0.0,
                    "input": (db, a["code"]),
                }
                for x in a["exchanges"]
            ],
        }
        for a in job["activities"]
    ]
    return imp


def evaluate(job: dict) -> dict:
    """bw2io's write (project, database, activity parameters; formula exchanges in their groups), then bw2data's
    recalculation group by group; a failure names its level and activity."""
    import bw2data as bd
    from bw2data.parameters import DatabaseParameter, ProjectParameter

    bd.projects.set_current("parameters")
    db, imp = job["database"], _importer(job)
    for a in imp.data:
        a["parameters"] = [dict(p) for p in _activity(job, a["code"])["parameters"]]
    project, database = [dict(p) for p in job["project"]], [dict(p) for p in job["database_parameters"]]
    failed = _step("project", None, project, set(), imp.write_project_parameters)
    failed = failed or _step("database", None, database, set(ProjectParameter.static()), lambda: _database(imp))
    if failed:
        return failed
    above = set(ProjectParameter.static()) | set(DatabaseParameter.static(db))
    groups, rows = _groups(imp)
    failed = _activity_groups(imp, groups, rows, above) or _formula_exchanges(job, db, groups, above)
    return failed or _read_back(job, db, groups)


#: group name → (codes of the activities whose parameters it holds, a copy of those parameters as written)
Groups = dict[str, tuple[list[str], list[dict]]]


def _groups(imp) -> tuple[Groups, dict[str, list[dict]]]:
    """Activity parameters by group as bw2io prepares them (group 'db:code' unless the sheet names one): what each
    group holds, and the prepared rows to write (bw2data's write takes keys out of those dicts)."""
    held: Groups = {}
    rows: dict[str, list[dict]] = {}
    for p in imp._prepare_activity_parameters(imp.data, True):
        codes, items = held.setdefault(p["group"], ([], []))
        codes += [] if p["code"] in codes else [p["code"]]
        items.append(dict(p))
        rows.setdefault(p["group"], []).append(p)
    return held, rows


def _group_of(groups: Groups, db: str, code: str) -> str:
    return next((g for g, (codes, _) in groups.items() if code in codes), f"{db}:{code}")


def _activity_groups(imp, groups: Groups, rows: dict[str, list[dict]], above: set[str]) -> dict | None:
    for group in sorted(groups):
        codes, items = groups[group]
        failed = _step("activity", codes[0], items, above, lambda g=group: imp._write_activity_parameters(rows[g]))
        if failed:
            return failed
    return None


def _formula_exchanges(job: dict, db: str, groups: Groups, above: set[str]) -> dict | None:
    from bw2data.parameters import ActivityParameter, parameters

    for a in job["activities"]:
        if not any(x.get("formula") for x in a["exchanges"]):
            continue
        group = _group_of(groups, db, a["code"])

        def run(g=group, c=a["code"]):
            parameters.add_exchanges_to_group(g, (db, c))
            ActivityParameter.recalculate_exchanges(g)

        items = groups[group][1] if group in groups else []
        failed = _step("exchanges", a["code"], items, above, run)
        if failed:
            return {**failed, "unknown": {}, "formulas": _failing_formulas(job, group, groups, db)}
    return None


def _failing_formulas(job: dict, group: str, groups: Groups, db: str) -> list[dict]:
    """Which formula exchanges of ``group`` fail, each tried alone as bw2data's recalculate_exchanges runs it (its
    interpreter, with the group's parameters and those above in its symbol table)."""
    from bw2data.parameters import ActivityParameter, get_interpreter

    try:
        symbols = ActivityParameter.static(group, full=True)
    except Exception:  # the group itself is broken: every formula of it is named
        symbols = {}
    codes = groups[group][0] if group in groups else [group.removeprefix(f"{db}:")]
    out = []
    for a in job["activities"]:
        for x in a["exchanges"] if a["code"] in codes else []:
            interpreter = get_interpreter()
            interpreter.symtable.update(symbols)
            try:
                interpreter(x["formula"])
            except Exception as exc:  # reported per exchange, with the names it cannot resolve
                missing = sorted(get_interpreter().get_unknown_symbols(x["formula"], known_symbols=set(symbols)))
                why = f"uses {', '.join(map(repr, missing))}, which no parameter in scope defines; " if missing else ""
                out.append({"code": a["code"], "i": x["i"], "error": f"{why}{type(exc).__name__}: {exc}"})
    return out


def _read_back(job: dict, db: str, groups: Groups) -> dict:
    import bw2data as bd
    from bw2data.parameters import ActivityParameter, DatabaseParameter, ProjectParameter

    amounts = {act["code"]: {str(x["i"]): x["amount"] for x in act.exchanges() if "i" in x} for act in bd.Database(db)}
    values = {"project": ProjectParameter.static(), "database": DatabaseParameter.static(db)}
    for a in job["activities"]:
        group = _group_of(groups, db, a["code"])
        values[a["code"]] = ActivityParameter.static(group, full=True) if group in groups else {}
    return {"ok": True, "amounts": amounts, "values": values}


def _activity(job: dict, code: str) -> dict:
    return next(a for a in job["activities"] if a["code"] == code)


def _database(imp) -> None:
    """The activities (formula exchanges only, each pointing to its own activity), then the database parameters."""
    import bw2data as bd

    db = bd.Database(imp.db_name)
    db.register()
    db.write({(imp.db_name, a["code"]): {k: v for k, v in a.items() if k != "parameters"} for a in imp.data})
    imp.write_database_parameters(activate_parameters=True)


def main() -> None:
    job = json.loads(sys.stdin.read())
    try:
        out = evaluate(job)
    except Exception as exc:  # reported to the parent, which turns it into a user error naming the file
        out = {
            "ok": False,
            "level": "write",
            "code": None,
            "error": type(exc).__name__,
            "message": str(exc),
            "unknown": {},
        }
    sys.stdout.write("\n" + json.dumps(out, default=float))


if __name__ == "__main__":
    main()
