"""bw2io's own Excel test workbooks (tests/fixtures/bw2io/excel, copied unchanged from bw2io 0.8.12) through
``lca-engine import-excel``: each imports with the amounts a plain numpy solve of its cells gives, or is refused
with the sheet and row of the reason and a fix (exit 1, as every invalid inventory; never a traceback).

The expected amounts are computed here from the cells (openpyxl), independently of the product: activities and
exchange rows are read from the sheet, links resolved by name (a ``product`` node by the activity whose
production exchange names it), and the scaling s solves A s = f with numpy."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pytest

from .cli_run import invoke
from .conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "bw2io" / "excel"
SITE = "Ebbw Vale,51.78,-3.21"


def import_excel(tmp_path: Path, name: str, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / f"{Path(name).stem}.toml"
    code, output, trace = invoke(
        "import-excel", FIXTURES / name, "--out", out, "--sector", "textiles", "--site", SITE, *extra
    )
    assert code != 4, trace + output
    assert "Traceback" not in output, output
    return code, " ".join(output.split()), out


# ------------------------------------------------------------------------------------ the cells, read by hand
def cells(name: str) -> list[dict]:
    """Activities of the workbook as {name, type, exchanges: [{name, amount, type, formula}]} from its cells."""
    from openpyxl import load_workbook

    wb = load_workbook(FIXTURES / name, data_only=True)
    acts: list[dict] = []
    for ws in wb.worksheets:
        rows = [[c.value for c in r] for r in ws.iter_rows()]
        if not isinstance(rows[0][0], str) or rows[0][0].lower() == "skip":
            continue
        header = None
        for row in rows:
            first = row[0].strip().lower() if isinstance(row[0], str) else None
            if first == "activity":
                acts.append({"name": row[1], "type": "process", "exchanges": []})
                header = None
            elif first == "type" and acts and header is None:
                acts[-1]["type"] = row[1]
            elif first == "exchanges":
                header = []
            elif header == [] and any(v is not None for v in row):
                header = [str(v) for v in row if v is not None]
            elif header and row[0] is not None:
                acts[-1]["exchanges"].append(dict(zip(header, row, strict=False)))
    return acts


def scaling(acts: list[dict], fu: str, amount=lambda x: x["amount"]) -> dict[str, float]:
    """s per process name: A s = f with production on the diagonal (default 1) and inputs from the file's own
    activities below it; a link to a product node goes to the activity whose production exchange names it."""
    names = [a["name"] for a in acts]
    producer = {
        x["name"]: a["name"]
        for a in acts
        for x in a["exchanges"]
        if x["type"] == "production" and x["name"] != a["name"]
    }
    processes = [a["name"] for a in acts if a["type"] != "product"]
    index = {n: i for i, n in enumerate(processes)}
    A = np.eye(len(processes))
    for a in acts:
        if a["type"] == "product":
            continue
        j = index[a["name"]]
        for x in a["exchanges"]:
            target = producer.get(x["name"], x["name"])
            if x["type"] == "production":
                A[j, j] = amount(x)
            elif x["type"] == "technosphere" and x["name"] in names:
                A[index[target], j] -= amount(x)
    f = np.zeros(len(processes))
    f[index[fu]] = 1.0
    s = np.linalg.solve(A, f)
    return {n: s[i] for n, i in index.items() if abs(s[i]) > 1e-15}


def imported(out: Path) -> tuple[dict, dict[str, str]]:
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    return data, {p["id"]: p["name"] for p in data["processes"]}


def amounts_by_process(data: dict, names: dict[str, str]) -> dict[str, list[float]]:
    """Each process's flow amounts (a flow belongs to the activity whose exchange it is: its id's prefix)."""
    out: dict[str, list[float]] = {}
    for fl in data["flows"]:
        if fl["kind"] != "product":
            out.setdefault(names[fl["id"].split(".")[0]], []).append(fl["amount"])
    return {k: sorted(v) for k, v in out.items()}


def expected_by_process(acts: list[dict], s: dict[str, float], amount=lambda x: x["amount"]) -> dict:
    by_name = {a["name"]: a for a in acts}
    return {
        n: sorted(amount(x) * sj for x in by_name[n]["exchanges"] if x["type"] in ("technosphere", "biosphere"))
        for n, sj in s.items()
        if any(x["type"] in ("technosphere", "biosphere") for x in by_name[n]["exchanges"])
    }


def assert_amounts(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for name, values in want.items():
        assert got[name] == pytest.approx(values, rel=1e-12), name


# ------------------------------------------------------------------------------------ workbooks that import
BASIC = {
    "basic_example.xlsx": ("Acetic acid, at plant", "Methanol, at plant"),
    "basic_example_with_reference_product.xlsx": ("Acetic acid production", "Methanol production"),
    "blank_lines.xlsx": ("Acetic acid, at plant", "Methanol, at plant"),
}


@pytest.mark.parametrize("name", sorted(BASIC))
def test_basic_examples_give_the_numpy_solve_of_their_cells(tmp_path, name):
    code, output, out = import_excel(tmp_path, name)
    assert code == 0, output
    acts = cells(name)
    acetic, methanol = BASIC[name]
    s = scaling(acts, acetic)
    assert s == pytest.approx({acetic: 1.0, methanol: 0.539, "Electricity, at Grid, US, 2008": 0.539 * 0.00805})
    data, names = imported(out)
    assert set(names.values()) == set(s)
    assert_amounts(amounts_by_process(data, names), expected_by_process(acts, s))
    emissions = {fl["substance"]: fl["amount"] for fl in data["flows"] if fl["kind"] == "emission"}
    assert emissions["Carbon dioxide, fossil"] == pytest.approx(0.53 * 0.539, rel=1e-12)
    assert data["functional_unit"] == {"amount": 1.0, "unit": "kg", "description": acetic}


def test_with_products_follows_each_product_node_to_its_producer(tmp_path):
    """bw2io's test_excel_products_lca: the supply chain of product B is A (1), D (0.539) and C (0.539 × 0.00805);
    the product nodes B and E are not processes."""
    code, output, out = import_excel(tmp_path, "with_products.xlsx")
    assert code == 0, output
    acts = cells("with_products.xlsx")
    s = scaling(acts, "Acetic acid, at plant")
    assert s == pytest.approx({"Acetic acid, at plant": 1.0, "Methanol, at plant": 0.539,
                               "Electricity, at Grid, US, 2008": 0.539 * 0.00805}, rel=1e-12)  # fmt: skip
    data, names = imported(out)
    assert sorted(names) == ["A", "C", "D"]  # the codes of the three processes; not B or E (products)
    assert_amounts(amounts_by_process(data, names), expected_by_process(acts, s))
    flows = {(fl["from"], fl["to"]): fl for fl in data["flows"]}
    assert flows[("D", "A")]["amount"] == pytest.approx(0.539, rel=1e-12)
    assert flows[("C", "D")]["amount"] == pytest.approx(0.539 * 0.00805, rel=1e-12)
    assert data["functional_unit"]["description"] == "Acetic acid"  # the product node A produces
    # the functional unit may be named by the product: its producer is the activity
    code, output, out = import_excel(tmp_path, "with_products.xlsx", "--functional-unit", "Methanol")
    assert code == 0, output
    data, names = imported(out)
    assert sorted(names) == ["C", "D"] and data["functional_unit"]["description"] == "Methanol"


def test_with_products_import_assesses_without_internal_error(tmp_path, data_dir):
    """The import has no elementary flow and no background link (bw2calc's EmptyBiosphere case): assessed, 0."""
    import pandas as pd

    code, output, out = import_excel(tmp_path, "with_products.xlsx")
    assert code == 0, output
    code, output, trace = invoke("assess", out, "--lenient", "--out", tmp_path / "res", "--data-dir", data_dir)
    assert code == 0, trace + output
    totals = pd.read_parquet(tmp_path / "res" / "results.parquet").query("contributor_type == 'total'")
    assert (totals.value == 0).all()


def test_parameters_and_formulas_are_evaluated_by_brightway(tmp_path):
    """PCB: exchange formulas 'PCB_area * 2' (project parameter PCB_area = 0.25, cell C3) and production
    'PCB_mass_total' (activity parameter = sum of three database parameters of 0.2, cells B10:B12); the cells'
    own amounts are 0, so the file as written has no solution."""
    from openpyxl import load_workbook

    code, output, out = import_excel(tmp_path, "sample_activities_with_variables.xlsx")
    assert code == 0, output
    ws = load_workbook(FIXTURES / "sample_activities_with_variables.xlsx", data_only=True).active
    assert (ws["A3"].value, ws["B28"].value, ws["G28"].value, ws["G29"].value) == (
        "PCB_area", 0, "PCB_area * 2", "PCB_mass_total",
    )  # fmt: skip
    area = ws["C3"].value
    mass_total = np.sum([ws[f"B{r}"].value for r in (10, 11, 12)])
    formulas = {"PCB_area * 2": area * 2, "PCB_mass_total": mass_total}
    acts = cells("sample_activities_with_variables.xlsx")
    value = lambda x: formulas.get(x.get("formula"), x["amount"])  # noqa: E731
    s = scaling(acts, "mounted printed circuit board", amount=value)
    assert s["mounted printed circuit board"] == pytest.approx(1 / 0.6, rel=1e-12)
    data, names = imported(out)
    assert_amounts(amounts_by_process(data, names), expected_by_process(acts, s, amount=value))
    (board,) = [fl for fl in data["flows"] if fl["name"] == "unmounted printed circuit board"]
    assert board["amount"] == pytest.approx(0.5 / 0.6, rel=1e-12) and board["unit"] == "m2"
    assert "PCB_area * 2" in board["note"] and "PCB_area = 0.25" in board["note"]
    (product,) = [fl for fl in data["flows"] if fl["kind"] == "product"]
    assert "PCB_mass_total" in product["note"] and "0.6" in product["note"]
    assert "PCB_cap_mass_film = 0.2" in product["note"] and "not propagated" in product["note"]
    from lca_engine.bw.project import default_data_dir

    assert not any((default_data_dir() / "tmp").glob("parameters-*"))  # the scratch project is removed


# ------------------------------------------------------------------------------------ workbooks refused
REFUSED = {
    "basic_all_cutoff.xlsx": ("[sheet 'first process']:1", "cutoff", "B1 = 0", "delete the cutoff row"),
    "complicated-modified.xlsx": ("[sheet 'example']:21", "parameter 'bar'", "'reference_me'", "define the missing"),
    "modified.xlsx": ("[sheet 'example']:21", "parameter 'bar'", "'reference_me'", "define the missing"),
    "export-complicated.xlsx": ("[sheet 'example']:26", "'Another activity'", "no unit either", "fill in the unit"),
    "lcia.xlsx": ("[sheet 'Sheet1']:1", "LCIA method workbook", "characterisation factors", "lca-engine indicators"),
    "with_formulas.xlsx": ("[sheet 'worksheet']:1", "has 1 in cell A1", "plain values or formulas", "'Database' row"),
    "empty.xlsx": ("empty.xlsx", "every sheet is empty", "'Database' row in cell A1"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_sheet_row_reason_and_fix(tmp_path, name):
    code, output, out = import_excel(tmp_path, name)
    assert code == 1, output
    assert "error: invalid inventory" in output and "fix:" in output
    for needle in REFUSED[name]:
        assert needle in output, f"{needle!r} not in {output}"
    assert not out.exists()


def test_export_complicated_formula_is_evaluated_before_its_unit_is_missed(tmp_path):
    """export-complicated.xlsx is bw2io's write_lci_excel of a parameterised database: 'foo * bar + 4' (with
    foo = green / 7 = 1, bar = reference_me + 2 = 5 in the same group 'my group') evaluates; the refusal is the
    unit: neither the exchange nor the activity 'Another activity' it links to has one."""
    code, output, _ = import_excel(tmp_path, "export-complicated.xlsx")
    assert code == 1 and "parameter" not in output and "has no unit" in output


def test_all_twelve_workbooks_are_covered():
    imported_ok = {"basic_example.xlsx", "basic_example_with_reference_product.xlsx", "blank_lines.xlsx"}
    imported_ok |= {"with_products.xlsx", "sample_activities_with_variables.xlsx"}
    assert {p.name for p in FIXTURES.glob("*.xlsx")} == imported_ok | set(REFUSED)


def test_dashboard_upload_of_with_products_is_a_user_error_not_an_internal_one():
    """The issue's internal error (bw2calc EmptyBiosphere) was the with_products import assessed: no elementary flow
    and no background link. Uploaded in the dashboard it converts, and is refused only for its mass balance (the
    file's acetic acid process takes 0.539 kg of methanol for 1 kg of product): a user error, no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.switch_page("pages/upload.py").run()
    at.selectbox(key="xl-sector").set_value("textiles")
    at.text_input(key="xl-site").set_value("Ebbw Vale")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    at.file_uploader(key="upload").set_value(
        ("with_products.xlsx", (FIXTURES / "with_products.xlsx").read_bytes(), xlsx)
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = [e.value for e in at.error]
    assert "mass balance" in error and "process 'A'" in error and "internal" not in error.lower(), error
