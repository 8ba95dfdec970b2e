"""Brightway Excel export of an inventory linked to an imported background (issue 18): the linked flow's
Brightway row names the background's own database and activity code, which exist in the project, and our reader
gives back the same link (the EcoSpold 1 fixture import, tests/fixtures/bw2io)."""

from __future__ import annotations

import pytest

from lca_engine import load

from .test_background_link_formats import ABS_NAME, CASES, imported, write_linked
from .test_export_excel import bw2io_write

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:bw2calc")


@pytest.fixture(scope="module")
def exported(data_dir, catalog, tmp_path_factory):
    from lca_engine.bw.excel import write_bw_excel
    from lca_engine.bw.project import activate

    case = imported(data_dir, CASES["ecospold1"])
    activate(data_dir)  # the project the background was imported into
    folder = tmp_path_factory.mktemp("xl-link")
    factory = load(write_linked(folder, case.key))
    out = folder / "linked.xlsx"
    write_bw_excel(factory, out, catalog=catalog)
    return case, factory, out


def _rows(path, flow: str) -> list[dict]:
    """The exchange rows of flow ``flow`` as bw2io's ExcelImporter parses them (no strategies)."""
    from bw2io import ExcelImporter

    from lca_engine.bw.excel import quiet

    with quiet():
        imp = ExcelImporter(str(path))
    return [e for ds in imp.data for e in ds["exchanges"] if e.get("lca.id") == flow]


def _yarn_row(path) -> dict:
    (row,) = _rows(path, "yarn")
    return row


def test_linked_flow_is_written_as_the_backgrounds_own_activity(exported):
    import bw2data as bd

    case, _, out = exported
    row = _yarn_row(out)
    db = f"bg-{case.name}"
    database, code = row["input"].split("::")  # (bw2io's strategies make it a tuple)
    node = bd.get_node(database=db, code=code)  # an activity of the project, not a desnz-<year> key
    assert database == db and row["database"] == db and row["type"] == "technosphere"
    assert (node["name"], node["location"], node["unit"]) == (ABS_NAME, "RNA", "kilogram")
    assert (row["name"], row["location"], row["unit"]) == (ABS_NAME, "RNA", "kilogram")
    assert row["amount"] == pytest.approx(0.5, rel=1e-15)  # 0.5 kg of yarn, the activity being per kilogram
    assert row["lca.background"] == case.key


def test_the_export_reads_back_to_the_same_link(exported):
    from lca_engine.bw.excel import read_bw_excel

    case, factory, out = exported
    back = read_bw_excel(out)
    assert back == factory
    (yarn,) = [f for f in back.flows if f.id == "yarn"]
    assert yarn.background_keys == [case.key]


def test_shipped_factors_still_link_to_desnz(exported):
    _, _, out = exported
    assert [e["input"] for e in _rows(out, "power")] == ["desnz-2025::desnz.electricity.uk"]


def test_bw2io_links_the_export_to_the_imported_background(exported):
    """bw2io's own strategies on the exported file (parse and link only, nothing written): the linked flow's
    exchange points at the background's activity, and nothing is left unlinked."""
    import bw2data as bd
    from bw2io import ExcelImporter

    from lca_engine.bw.excel import quiet

    case, _, out = exported
    with quiet():
        imp = ExcelImporter(str(out))
        imp.apply_strategies()
        assert imp.statistics(print_stats=False)[2] == 0
    (yarn,) = [e for ds in imp.data for e in ds["exchanges"] if e.get("lca.id") == "yarn"]
    assert bd.get_node(database=yarn["input"][0], code=yarn["input"][1])["name"] == ABS_NAME
    assert yarn["input"][0] == f"bg-{case.name}"


def test_brightway_computes_our_result_from_the_export_and_its_export_reads_back(exported, catalog, data_dir, tmp_path):
    """In a fresh project holding desnz-2025 and the same background import: bw2io writes the exported inventory,
    bw2calc's score of its functional unit is our carbon_ipcc2021 (the link counted through the background's own
    activity), and bw2io's own write_lci_excel of that database reads back to the same factory."""
    import bw2calc as bc
    import bw2data as bd
    from bw2io.export.excel import write_lci_excel

    from lca_engine import assess
    from lca_engine.bw.calc import build
    from lca_engine.bw.excel import quiet, read_bw_excel
    from lca_engine.bw.project import activate
    from lca_engine.indicators import INDICATORS

    case, factory, out = exported
    ours = assess(factory, data_dir=data_dir, indicators=["carbon_ipcc2021"], strict_balance=False)
    root = tmp_path / "fresh"
    imported(root, case)
    build([], catalog, root)  # our base, methods and desnz-2025
    try:
        activate(root)
        bw2io_write(out)
        lca = bc.LCA({bd.get_node(database=factory.id, code="functional-unit"): 1.0},
                     method=INDICATORS["carbon_ipcc2021"].method)  # fmt: skip
        lca.lci()
        lca.lcia()
        assert lca.score == pytest.approx(ours.total(factory.id, "carbon_ipcc2021"), rel=1e-6)
        with quiet():
            again = write_lci_excel(factory.id, dirpath=str(tmp_path))
        assert read_bw_excel(again) == factory
    finally:
        activate(data_dir)
