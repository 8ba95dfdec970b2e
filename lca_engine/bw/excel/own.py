"""Read back our own exports: the lossless path (``lca.*`` columns carry every field)."""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...errors import InventoryError, LcaEngineError, Problem
from ...model import Factory, Flow, FunctionalUnit, Process, Site, Source, Stock
from ...units import convert
from .cells import (
    FLOW_TYPE,
    FU_CODE,
    STOCK_TYPE,
    ExcelImportWarning,
    P,
    _coerce_strings,
    _dec,
    _Locator,
    _pint_unit,
    _unflatten,
    _validation_problems,
)


def _lca(data: dict) -> dict:
    return {k[len(P) :]: _dec(v) for k, v in data.items() if isinstance(k, str) and k.startswith(P)}


def _read_own(path: Path, imp, meta: dict, loc: _Locator, functional_unit: str | None) -> Factory:
    fu_code = meta.get(f"{P}functional_unit.activity", FU_CODE)
    if functional_unit is not None:
        fu_names = {fu_code} | {ds.get("name") for ds in imp.data if ds.get("code") == fu_code}
        if functional_unit not in fu_names:
            raise InventoryError(
                f"this file is an lca-engine export whose functional-unit activity is '{fu_code}', "
                f"not '{functional_unit}'",
                fix="omit the functional unit for lca-engine exports",
                file=str(path),
            )
    head: dict[str, Any] = {}
    sources: dict[str, dict] = {}
    for k, v in meta.items():
        if not isinstance(k, str) or not k.startswith(P) or k in (f"{P}format", f"{P}year"):
            continue
        if k == f"{P}functional_unit.activity":
            continue
        m = re.fullmatch(rf"{re.escape(P)}sources\[(.*)\]\.(\w+)", k)
        if m:
            sources.setdefault(m.group(1), {})[m.group(2)] = v
        else:
            head[k[len(P) :]] = v
    data = _unflatten(head)
    data["sources"] = {sid: _coerce_strings(Source, s) for sid, s in sources.items()}
    for key, model in (("site", Site), ("functional_unit", FunctionalUnit)):
        if isinstance(data.get(key), dict):
            _coerce_strings(model, data[key])
    _coerce_strings(Factory, data)
    processes, flows, stocks = [], [], []
    problems: list[Problem] = []
    for a, ds in enumerate(imp.data):
        rec = _lca(ds)
        if rec.get("record") == "process":
            rec.pop("record")
            index = rec.pop("index", None)
            try:
                processes.append((index, Process.model_validate(_coerce_strings(Process, _unflatten(rec)))))
            except ValidationError as exc:
                problems += _validation_problems(exc, f"processes[{len(processes)}]", loc.where(a))
        for e, exc_data in enumerate(ds.get("exchanges", [])):
            rec = _lca(exc_data)
            kind = rec.pop("record", None)
            if kind not in ("flow", "stock") or "derived" in rec:
                continue
            index = rec.pop("index", None)
            model = Flow if kind == "flow" else Stock
            try:
                obj = model.model_validate(_coerce_strings(model, _unflatten(rec)))
            except ValidationError as err:
                problems += _validation_problems(err, f"{kind}s[{rec.get('id', '?')}]", loc.where(a, e))
                continue
            _check_bw_amount(obj, exc_data, loc.where(a, e))
            (flows if kind == "flow" else stocks).append((index, obj))
    if problems:
        raise InventoryError(problems)
    order = lambda item: (item[0] is None, item[0] if isinstance(item[0], int | float) else 0)  # noqa: E731
    data["processes"] = [p for _, p in sorted(processes, key=order)]
    data["flows"] = [f for _, f in sorted(flows, key=order)]
    data["stocks"] = [s for _, s in sorted(stocks, key=order)]
    try:
        return Factory.model_validate(data)
    except ValidationError as exc:
        raise InventoryError(_validation_problems(exc, "", {"file": f"{path} ['Database' block]"})) from None


def _check_bw_amount(obj, exc: dict, where: dict) -> None:
    """Warn when someone edited the Brightway amount of a row of ours: the lca.* cells are what counts."""
    want = obj.amount if isinstance(obj, Flow) else obj.change
    if exc.get("type") in ("technosphere", "biosphere"):  # amount in the Brightway unit: convert ours to it
        unit = _pint_unit(exc.get("unit"))
        try:
            want = convert(want, obj.unit, unit) if unit else None
        except LcaEngineError:
            want = None  # e.g. water given in kg, exported in m3: no plain conversion to compare with
    elif exc.get("type") not in (FLOW_TYPE, STOCK_TYPE):
        return
    got = exc.get("amount")
    if want is None or not isinstance(got, int | float) or isinstance(got, bool):
        return
    if not math.isclose(float(got), want, rel_tol=1e-9, abs_tol=1e-300):
        warnings.warn(
            f"{where.get('file')}:{where.get('line')}: the Brightway 'amount' {got} {exc.get('unit')} differs "
            f"from lca.amount {obj.amount if isinstance(obj, Flow) else obj.change} {obj.unit}; "
            "the lca.* cells are used (edit those)",
            ExcelImportWarning,
            stacklevel=4,
        )
