"""Brightway Excel as a background (issue 18): bw2io's own test workbooks (tests/fixtures/bw2io/excel) and copies
of them with rows added here. Product nodes (Brightway 2.5 ``type = product``) are folded into the processes that
make them, so an inventory linked to a process assesses; parameters and formulas are evaluated by Brightway itself
(as for a foreground); what cannot be imported is refused at its sheet and row with the project unchanged.

Expected numbers come from the workbook's cells read here with openpyxl and a numpy solve: product nodes mapped to
the process whose production row names them, A s = e_j, score = c · B s with the IPCC 2021 factors of the project's
method for the biosphere3 flows the rows name."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from lca_engine.background.import_errors import WorkbookError
from lca_engine.background.imported import load_index, load_meta
from lca_engine.background_import import import_background

from .cli_run import invoke
from .conftest import DATA, ROOT
from .test_background_import import LICENCE, snapshot
from .test_excel_foreign_fixtures import cells

FIXTURES = ROOT / "tests" / "fixtures" / "bw2io" / "excel"
HEAD = ["name", "amount", "unit", "database", "categories", "location", "type", "uncertainty type"]


# ------------------------------------------------------------------------------------ workbooks and their cells
def _row_of(ws, first: str, type_: str | None = None) -> int:
    """The row whose first cell is ``first`` (and whose type column, G, is ``type_`` when given)."""
    return next(
        r
        for r in range(1, ws.max_row + 1)
        if ws.cell(r, 1).value == first and (type_ is None or ws.cell(r, 7).value == type_)
    )


def _insert(ws, at: int, rows: list[list]) -> None:
    ws.insert_rows(at, len(rows))
    for i, row in enumerate(rows):
        for j, v in enumerate(row, start=1):
            ws.cell(at + i, j, v)


def with_emissions(path: Path) -> Path:
    """with_products.xlsx with emissions added: A emits 0.25 kg fossil CO2; D 0.1 kg CO2 and 0.002 kg fossil
    methane; C (no exchanges in the file) gets its production row and 0.6 kg CO2 per kWh."""
    from openpyxl import load_workbook

    wb = load_workbook(FIXTURES / "with_products.xlsx")
    first, other = wb["first process"], wb["other processes"]
    co2 = ["Carbon dioxide, fossil", None, "kilogram", "biosphere3", "air", None, "biosphere", 0]
    _insert(first, _row_of(first, "Methanol", "technosphere") + 1, [[co2[0], 0.25, *co2[2:]]])
    ch4 = ["Methane, fossil", 0.002, "kilogram", "biosphere3", "air", None, "biosphere", 0]
    _insert(other, _row_of(other, "Electricity, at Grid, US, 2008", "technosphere") + 1, [[co2[0], 0.1, *co2[2:]], ch4])
    elec = ["Electricity, at Grid, US, 2008", 1, "kilowatt hour", "Product example", "Utilities::Utilities", "RNA"]
    unit_c = next(r for r in range(1, other.max_row + 1) if other.cell(r, 2).value == "kilowatt hour")
    _insert(other, unit_c + 1, [["Exchanges"], HEAD, [*elec, "production", 0], [co2[0], 0.6, *co2[2:]]])
    wb.save(path)
    return path


def read_cells(path: Path) -> list[dict]:
    """Activities as {name, type, exchanges: [{name, amount, type, categories …}]}, read from the cells."""
    return cells(str(path))  # an absolute path: FIXTURES / path is the path itself


def numpy_system(acts: list[dict]) -> tuple[list[str], np.ndarray, list[tuple], np.ndarray]:
    """Process names, A (production on the diagonal, default 1; inputs negative) and B (emissions) from the cells;
    an exchange naming a product node goes to the process whose production row names that product."""
    maker = {x["name"]: a["name"] for a in acts for x in a["exchanges"] if x["type"] == "production"}
    processes = [a for a in acts if a["type"] != "product"]
    code = {a["name"]: a["name"] for a in processes} | maker
    index = {a["name"]: i for i, a in enumerate(processes)}
    flows = sorted({(x["name"], x["categories"]) for a in acts for x in a["exchanges"] if x["type"] == "biosphere"})
    A, B = np.eye(len(processes)), np.zeros((len(flows), len(processes)))
    for a in processes:
        j = index[a["name"]]
        for x in a["exchanges"]:
            if x["type"] == "production":
                A[j, j] = x["amount"]
            elif x["type"] == "technosphere":
                A[index[code[x["name"]]], j] -= x["amount"]
            elif x["type"] == "biosphere":
                B[flows.index((x["name"], x["categories"])), j] += x["amount"]
    return list(index), A, flows, B


def ipcc2021(flows: list[tuple]) -> np.ndarray:
    import bw2data as bd

    from lca_engine.bw.methods import indicator_cfs

    cfs = dict(indicator_cfs("carbon_ipcc2021"))
    nodes = [bd.get_node(database="biosphere3", name=n, categories=(c,)) for n, c in flows]
    return np.array([cfs.get(("biosphere3", node["code"]), 0.0) for node in nodes])


# ------------------------------------------------------------------------------------ product nodes
@pytest.fixture(scope="module")
def products_bg(data_dir, tmp_path_factory) -> tuple[str, Path]:
    name = "xl-products"
    path = with_emissions(tmp_path_factory.mktemp("xl") / "with_products_emissions.xlsx")
    if load_meta(data_dir, name) is None:
        import_background(path, name, LICENCE, data_dir=data_dir)
    return name, path


def test_product_nodes_fold_into_their_makers(data_dir, products_bg):
    """The index lists the three processes (each with the product node it makes as reference product), not the
    product nodes B and E; bw2calc's supply for one unit of A is the numpy solve of the cells (bw2io's own test:
    A 1, D 0.539, C 0.539 × 0.00805)."""
    import bw2calc as bc
    import bw2data as bd

    name, path = products_bg
    assert sorted((a.code, a.name, a.product, a.unit) for a in load_index(data_dir, name)) == [
        ("A", "Acetic acid, at plant", "Acetic acid", "kilogram"),
        ("C", "Electricity, at Grid, US, 2008", "Electricity, at Grid, US, 2008", "kilowatt hour"),
        ("D", "Methanol, at plant", "Methanol", "kilogram"),
    ]
    names, A, _, _ = numpy_system(read_cells(path))
    acetic, methanol, elec = "Acetic acid, at plant", "Methanol, at plant", "Electricity, at Grid, US, 2008"
    s = dict(zip(names, np.linalg.solve(A, np.eye(len(names))[names.index(acetic)]), strict=True))
    assert s == pytest.approx({acetic: 1, methanol: 0.539, elec: 0.539 * 0.00805}, rel=1e-12)
    lca = bc.LCA({bd.get_node(database=f"bg-{name}", code="A"): 1})
    lca.lci()
    assert lca.technosphere_matrix.shape == (3, 3)
    supply = {bd.get_node(id=k)["name"]: lca.supply_array[i] for k, i in lca.dicts.activity.items()}
    assert supply == pytest.approx(s, rel=1e-6)  # bw2calc's float32 matrix


def _linked_inventory(folder: Path, key: str) -> Path:
    """tiny_micro with its 0.5 kg of yarn bought from ``key`` (its baseline copied beside it)."""
    text = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    text = text.replace('background = "desnz.material.clothing.primary"', f'background = "{key}"', 1)
    (folder / "tiny_micro.toml").write_text(text, encoding="utf-8")
    shutil.copy(DATA / "tiny_baseline.toml", folder)
    return folder / "tiny_micro.toml"


@pytest.mark.parametrize("link", ["A", "Acetic acid, at plant|Acetic acid|RNA", "D"])
def test_an_inventory_linked_to_a_process_equals_the_numpy_solve(data_dir, products_bg, tmp_path, link):
    """Was exit 4 (bw2calc NonsquareTechnosphere): the yarn's carbon is 0.5 kg × c·B·A⁻¹ e_process, 1e-9."""
    from lca_engine import assess_files

    name, path = products_bg
    inventory = _linked_inventory(tmp_path, f"{name}:{link}")
    code, output, trace = invoke("assess", inventory, "--out", tmp_path / "res", "--data-dir", data_dir)
    assert code == 0, trace + output
    names, A, flows, B = numpy_system(read_cells(path))
    process = "Methanol, at plant" if link == "D" else "Acetic acid, at plant"
    c = ipcc2021(flows)
    score = c @ B @ np.linalg.solve(A, np.eye(len(names))[names.index(process)])
    cf = dict(zip(flows, c, strict=True))
    co2, ch4 = cf[("Carbon dioxide, fossil", "air")], cf[("Methane, fossil", "air")]
    by_hand_d = 0.1 * co2 + 0.002 * ch4 + 0.00805 * 0.6 * co2  # the rows added above
    assert score == pytest.approx(by_hand_d if link == "D" else 0.25 * co2 + 0.539 * by_hand_d, rel=1e-12)
    r = assess_files([inventory], year=2025, data_dir=data_dir).results
    sel = r[(r.factory == "tiny-micro") & (r.indicator == "carbon_ipcc2021") & (r.scope == "cradle_to_gate")]
    yarn = sel[(sel.contributor_type == "flow") & (sel.contributor == "yarn")]["value"].sum()
    assert yarn == pytest.approx(0.5 * score, rel=1e-9)


# ------------------------------------------------------------------------------------ refusals
def refused(root: Path, path: Path) -> WorkbookError:
    """The import of ``path`` refused, and everything it could change as it was (biosphere3, which every import
    writes first when it is missing, written before the snapshot)."""
    from lca_engine.bw import activate
    from lca_engine.bw.import_write import ensure_biosphere3

    with activate(root).write_lock():
        ensure_biosphere3()
    before = snapshot(root)
    with pytest.raises(WorkbookError) as info:
        import_background(path, "xl-refused", LICENCE, data_dir=root)
    after = snapshot(root)
    assert after == before
    assert all(p.fix and p.file for p in info.value.problems)
    return info.value


@pytest.mark.parametrize("name", ["modified.xlsx", "complicated-modified.xlsx"])
def test_a_parameter_brightway_cannot_evaluate_is_refused_at_its_row(data_dir, name):
    """'bar = reference_me + 2' in activity A's group: 'reference_me' is activity B's parameter, which bw2data's
    group rules do not let A see (was: bw2parameters' own '{'bar': {'reference_me'}}')."""
    from openpyxl import load_workbook

    ws = load_workbook(FIXTURES / name).worksheets[0]
    assert (ws["A21"].value, ws["C21"].value) == ("bar", "reference_me + 2")
    err = refused(data_dir, FIXTURES / name)
    (p,) = err.problems
    assert (p.file, p.line) == (f"{FIXTURES / name} [sheet 'example']", 21)
    assert "parameter 'bar'" in p.message and "'reference_me'" in p.message


def test_parameters_and_formulas_agree_with_the_foreground_import(data_dir, tmp_path):
    """sample_activities_with_variables.xlsx: production 'PCB_mass_total' (= the three database parameters of 0.2,
    cells B10:B12) and input 'PCB_area * 2' (cell C3 = 0.25); the cells' own amounts are 0. Stored as Brightway
    evaluates them, the same as `import-excel` gives."""
    import bw2data as bd
    from openpyxl import load_workbook

    name = "sample_activities_with_variables.xlsx"
    ws = load_workbook(FIXTURES / name, data_only=True).active
    assert (ws["B28"].value, ws["G28"].value, ws["G29"].value) == (0, "PCB_area * 2", "PCB_mass_total")
    mass, area = sum(ws[f"B{r}"].value for r in (10, 11, 12)), ws["C3"].value
    if load_meta(data_dir, "xl-pcb") is None:
        import_background(FIXTURES / name, "xl-pcb", LICENCE, data_dir=data_dir)
    act = bd.get_node(database="bg-xl-pcb", code="mpcb")
    got = {e["type"]: e["amount"] for e in act.exchanges()}
    assert got == pytest.approx({"production": mass, "technosphere": area * 2}, rel=1e-12)
    out = tmp_path / "pcb.toml"
    code, output, trace = invoke("import-excel", FIXTURES / name, "--out", out, "--sector", "textiles", "--site",
                                 "Ebbw Vale,51.78,-3.21")  # fmt: skip
    assert code == 0, trace + output
    import tomllib

    flows = tomllib.loads(out.read_text(encoding="utf-8"))["flows"]
    (board,) = [f for f in flows if f["name"] == "unmounted printed circuit board"]
    assert board["amount"] == pytest.approx(got["technosphere"] / got["production"], rel=1e-12)


def _products_workbook(path: Path, makers: list[str], multi: bool = False, taken: bool = True) -> Path:
    """Product node 'P' made by each process of ``makers`` (P1, P2 …), taken by process 'U'; ``multi``: P1 also
    makes 'Q'."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "products"
    rows: list[list] = [["Database", "prod"], []]
    for m in makers:
        rows += [["Activity", m], ["code", m], ["location", "GB"], ["unit", "kilogram"], ["type", "process"],
                 ["Exchanges"], HEAD, ["P", 1, "kilogram", "prod", None, "GB", "production", 0]]  # fmt: skip
        rows += [["Q", 1, "kilogram", "prod", None, "GB", "production", 0]] if multi and m == "P1" else []
    for p in ("P", "Q"):
        rows += [["Activity", p], ["code", p], ["location", "GB"], ["unit", "kilogram"], ["type", "product"]]
    rows += [["Activity", "U"], ["code", "U"], ["location", "GB"], ["unit", "kilogram"], ["type", "process"],
             ["Exchanges"], HEAD, ["U", 1, "kilogram", "prod", None, "GB", "production", 0]]  # fmt: skip
    rows += [["P", 2, "kilogram", "prod", None, "GB", "technosphere", 0]] if taken else []
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def rows_of(path: Path, first: str, type_: str) -> list[int]:
    """The rows (read here with openpyxl) whose first cell is ``first`` and type column ``type_``."""
    from openpyxl import load_workbook

    ws = load_workbook(path).active
    return [r for r in range(1, ws.max_row + 1) if (ws.cell(r, 1).value, ws.cell(r, 7).value) == (first, type_)]


def test_a_product_made_by_two_processes_is_refused_at_both_rows(data_dir, tmp_path):
    path = _products_workbook(tmp_path / "two.xlsx", ["P1", "P2"])
    err = refused(data_dir, path)
    assert [p.line for p in err.problems] == rows_of(path, "P", "production")  # the rows of P1's and P2's
    assert all("made by 2 processes" in p.message and "'P1', 'P2'" in p.message for p in err.problems)


def test_a_multi_output_process_is_refused(data_dir, tmp_path):
    path = _products_workbook(tmp_path / "multi.xlsx", ["P1"], multi=True)
    (p,) = refused(data_dir, path).problems
    assert [p.line] == rows_of(path, "Q", "production")
    assert "makes several products ('P', 'Q')" in p.message and "allocate" in p.fix


def test_a_product_nobody_makes_is_refused_at_the_row_that_takes_it(data_dir, tmp_path):
    path = _products_workbook(tmp_path / "none.xlsx", [])
    (p,) = refused(data_dir, path).problems
    assert [p.line] == rows_of(path, "P", "technosphere")
    assert "takes product 'P', which no process of the workbook makes" in p.message


def test_the_other_bw2io_workbooks_import_or_are_refused_without_internal_error(data_dir, tmp_path):
    """Every workbook of bw2io's tests through `background import`: imported, or refused as a user error (exit 1),
    never exit 4."""
    results = {}
    for path in sorted(FIXTURES.glob("*.xlsx")):
        name = "xl-all-" + path.stem.lower().replace("_", "-")
        code, output, trace = invoke(
            "background", "import", path, "--name", name, "--licence", LICENCE, "--data-dir", data_dir
        )
        assert code in (0, 1), trace + output
        results[path.name] = code
    assert {n for n, c in results.items() if c == 0} == {
        "basic_example.xlsx", "basic_example_with_reference_product.xlsx", "blank_lines.xlsx",
        "sample_activities_with_variables.xlsx", "with_products.xlsx",
    }  # fmt: skip


# ------------------------------------------------------------------------------------ units
def test_an_exchange_without_a_unit_takes_its_input_activitys(data_dir, tmp_path):
    """basic_example.xlsx with the unit cell of A's 'Methanol, at plant' row (C20) emptied: as in Brightway, the
    exchange is in its input's unit (kilogram, cell B20 of the other sheet) and keeps the cell's amount."""
    import bw2data as bd
    from openpyxl import load_workbook

    wb = load_workbook(FIXTURES / "basic_example.xlsx")
    ws, other = wb["first process"], wb["other processes"]
    assert (ws["A20"].value, ws["C20"].value, other["A20"].value) == ("Methanol, at plant", "kilogram", "unit")
    ws["C20"] = None
    wb.save(tmp_path / "no_unit.xlsx")
    import_background(tmp_path / "no_unit.xlsx", "xl-no-unit", LICENCE, data_dir=data_dir)
    acetic = bd.get_node(database="bg-xl-no-unit", name="Acetic acid, at plant")
    (methanol,) = list(acetic.technosphere())
    assert (methanol.input["name"], methanol["unit"], methanol["amount"]) == (
        "Methanol, at plant", other["B20"].value, ws["B20"].value
    )  # fmt: skip


def test_an_activity_without_a_unit_is_refused_at_its_rows(data_dir):
    """export-complicated.xlsx (bw2io's write_lci_excel of a parameterised database): 'foo * bar + 4' evaluates
    (group 'my group'), but 'Another activity' has no unit row and neither have the rows that take it."""
    from openpyxl import load_workbook

    path = FIXTURES / "export-complicated.xlsx"
    ws = load_workbook(path).active
    values = lambda r: [c.value for c in ws[r]]  # noqa: E731
    assert values(24)[3] == "unit" and values(26)[:4] == ["Another activity", 9, "here", None]  # unit left empty
    assert "unit" not in values(37) and values(38)[0] == "Another activity"  # a table without a unit column
    assert ws["B28"].value == "Another activity" and "unit" not in [ws.cell(r, 1).value for r in range(28, 36)]
    err = refused(data_dir, path)
    assert [p.line for p in err.problems] == [28, 26, 38]
    assert "activity 'Another activity' has no unit" in err.problems[0].message
    assert all("has no unit, and neither has the activity 'Another activity'" in p.message for p in err.problems[1:])


def test_an_exchange_formula_brightway_cannot_evaluate_is_refused_at_its_row(data_dir, tmp_path):
    """sample_activities_with_variables.xlsx with the formula of row 28 ('PCB_area * 2') made 'PCB_area * nowhere':
    refused at that row, naming the name no parameter defines; nothing written."""
    from openpyxl import load_workbook

    wb = load_workbook(FIXTURES / "sample_activities_with_variables.xlsx")
    assert wb.active["G28"].value == "PCB_area * 2"
    wb.active["G28"] = "PCB_area * nowhere"
    wb.save(tmp_path / "nowhere.xlsx")
    (p,) = refused(data_dir, tmp_path / "nowhere.xlsx").problems
    assert (p.file, p.line) == (f"{tmp_path / 'nowhere.xlsx'} [sheet 'PCB inventory']", 28)
    assert "'PCB_area * nowhere'" in p.message and "'nowhere'" in p.message
