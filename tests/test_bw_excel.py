"""Brightway Excel (bw2io ExcelImporter layout): lossless round trip of our models, Brightway compatibility of
the export (same carbon as our pipeline), foreign-file import per functional unit, and clear errors."""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path

import pytest

from lca_engine import Factory, Flow, FunctionalUnit, Process, Site, Source, Stock, load
from lca_engine.errors import InventoryError, LcaEngineError
from lca_engine.inventory import dumps

from .conftest import DATA, EXAMPLES

EXCEL = DATA / "excel"
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:bw2calc")  # pypardiso hint (deliberately absent)
FOREIGN = EXCEL / "frame_shop_brightway.xlsx"
ROUND_TRIP = [DATA / "tiny_micro.toml", DATA / "tiny_baseline.toml", *sorted(EXAMPLES.glob("*.toml"))]
SITE = {"name": "Ebbw Vale", "lat": 51.7786, "lon": -3.2067}

# DESNZ 2025 factors (kg CO2e per unit), as published in the flat file
ELEC = 0.177 + 0.01853  # UK electricity, generation + T&D, per kWh
GAS = 0.18296  # natural gas, gross CV, per kWh
HGV = 0.10163  # HGV all diesel, average laden, per t.km
SCRAP_PRIMARY = 3473.11953  # Material use, metal: scrap metal, primary, per t
SCRAP_CLOSED_LOOP_WASTE = 4.68568  # Waste disposal, metal: scrap metal, closed loop, per t
STEEL_CANS_CLOSED_LOOP = 1823.90131  # Material use, metal: steel cans, closed-loop source, per t


def excel():
    from lca_engine.bw import excel as module

    return module


@pytest.fixture(scope="module")
def bx(catalog):
    return excel()


def write_rows(path: Path, rows: list[list], title: str = "Sheet1") -> Path:
    """A hand-made Brightway Excel file: one worksheet, rows as given."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


# ------------------------------------------------------------------------------------------ round trip
@pytest.mark.parametrize("path", ROUND_TRIP, ids=lambda p: p.stem)
def test_round_trip_is_lossless(bx, catalog, tmp_path, path):
    factory = load(path)
    out = tmp_path / f"{factory.id}.xlsx"
    bx.write_bw_excel(factory, out, catalog=catalog)
    with warnings.catch_warnings():
        warnings.simplefilter("error", bx.ExcelImportWarning)
        back = bx.read_bw_excel(out)
    assert back == factory
    assert dumps(back) == dumps(factory)


def awkward_factory() -> Factory:
    """Values that Excel, openpyxl or bw2io's CSV-style transformations would change if written naively."""
    tricky = [
        "  padded  ",
        "TRUE",
        "false",
        "2025",
        "1e3",
        "a::b",
        "=SUM(A1:A2)",
        "(Unknown)",
        "lca-json:x",
        "line1\r\nline2\tend",
        "literal _x000D_ text",
        "Ünïcødé — “quotes” ✓",
        "Activity",
        "exchanges",
    ]

    def flow(fid, src, dst, kind, amount, unit, **kw):
        return Flow.model_validate(
            {"id": fid, "from": src, "to": dst, "kind": kind, "amount": amount, "unit": unit, **kw}
        )

    flows = [
        flow(
            "Database",
            "market",
            "functional-unit",
            "material",
            0.1 + 0.2,
            "kg",
            origin="recycled",
            background="desnz.material.metal_scrap_metal.closed_loop",
            source="s1",
            name=tricky[0],
            note=tricky[9],
            material=tricky[5],
        ),
        flow(
            "f2",
            "market",
            "Activity",
            "energy",
            123456789.123456789,
            "MJ",
            background=["desnz.electricity.uk", "desnz.electricity.uk.td"],
            assumption={"reasoning": tricky[6] + " reasoning text", "low": 1e-300, "high": 2e8},
        ),
        flow(
            "f3",
            "functional-unit",
            "Activity",
            "product",
            1e-17,
            "item",
            mass_per_unit="0.5 kg/item",
            balance=False,
            source="s1",
            name=tricky[12],
            note=tricky[10],
        ),
        flow(
            "f4",
            "Activity",
            "environment",
            "emission",
            2 / 3,
            "g",
            substance="Methane, fossil",
            compartment="air",
            source="s1",
            name=tricky[11],
        ),
        flow("f5", "Activity", "environment", "water", 7.0, "L", compartment="air", source="s1", name=tricky[1]),
        flow("f6", "Activity", "market", "product", 1, "item", source="s1", name=tricky[2]),
        flow("f7", "market", "landfill", "waste", 0.0, "kg", source="s1", name=tricky[13]),
        flow(
            "f8",
            "Activity",
            "wastewater_treatment",
            "water",
            5,
            "L",
            source="s1",
            background="desnz.water.treatment",
            category=None,
            name=tricky[3],
        ),
        flow("f9", "market", "Activity", "chemical", 0.25, "kg", category="solvents", source="s1", name=tricky[4]),
    ]
    return Factory(
        id="awkward-1",
        name=tricky[7],
        sector="advanced composites",
        system="baseline",
        description=tricky[9] + tricky[8],
        site=Site(name=tricky[3], lat=-0.1, lon=179.99999999999997, former_use=tricky[5]),
        functional_unit=FunctionalUnit(amount=2.5, unit="m2", description=tricky[6]),
        processes=[
            Process(id="functional-unit", name="", stage=tricky[1], description=tricky[0]),
            Process(id="Activity", name=tricky[12]),
        ],
        flows=flows,
        stocks=[
            Stock(id="st", process="Activity", change=-0.125, unit="kg", material=tricky[5], source="s1"),
            Stock(
                id="st2",
                process="nowhere",
                change=0.1 + 0.7,
                unit="t",
                assumption={"reasoning": "a stock in a process that does not exist", "low": 0, "high": 1},
            ),
        ],
        sources={
            "s1": Source(
                publisher=tricky[0],
                title=tricky[3],
                edition=tricky[4],
                licence=tricky[5],
                url="https://example.org/a::b?x=1",
                note=tricky[9],
            ),
            "odd.id]x": Source(publisher="p", title="t", licence="OGL"),
        },
    )


def test_round_trip_keeps_awkward_values_exactly(bx, catalog, tmp_path):
    factory = awkward_factory()
    out = tmp_path / "awkward.xlsx"
    bx.write_bw_excel(factory, out, catalog=catalog)
    assert bx.read_bw_excel(out) == factory


def test_export_is_atomic_and_fails_cleanly(bx, catalog, tmp_path):
    factory = load(DATA / "tiny_micro.toml")
    out = tmp_path / "tiny.xlsx"
    bx.write_bw_excel(factory, out, catalog=catalog)
    before = out.read_bytes()
    broken = factory.model_copy(deep=True)
    broken.flows[0].background = "desnz.no.such.factor"
    with pytest.raises(LcaEngineError, match=r"unknown background factor 'desnz\.no\.such\.factor'") as e:
        bx.write_bw_excel(broken, out, catalog=catalog)
    assert e.value.problems[0].field == "flows[0]"
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.xlsx"]  # no temporary file left behind


# ------------------------------------------------------------------------------- Brightway compatibility
def test_export_parses_with_bw2io_excel_importer(bx, catalog, tmp_path):
    from bw2io import ExcelImporter

    factory = load(EXAMPLES / "textile_merthyr_micro.toml")
    out = tmp_path / "textile.xlsx"
    bx.write_bw_excel(factory, out, catalog=catalog)
    with bx.quiet():
        imp = ExcelImporter(str(out))
    assert imp.db_name == factory.id
    assert [ds["code"] for ds in imp.data] == [*factory.process_ids(), "functional-unit"]
    types = [e["type"] for ds in imp.data for e in ds["exchanges"]]
    assert types.count("production") == len(factory.processes) + 1
    assert types.count(bx.FLOW_TYPE) > 0 and types.count("technosphere") > len(factory.processes)
    fu = imp.data[-1]
    assert [e["amount"] for e in fu["exchanges"] if e["type"] == "technosphere"] == [1.0] * len(factory.processes)


@pytest.fixture(scope="module")
def bw_project(tmp_path_factory, catalog, data_dir):
    """A fresh, isolated Brightway data directory with our base, methods and the desnz-2025 background."""
    from lca_engine.bw.calc import build

    root = tmp_path_factory.mktemp("bw")
    build([], catalog, root)
    yield root
    from lca_engine.bw.project import activate

    activate(data_dir)  # hand the session directory back to the other test modules


def with_direct_emissions(factory: Factory) -> Factory:
    extra = [
        Flow.model_validate(
            {
                "id": "methane",
                "from": "knit",
                "to": "environment",
                "kind": "emission",
                "amount": 3.0,
                "unit": "g",
                "substance": "Methane, fossil",
                "compartment": "air",
                "source": "desnz-2025",
            }
        ),
        Flow.model_validate(
            {
                "id": "co2",
                "from": "recover",
                "to": "environment",
                "kind": "emission",
                "amount": 0.04,
                "unit": "kg",
                "substance": "Carbon dioxide, fossil",
                "compartment": "air",
                "source": "desnz-2025",
            }
        ),
        Flow.model_validate(
            {
                "id": "steam",
                "from": "knit",
                "to": "environment",
                "kind": "water",
                "amount": 1.0,
                "unit": "L",
                "compartment": "air",
                "balance": False,
                "source": "desnz-2025",
            }
        ),
    ]
    return factory.model_copy(update={"id": "tiny-emitting", "flows": [*factory.flows, *extra]})


@pytest.mark.parametrize(
    "make",
    [
        lambda: load(DATA / "tiny_micro.toml"),
        lambda: with_direct_emissions(load(DATA / "tiny_micro.toml")),
        lambda: load(EXAMPLES / "textile_merthyr_micro.toml"),
        lambda: load(EXAMPLES / "housing_ebbw_vale_micro.toml"),
    ],
    ids=["tiny", "tiny-with-emissions", "textile-loops", "housing-multi-background"],
)
def test_brightway_import_of_export_gives_our_carbon(bx, catalog, bw_project, tmp_path, make):
    """Import the export with bw2io's ExcelImporter into a project holding desnz-2025: same total as assess()."""
    import bw2calc as bc
    import bw2data as bd
    from bw2io import ExcelImporter
    from bw2io.export.excel import write_lci_excel

    from lca_engine import assess
    from lca_engine.bw.project import activate
    from lca_engine.indicators import CARBON

    factory = make()
    ours = assess(factory, data_dir=bw_project, indicators=["carbon"], strict_balance=False).total(factory.id)
    out = tmp_path / "export.xlsx"
    bx.write_bw_excel(factory, out, catalog=catalog)
    activate(bw_project)
    with bx.quiet():
        imp = ExcelImporter(str(out))
        imp.apply_strategies()
        assert imp.statistics(print_stats=False)[2] == 0  # no unlinked exchange
        imp.write_database()
    fu = bd.get_node(database=factory.id, code="functional-unit")
    lca = bc.LCA({fu: 1.0}, method=CARBON.method)
    lca.lci()
    lca.lcia()
    assert lca.score == pytest.approx(ours, rel=1e-6)
    assert ours > 0
    # and the database Brightway now holds, exported by bw2io's own writer, still reads back as our model
    with bx.quiet():
        exported = write_lci_excel(factory.id, dirpath=str(tmp_path))
    assert bx.read_bw_excel(exported) == factory


def test_awkward_values_survive_a_trip_through_brightway(bx, catalog, bw_project, tmp_path):
    """our export → bw2io ExcelImporter (default strategies) → bw2data → bw2io write_lci_excel → our reader."""
    from bw2io import ExcelImporter
    from bw2io.export.excel import write_lci_excel

    from lca_engine.bw.project import activate

    factory = awkward_factory()
    out = tmp_path / "awkward.xlsx"
    bx.write_bw_excel(factory, out, catalog=catalog)
    activate(bw_project)
    with bx.quiet():
        imp = ExcelImporter(str(out))
        imp.apply_strategies()
        assert imp.statistics(print_stats=False)[2] == 0
        imp.write_database()
        exported = write_lci_excel(factory.id, dirpath=str(tmp_path))
    assert bx.read_bw_excel(exported) == factory


# ------------------------------------------------------------------------------------------ foreign files
def read_foreign(bx, path=FOREIGN, fu="frame welding", **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        factory = bx.read_bw_excel(path, fu, sector="e-mobility", site=SITE, **kw)
    return factory, [str(w.message) for w in caught if issubclass(w.category, bx.ExcelImportWarning)]


def test_foreign_file_from_brightway_gives_hand_computed_amounts(bx):
    """tests/data/excel/frame_shop_brightway.xlsx was written by bw2io's own write_lci_excel (see README there).

    frame welding (FU, produces 1 unit) takes 2.4 kg of cut tube; tube cutting produces 10 kg per batch, so its
    scaling is 2.4 / 10 = 0.24 and its exchanges enter per frame × 0.24.
    """
    f, warned = read_foreign(bx)
    flows = {x.id: x for x in f.flows}
    expect = {  # id: (from, to, kind, amount, unit, background)
        "weld.Carbon_dioxide_fossil": ("weld", "environment", "emission", 0.02, "kg", None),
        "weld.Water": ("weld", "environment", "water", 0.001, "m3", None),
        "weld.electricity_uk": ("market", "weld", "energy", 3.5, "kWh", "desnz.electricity.uk"),
        "weld.natural_gas": ("market", "weld", "energy", 1.2, "kWh", "desnz.natural_gas"),
        "weld.freight_hgv": ("market", "weld", "transport", 0.3, "t*km", "desnz.freight.hgv"),
        "weld.market_for_argon_liquid": ("market", "weld", "material", 0.05, "kg", None),
        "weld.steel_tube_cut_to_length": ("cut", "weld", "material", 2.4, "kg", None),
        "cut.electricity_uk": ("market", "cut", "energy", 2 * 0.24, "kWh", "desnz.electricity.uk"),
        "cut.material_metal_scrap_metal_primary": (
            "market",
            "cut",
            "material",
            0.011 * 0.24,
            "t",
            "desnz.material.metal_scrap_metal.primary",
        ),
        "cut.waste_metal_scrap_metal_closed_loop": (
            "cut",
            "recycling",
            "waste",
            0.001 * 0.24,
            "t",
            "desnz.waste.metal_scrap_metal.closed_loop",
        ),
        "weld.product": ("weld", "market", "product", 1.0, "item", None),
    }
    assert set(flows) == set(expect)
    for fid, (src, dst, kind, amount, unit, bg) in expect.items():
        x = flows[fid]
        assert (x.from_, x.to, x.kind, x.unit, x.background) == (src, dst, kind, unit, bg), fid
        assert x.amount == pytest.approx(amount, rel=1e-12), fid
    assert flows["weld.Carbon_dioxide_fossil"].substance == "Carbon dioxide, fossil"
    assert flows["weld.Water"].compartment == "air"
    assert flows["cut.material_metal_scrap_metal_primary"].origin == "virgin"
    assert [p.id for p in f.processes] == ["weld", "cut"]
    assert f.functional_unit == FunctionalUnit(amount=1, unit="item", description="bicycle frame, steel")
    # provenance: one inline source describing the file, cited by every flow
    ((sid, src),) = f.sources.items()
    assert (src.title, src.publisher, src.licence) == (
        "frame_shop_brightway.xlsx",
        "as stated in the file",
        "unknown — check before use",
    )
    assert {x.source for x in f.flows} == {sid}
    # the exchange to a database lca-engine does not have is kept, without background, with a clear warning
    assert len(warned) == 1 and "market for argon, liquid" in warned[0] and "not counted" in warned[0]
    assert "frame_shop_brightway.xlsx [sheet 'frame-shop']:18" in warned[0]


def test_foreign_import_assesses_to_hand_carbon(bx, data_dir):
    from lca_engine import assess

    f, _ = read_foreign(bx)
    hand = (
        3.5 * ELEC
        + 1.2 * GAS
        + 0.3 * HGV
        + 0.02  # welding; CO2 fossil GWP 1
        + 0.24 * (2 * ELEC + 0.011 * SCRAP_PRIMARY + 0.001 * SCRAP_CLOSED_LOOP_WASTE)  # cutting × 0.24
    )
    result = assess(f, data_dir=data_dir, strict_balance=False, indicators=["carbon"])
    assert result.total(f.id) == pytest.approx(hand, rel=1e-6)


def cyclic_rows(fu_production=2.0) -> list[list]:
    """Two activities feeding each other (a loop), linked by database + code, with a production amount ≠ 1."""
    head = ["name", "amount", "unit", "database", "code", "type", "input", "categories", "location"]
    return [
        ["Database", "loop-works"],
        ["description", "hand-made test file"],
        [],
        ["Activity", "moulding"],
        ["code", "mould"],
        ["unit", "unit"],
        ["reference product", "moulded tray"],
        ["Exchanges"],
        head,
        ["moulding", fu_production, "unit", "loop-works", "mould", "production", None, None, "GB"],
        ["pulp", 1.0, "kilogram", "loop-works", "pulp", "technosphere", None, None, "GB"],
        ["UK electricity", 3.0, "kWh", None, None, "technosphere", "desnz-2025::desnz.electricity.uk", None, None],
        ["tap water", 0.002, "cubic meter", "ecoinvent-3.10-cutoff", None, "technosphere", None, None, "GB"],
        ["Methane, fossil", 0.004, "kilogram", "biosphere3", None, "biosphere", None, "air::urban air", None],
        [
            "Occupation, industrial area",
            0.1,
            "square meter-year",
            "biosphere3",
            None,
            "biosphere",
            None,
            "natural resource::land",
            None,
        ],
        [],
        ["Activity", "pulping"],
        ["code", "pulp"],
        ["unit", "kilogram"],
        ["reference product", "wet pulp"],
        ["Exchanges"],
        head,
        ["pulping", 4.0, "kilogram", "loop-works", "pulp", "production", None, None, "GB"],
        ["moulding", 0.5, "unit", "loop-works", "mould", "technosphere", None, None, "GB"],  # rejects re-pulped
        [
            "steel cans, recycled",
            0.2,
            "ton",
            "desnz-2025",
            "desnz.material.metal_steel_cans.closed_loop",
            "technosphere",
            None,
            None,
            None,
        ],
        [
            "Water, river",
            0.01,
            "cubic meter",
            "biosphere3",
            None,
            "biosphere",
            None,
            "natural resource::in water",
            None,
        ],
    ]


def test_foreign_loop_is_solved_from_the_files_own_technosphere(bx, tmp_path):
    """2 s_m − 0.5 s_p = 1 and −1 s_m + 4 s_p = 0  ⇒  s_p = 1/7.5, s_m = 4/7.5 (per one moulded tray)."""
    path = write_rows(tmp_path / "loop.xlsx", cyclic_rows())
    f, warned = read_foreign(bx, path, fu="mould")
    s_m, s_p = 4 / 7.5, 1 / 7.5
    flows = {x.id: x for x in f.flows}
    expect = {
        "mould.wet_pulp": ("pulp", "mould", "material", 1.0 * s_m, "kg"),
        "mould.electricity_uk": ("market", "mould", "energy", 3.0 * s_m, "kWh"),
        "mould.tap_water": ("market", "mould", "water", 0.002 * s_m, "m3"),
        "mould.Methane_fossil": ("mould", "environment", "emission", 0.004 * s_m, "kg"),
        "pulp.moulded_tray": ("mould", "pulp", "material", 0.5 * s_p, "item"),
        "pulp.material_metal_steel_cans_closed_loop": ("market", "pulp", "material", 0.2 * s_p, "t"),
        "pulp.Water_river": ("environment", "pulp", "water", 0.01 * s_p, "m3"),
        "mould.product": ("mould", "market", "product", 1.0, "item"),
    }
    assert set(flows) == set(expect)
    for fid, (src, dst, kind, amount, unit) in expect.items():
        x = flows[fid]
        assert (x.from_, x.to, x.kind, x.unit) == (src, dst, kind, unit), fid
        assert x.amount == pytest.approx(amount, rel=1e-12), fid
    assert flows["pulp.material_metal_steel_cans_closed_loop"].origin == "recycled"
    assert flows["mould.electricity_uk"].background == "desnz.electricity.uk"
    assert flows["mould.Methane_fossil"].compartment == "air"
    assert flows["pulp.Water_river"].compartment == "surface water"
    assert any("ecoinvent-3.10-cutoff" in w for w in warned)
    assert any("Occupation, industrial area" in w and "left out" in w for w in warned)
    # the imported model passes the product's own validation (balance aside: the file has no masses for trays)
    from lca_engine.load import check_factory

    check_factory(f, strict_balance=False)
    assert dumps(f)  # and can be saved as TOML


def uncertain_rows() -> list[list]:
    """One activity (production 2 units: scaling 0.5) with exchanges carrying each stats_arrays distribution."""
    head = ["name", "amount", "unit", "database", "type", "input", "categories", "uncertainty type", "loc", "scale"]
    head += ["minimum", "maximum"]
    return [
        ["Database", "unc-works"],
        [],
        ["Activity", "pressing"],
        ["code", "press"],
        ["unit", "unit"],
        ["Exchanges"],
        head,
        ["pressing", 2.0, "unit", "unc-works", "production", None, None, 0],
        ["steel sheet", 2.0, "kilogram", "ecoinvent", "technosphere", None, None, 2, math.log(2.0), 0.1],
        [
            "UK electricity",
            3.0,
            "kilowatt hour",
            None,
            "technosphere",
            "desnz-2025::desnz.electricity.uk",
            None,
            5,
            3.0,
            None,
            2.0,
            5.0,
        ],
        ["Carbon dioxide, fossil", 0.5, "kilogram", "biosphere3", "biosphere", None, "air", 3, 0.5, 0.05],
        ["Methane, fossil", 0.01, "kilogram", "biosphere3", "biosphere", None, "air", 4, None, None, 0.008, 0.012],
        ["Ammonia", 0.001, "kilogram", "biosphere3", "biosphere", None, "air", 8, 0.001, 1.0],  # Weibull
    ]


def test_foreign_uncertainty_becomes_a_triangular_assumption_on_the_central_95(bx, tmp_path):
    """Each distribution's 2.5 and 97.5 percentiles (scipy here, independently) times the scaling 0.5 become the
    assumption's low/high; the reasoning names the distribution and says it is modelled as triangular."""
    from scipy import stats

    path = write_rows(tmp_path / "unc.xlsx", uncertain_rows())
    f, warned = read_foreign(bx, path, fu="pressing")
    flows = {x.name: x for x in f.flows}
    q = [0.025, 0.975]
    expect = {
        "steel sheet": ("lognormal", stats.lognorm(s=0.1, scale=2.0).ppf(q)),
        "UK electricity": ("triangular", stats.triang(c=(3.0 - 2.0) / 3.0, loc=2.0, scale=3.0).ppf(q)),
        "Carbon dioxide, fossil": ("normal", stats.norm(0.5, 0.05).ppf(q)),
        "Methane, fossil": ("uniform", stats.uniform(0.008, 0.004).ppf(q)),
    }
    for name, (dist, (low, high)) in expect.items():
        a = flows[name].assumption
        assert a is not None, name
        assert (a.low, a.high) == pytest.approx((0.5 * low, 0.5 * high), rel=1e-9), name
        assert a.low <= flows[name].amount <= a.high
        assert dist in a.reasoning and "triangular" in a.reasoning and "2.5–97.5 %" in a.reasoning, a.reasoning
    assert flows["Ammonia"].assumption is None
    assert any("Ammonia" in w and "type 8" in w and "not carried over" in w for w in warned), warned


def parameter_rows(group: str | None = "my group") -> list[list]:
    """bw2io's export-complicated.xlsx (write_lci_excel of its parameterised test database), with units, and a
    formula exchange in the second activity that uses a parameter of the shared group."""
    params = ["Parameters", group] if group else ["Parameters"]
    return [
        ["Project parameters"],
        ["name", "amount", "formula"],
        ["foo", 1, "green / 7"],
        ["green", 7],
        [],
        ["Database", "example"],
        [],
        ["Database parameters"],
        ["name", "amount", "formula", "database"],
        ["blue", 12, None, "example"],
        ["red", 29, "(foo + blue ** 2) / 5", "example"],
        [],
        ["Activity", "An activity"],
        ["code", "A"],
        ["unit", "kilogram"],
        params,
        ["name", "amount", "formula"],
        ["bar", 5, "reference_me + 2"],
        [],
        ["Exchanges"],
        ["name", "amount", "unit", "type", "formula", "database", "categories"],
        ["An activity", 1, "kilogram", "production"],
        ["Another activity", 0, "kilogram", "technosphere", "foo * bar + 4"],
        [],
        ["Activity", "Another activity"],
        ["code", "B"],
        ["unit", "kilogram"],
        params,
        ["name", "amount", "formula"],
        ["reference_me", 3, "sqrt(red - 20)"],
        [],
        ["Exchanges"],
        ["name", "amount", "unit", "type", "formula", "database", "categories"],
        ["Another activity", 10, "kilogram", "production"],
        ["Carbon dioxide, fossil", 0, "kilogram", "biosphere", "reference_me / 10", "biosphere3", "air"],
    ]


def test_parameters_of_a_shared_group_are_evaluated_by_brightway(bx, tmp_path):
    """By hand: foo = 7 / 7 = 1, red = (1 + 12²) / 5 = 29, reference_me = √(29 − 20) = 3, bar = 3 + 2 = 5; A takes
    foo·bar + 4 = 9 kg of B, B makes 10 kg: s_B = 0.9; B emits reference_me / 10 = 0.3 kg CO2 per run."""
    path = write_rows(tmp_path / "params.xlsx", parameter_rows())
    f, _ = read_foreign(bx, path, fu="An activity")
    flows = {x.name: x for x in f.flows}
    foo, red = 7 / 7, (1 + 12**2) / 5
    reference_me = math.sqrt(red - 20)
    bar = reference_me + 2
    s_b = (foo * bar + 4) / 10
    assert flows["Another activity"].amount == pytest.approx(foo * bar + 4, rel=1e-12)
    assert flows["Carbon dioxide, fossil"].amount == pytest.approx(reference_me / 10 * s_b, rel=1e-12)
    assert "reference_me = 3 (= sqrt(red - 20))" in flows["Carbon dioxide, fossil"].note
    # without the group name each activity has its own group: 'bar' cannot see 'reference_me' (Brightway's rule)
    path = write_rows(tmp_path / "own.xlsx", parameter_rows(group=None))
    with pytest.raises(InventoryError) as e:
        read_foreign(bx, path, fu="An activity")
    assert_error(e, "own.xlsx [sheet 'Sheet1']:18", "parameter 'bar'", "'reference_me'")
    # a formula exchange that fails is named at its own row (the group's other formulas evaluate)
    for formula, needle in (("nonexistent / 10", "uses 'nonexistent'"), ("1 / 0", "ZeroDivisionError")):
        rows = parameter_rows()
        rows[-1][4] = formula
        with pytest.raises(InventoryError) as e:
            read_foreign(bx, write_rows(tmp_path / "bad.xlsx", rows), fu="An activity")
        assert_error(e, "bad.xlsx [sheet 'Sheet1']:35", f"formula '{formula}'", "'Carbon dioxide, fossil'", needle)
        assert len(e.value.problems) == 1


CHEM = "bw2io-excel-chem"  # bw2io's basic_example_with_reference_product.xlsx imported as a background


def test_foreign_exchange_to_an_imported_background_is_linked(bx, data_dir, tmp_path):
    """An exchange whose database is an imported background's name (or its Brightway name bg-NAME) links to the
    activity by name, reference product and location; an activity it does not have stays a purchase with a warning.
    Carbon (IPCC 2021) of the link by hand: 0.2 kg methanol × 0.53 kg CO2 fossil per kg (its only emission with a
    GWP; its electricity input has no exchanges)."""
    from lca_engine import assess
    from lca_engine.background import load_catalog
    from lca_engine.background.imported import load_meta
    from lca_engine.background_import import import_background

    fixture = DATA.parent / "fixtures" / "bw2io" / "excel" / "basic_example_with_reference_product.xlsx"
    if load_meta(data_dir, CHEM) is None:
        import_background(fixture, CHEM, "BSD-3-Clause (bw2io test file)", data_dir=data_dir)
    head = ["name", "reference product", "amount", "unit", "database", "location", "type"]
    rows = [
        ["Database", "resin-works"],
        [],
        ["Activity", "casting"],
        ["unit", "kilogram"],
        ["Exchanges"],
        head,
        ["casting", None, 1.0, "kilogram", "resin-works", None, "production"],
        ["Methanol production", "Methanol, at plant", 0.2, "kilogram", CHEM, "RNA", "technosphere"],
        ["Electricity, at Grid, US, 2008", None, 0.5, "kilowatt hour", f"bg-{CHEM}", "RNA", "technosphere"],
        ["Glue", None, 0.01, "kilogram", CHEM, "RNA", "technosphere"],
    ]
    path = write_rows(tmp_path / "cast.xlsx", rows)
    catalog = load_catalog(2025, cache_dir=data_dir / "cache")
    f, warned = read_foreign(bx, path, fu="casting", catalog=catalog)
    flows = {x.name: x for x in f.flows}
    assert flows["Methanol production"].background == f"{CHEM}:Methanol production|Methanol, at plant|RNA"
    assert flows["Methanol production"].amount == pytest.approx(0.2, rel=1e-12)
    elec = flows["Electricity, at Grid, US, 2008"]
    assert elec.background.startswith(f"{CHEM}:Electricity, at Grid, US, 2008|") and elec.kind == "energy"
    assert flows["Glue"].background is None
    assert any("Glue" in w and CHEM in w and "not counted" in w for w in warned), warned
    result = assess(f, data_dir=data_dir, strict_balance=False, indicators=["carbon_ipcc2021"])
    assert result.total(f.id, indicator="carbon_ipcc2021") == pytest.approx(0.2 * 0.53, rel=1e-6)


# ------------------------------------------------------------------------------------------ bad inputs
def assert_error(exc_info, *needles):
    text = str(exc_info.value)
    for needle in needles:
        assert needle in text, f"{needle!r} not in:\n{text}"
    assert all(p.fix for p in exc_info.value.problems)


def test_not_an_excel_file(bx, tmp_path):
    fake = tmp_path / "inventory.xlsx"
    fake.write_text("id = 'not excel'\n")
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(fake)
    assert_error(e, "inventory.xlsx", "not an Excel workbook", "Save As")
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(DATA / "tiny_micro.toml")
    assert_error(e, "tiny_micro.toml", "not an Excel workbook")
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(tmp_path / "missing.xlsx")
    assert_error(e, "missing.xlsx", "file not found")


def test_missing_database_block_or_empty_sheet(bx, tmp_path):
    rows = [r for r in cyclic_rows() if r[:1] != ["Database"]]
    rows[0] = ["Activity", "moulding"]  # first cell must be text for the sheet to be read at all
    path = write_rows(tmp_path / "nodb.xlsx", rows)
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(path, "mould")
    assert_error(e, "nodb.xlsx", "no 'Database' block", "Database | <database name>")
    empty = write_rows(tmp_path / "empty.xlsx", [[None, "data not starting in A1"]])
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(empty)
    assert_error(e, "empty.xlsx", "no worksheet with data", "cell A1")


@pytest.mark.parametrize("column", ["amount", "unit", "type", "name"])
def test_exchange_table_without_required_column(bx, tmp_path, column):
    rows = cyclic_rows()
    header = rows[8]
    i = header.index(column)
    for r in range(8, 15):  # drop the column from moulding's exchange table (header is row 9)
        rows[r] = rows[r][:i] + rows[r][i + 1 :]
    path = write_rows(tmp_path / "nocol.xlsx", rows, title="Loop sheet")
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(path, "mould", sector="eco-packaging", site=SITE)
    assert_error(e, "nocol.xlsx [sheet 'Loop sheet']:9", f"no '{column}' column", "moulding")


def test_exchange_row_with_empty_amount_names_its_row(bx, tmp_path):
    rows = cyclic_rows()
    rows[11][1] = None  # electricity row, worksheet row 12
    path = write_rows(tmp_path / "blank.xlsx", rows)
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(path, "mould", sector="eco-packaging", site=SITE)
    assert_error(e, "blank.xlsx [sheet 'Sheet1']:12", "has no amount")


def test_unknown_or_missing_functional_unit(bx, tmp_path):
    path = write_rows(tmp_path / "loop.xlsx", cyclic_rows())
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(path, "trays", sector="eco-packaging", site=SITE)
    assert_error(e, "loop.xlsx", "no activity named 'trays'", "'moulding'", "'pulping'")
    with pytest.raises(InventoryError) as e:  # in a loop every activity is consumed: no obvious root
        bx.read_bw_excel(path, sector="eco-packaging", site=SITE)
    assert_error(e, "name the functional-unit activity", "--functional-unit")


def test_root_activity_is_found_when_not_named(bx):
    """In a chain exactly one activity is consumed by no other: it is the functional unit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", excel().ExcelImportWarning)
        f = bx.read_bw_excel(FOREIGN, sector="e-mobility", site=SITE)
    assert f.functional_unit.description == "bicycle frame, steel"


def test_singular_technosphere(bx, tmp_path):
    # pulping's whole output is consumed by moulding and vice versa with no net product: det(A) = 0
    rows = cyclic_rows(fu_production=0.125)  # 0.125 * 4 - 0.5 * 1 = 0
    path = write_rows(tmp_path / "singular.xlsx", rows)
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(path, "mould", sector="eco-packaging", site=SITE)
    assert_error(e, "singular.xlsx", "singular", "production amounts")


def test_foreign_file_needs_sector_and_site(bx, tmp_path):
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(FOREIGN, "frame welding")
    assert_error(e, "frame_shop_brightway.xlsx", "sector", "--sector", "site", "--site")


def test_broken_internal_link_names_the_row(bx, tmp_path):
    rows = cyclic_rows()
    rows[10][0], rows[10][4] = "pulp mill", None  # database 'loop-works' but no such activity
    path = write_rows(tmp_path / "link.xlsx", rows)
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(path, "mould", sector="eco-packaging", site=SITE)
    assert_error(e, "link.xlsx [sheet 'Sheet1']:11", "'pulp mill'", "no activity of the file")


def test_own_export_errors_name_field_and_row(bx, catalog, tmp_path):
    from openpyxl import load_workbook

    factory = load(DATA / "tiny_micro.toml")
    out = tmp_path / "tiny.xlsx"
    bx.write_bw_excel(factory, out, catalog=catalog)
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(out, "knit")
    assert_error(e, "lca-engine export", "omit the functional unit")
    wb = load_workbook(out)
    ws = wb.active
    target = next(c for row in ws.iter_rows() for c in row if c.value == "material")  # lca.kind of 'yarn'
    target.value = "plasma"
    wb.save(out)
    with pytest.raises(InventoryError) as e:
        bx.read_bw_excel(out)
    assert_error(e, f"tiny.xlsx [sheet 'tiny-micro']:{target.row}", "kind", "'plasma'")


def test_edited_brightway_amount_is_reported(bx, catalog, tmp_path):
    from openpyxl import load_workbook

    factory = load(DATA / "tiny_micro.toml")
    out = tmp_path / "tiny.xlsx"
    ours = len(bx.BW_COLUMNS)  # our lca.* columns follow the Brightway ones
    for kind in (bx.FLOW_TYPE, "technosphere"):
        bx.write_bw_excel(factory, out, catalog=catalog)
        wb = load_workbook(out)
        ws = wb.active
        row = next(r for r in ws.iter_rows() if r[6].value == kind and any(c.value for c in r[ours:]))
        row[1].value = 999.0
        wb.save(out)
        where = rf"tiny\.xlsx \[sheet 'tiny-micro'\]:{row[1].row}: "
        with pytest.warns(bx.ExcelImportWarning, match=where + ".*lca\\.amount"):
            assert bx.read_bw_excel(out) == factory


# ------------------------------------------------------------------------------------------ speed
def test_speed(bx, catalog, tmp_path):
    factory = load(EXAMPLES / "textile_merthyr_micro.toml")
    out = tmp_path / "t.xlsx"
    t0 = time.perf_counter()
    bx.write_bw_excel(factory, out, catalog=catalog)
    t1 = time.perf_counter()
    assert bx.read_bw_excel(out) == factory
    t2 = time.perf_counter()
    print(f"write {1000 * (t1 - t0):.0f} ms, read {1000 * (t2 - t1):.0f} ms for {len(factory.flows)} flows")
    assert t1 - t0 < 2 and t2 - t1 < 2
