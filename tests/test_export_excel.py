"""Brightway Excel export with uncertainty columns: every assumption range is a triangular distribution in the
columns bw2io's ExcelImporter reads (uncertainty type, loc, scale, shape, minimum, maximum), in the unit of each
Brightway row; it survives bw2io, bw2data and our own import."""

from __future__ import annotations

import math

import pytest

from lca_engine import load
from lca_engine.units import convert

from .conftest import EXAMPLES

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:bw2calc")
HOUSING = EXAMPLES / "housing_ebbw_vale_micro.toml"
COLUMNS = ["uncertainty type", "loc", "scale", "shape", "minimum", "maximum"]


def _expected(factory, catalog) -> dict[tuple[str, str], tuple[float, float, float]]:
    """(flow id, Brightway input or '') -> (loc, minimum, maximum) for every Brightway row of a flow with a range,
    converted here with pint to the factor's unit (kg for substances), not read from the export."""
    out = {}
    procs = set(factory.process_ids())
    for f in factory.flows:
        a = f.assumption
        if a is None or a.low == a.high:  # a point 'range' (e.g. the functional unit itself) is no distribution
            continue
        if f.background_keys and not (f.from_ in procs and f.to in procs):
            for key in f.background_keys:
                s = convert(1.0, f.unit, catalog.get(key).unit)
                out[(f.id, f"desnz-{catalog.year}::{key}")] = (f.amount * s, a.low * s, a.high * s)
        else:
            out[(f.id, "")] = (f.amount, a.low, a.high)
    return out


@pytest.fixture(scope="module")
def exported(catalog, tmp_path_factory):
    from lca_engine.bw.excel import write_bw_excel

    factory = load(HOUSING)
    out = tmp_path_factory.mktemp("excel") / "housing.xlsx"
    write_bw_excel(factory, out, catalog=catalog)
    return factory, out


def _rows(imp):
    """(flow id, input) -> exchange, for every exchange row of ours that bw2io parsed."""
    rows = {}
    for ds in imp.data:
        for e in ds["exchanges"]:
            fid = e.get("lca.id") if e.get("lca.record") == "flow" else e.get("lca.derived")
            if fid:
                link = e.get("input")
                link = "::".join(link) if isinstance(link, tuple) else link or ""
                rows[(fid, link if e["type"] == "technosphere" else "")] = e
    return rows


def test_header_has_every_uncertainty_column(exported):
    from openpyxl import load_workbook

    ws = load_workbook(exported[1], read_only=True).worksheets[0]
    headers = [list(r) for r in ws.iter_rows(values_only=True) if r and r[0] == "name"]
    assert headers and all(h[h.index("uncertainty type") :][: len(COLUMNS)] == COLUMNS for h in headers)


def test_bw2io_reads_the_distributions(exported, catalog):
    from bw2io import ExcelImporter

    from lca_engine.bw.excel import quiet

    factory, out = exported
    with quiet():
        imp = ExcelImporter(str(out))
    rows = _rows(imp)
    want = _expected(factory, catalog)
    assert len(want) >= 20  # the housing inventory states ranges on most of its flows
    for key, (loc, lo, hi) in want.items():
        e = rows[key]
        assert e.get("uncertainty type") == 5, (key, e)
        assert (e["loc"], e["minimum"], e["maximum"]) == pytest.approx((loc, lo, hi), rel=1e-12), key
        assert e.get("scale") is None and e.get("shape") is None
    plain = [k for k, e in rows.items() if k not in want]
    assert all("uncertainty type" not in rows[k] for k in plain)


def bw2io_write(path) -> None:
    """bw2io's ExcelImporter with its default strategies, nothing left unlinked, written to the current project."""
    from bw2io import ExcelImporter

    from lca_engine.bw.excel import quiet

    with quiet():
        imp = ExcelImporter(str(path))
        imp.apply_strategies()
        assert imp.statistics(print_stats=False)[2] == 0
        imp.write_database()


def test_distributions_survive_brightway_and_our_import(exported, catalog, tmp_path_factory, data_dir):
    """bw2io strategies + write_database keep the distributions on the stored exchanges; our reader gives the
    factory back with every assumption range."""
    import bw2data as bd

    from lca_engine.bw.calc import build
    from lca_engine.bw.excel import read_bw_excel
    from lca_engine.bw.project import activate

    factory, out = exported
    assert read_bw_excel(out) == factory
    root = tmp_path_factory.mktemp("bw")
    build([], catalog, root)  # our base, methods and desnz-2025, for the background links
    try:
        activate(root)
        bw2io_write(out)
        stored = {}
        for act in bd.Database(factory.id):
            for e in act.exchanges():
                fid = e.get("lca.id") if e.get("lca.record") == "flow" else e.get("lca.derived")
                if fid and e["type"] in ("technosphere", "biosphere"):
                    stored[(fid, "::".join(e.input.key) if e["type"] == "technosphere" else "")] = e
        want = {k: v for k, v in _expected(factory, catalog).items() if k[1]}
        assert want
        for key, (loc, lo, hi) in want.items():
            e = stored[key]
            assert e["uncertainty type"] == 5
            assert (e["loc"], e["minimum"], e["maximum"]) == pytest.approx((loc, lo, hi), rel=1e-12)
            assert math.isnan(e.get("scale", math.nan))
    finally:
        activate(data_dir)
