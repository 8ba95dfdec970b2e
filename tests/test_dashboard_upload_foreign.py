"""A foreign model uploaded in the dashboard (issue 18): its mass balance rarely closes. The upload page refuses it
by default and, with the box that accepts an imbalance ticked (as `lca-engine assess --lenient`), assesses it and
lists each imbalance as a warning with its process and amounts. Real Streamlit runs (AppTest) of the real page.

Expected amounts come from the workbook's cells (openpyxl) and a numpy solve of its scaling; the carbon from the
emissions the rows name times the project's IPCC 2021 factors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.upload_handler import LENIENT_LABEL, Upload

from .conftest import ROOT
from .test_background_excel import ipcc2021, numpy_system, with_emissions
from .test_excel_foreign_fixtures import FIXTURES, cells, scaling

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACETIC, METHANOL = "Acetic acid, at plant", "Methanol, at plant"


def plain(text: str) -> str:
    """Streamlit markdown as read: the page escapes user text (ui.literal) with backslashes."""
    return text.replace("\\", "")


def upload(path: Path, lenient: bool) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    at.switch_page("pages/upload.py").run()
    at.selectbox(key="xl-sector").set_value("textiles")
    at.text_input(key="xl-site").set_value("Ebbw Vale")
    if lenient:
        at.checkbox(key="lenient").check()
    at.file_uploader(key="upload").set_value((path.name, path.read_bytes(), XLSX))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def balance_lines() -> dict[str, str]:
    """Per process code, the balance the cells give: A takes 0.539 kg methanol for 1 kg acetic acid; D (scaled to
    0.539) makes 0.539 kg methanol from 0.00805 kWh per kg, no mass in (electricity carries none)."""
    acts = cells("with_products.xlsx")
    s = scaling(acts, ACETIC)
    by_name = {a["name"]: a for a in acts}
    (methanol,) = [x["amount"] for x in by_name[ACETIC]["exchanges"] if x["type"] == "technosphere"]
    (made,) = [x["amount"] for x in by_name[METHANOL]["exchanges"] if x["type"] == "production"]
    return {
        "A": f"in {methanol * s[ACETIC]:.6g} kg, out {s[ACETIC]:.6g} kg",
        "D": f"in 0 kg, out {made * s[METHANOL]:.6g} kg",
    }


def test_the_box_is_off_by_default_and_the_refusal_names_it():
    at = upload(FIXTURES / "with_products.xlsx", lenient=False)
    assert at.checkbox(key="lenient").value is False and at.checkbox(key="lenient").label == LENIENT_LABEL
    (error,) = [plain(e.value) for e in at.error]
    assert "mass balance does not close" in error
    for process, amounts in balance_lines().items():
        assert f"process '{process}': mass balance does not close: {amounts}" in error, error
    assert f"tick '{LENIENT_LABEL}'" in error and "lca-engine assess --lenient" in error
    assert not at.success and not isinstance(at.session_state["upload_result"][1], Upload)


def test_with_the_box_ticked_the_upload_is_assessed_and_the_imbalance_shown():
    at = upload(FIXTURES / "with_products.xlsx", lenient=True)
    assert not at.error, [e.value for e in at.error]
    assert any("Assessed 1 micro-factory inventory (1 without a baseline)" in s.value for s in at.success)
    (warning,) = [plain(w.value) for w in at.warning if "accepted as a warning" in w.value]
    for process, amounts in balance_lines().items():
        assert f"with_products.toml · process '{process}': mass balance does not close: {amounts}" in warning
    assert "the factory as a whole: mass balance does not close: in 0 kg, out 1 kg" in warning
    result = at.session_state["upload_result"][1]
    assert isinstance(result, Upload) and [p.file for p in result.imbalances] == ["with_products.toml"] * 3


def test_an_assessed_foreign_model_gives_the_numpy_solve_of_its_cells(tmp_path):
    """with_products with emissions added (0.25 kg CO2 on A; 0.1 kg CO2 and 0.002 kg CH4 on D; 0.6 kg CO2 per kWh
    on C): its carbon per kg of acetic acid is c · B s, s the numpy solve of the cells."""
    path = with_emissions(tmp_path / "with_products_emissions.xlsx")
    at = upload(path, lenient=True)
    result = at.session_state["upload_result"][1]
    assert isinstance(result, Upload), result
    names, A, flows, B = numpy_system(cells(str(path)))
    s = np.linalg.solve(A, np.eye(len(names))[names.index(ACETIC)])
    expected = ipcc2021(flows) @ B @ s
    assert expected > 0.25  # at least A's own fossil CO2 (factor 1)
    (fid,) = result.micro
    for scope in ("site", "cradle_to_gate"):  # direct emissions of the factory's own processes: both scopes
        r = result.assessment.results
        got = r[(r.factory == fid) & (r.indicator == "carbon_ipcc2021") & (r.scope == scope)]
        assert got[got.contributor_type == "total"]["value"].sum() == pytest.approx(expected, rel=1e-9)


def test_a_toml_upload_with_an_imbalance_is_assessed_only_with_the_box(tmp_path):
    """tests/data/tiny_micro.toml with 0.6 kg of yarn instead of 0.5: knitting takes 0.6 kg + 40 g recovered =
    0.64 kg and gives 0.05 kg offcuts + 1 garment × 0.49 kg = 0.54 kg (by hand)."""
    from .conftest import DATA

    text = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    assert text.count("amount = 0.5\n") == 1
    files = [
        ("tiny_micro.toml", text.replace("amount = 0.5\n", "amount = 0.6\n").encode(), "application/toml"),
        ("tiny_baseline.toml", (DATA / "tiny_baseline.toml").read_bytes(), "application/toml"),
    ]
    for lenient in (False, True):
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
        at.switch_page("pages/upload.py").run()
        if lenient:
            at.checkbox(key="lenient").check()
        at.file_uploader(key="upload").set_value(files).run()
        assert not at.exception, [e.value for e in at.exception]
        shown = plain(" ".join(e.value for e in (at.warning if lenient else at.error)))
        assert "process 'knit': mass balance does not close: in 0.64 kg, out 0.54 kg" in shown, shown
        assert bool(at.success) is lenient and bool(at.error) is not lenient
    assert any("with its baseline" in s.value for s in at.success)
