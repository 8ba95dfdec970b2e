"""Every indicator of one example, at both scopes, equals an independent computation with plain numpy.

Independent of lca_engine's importer and Brightway layer: factor values are read from the official DESNZ flat
file with openpyxl using the selectors of desnz.toml, open cradle-to-gate factors and carrier primary energy
factors from background/open_factors/*.toml with tomllib, the inventory is read with tomllib, units converted with
a fresh pint registry, A and B are built by hand, and A s = f is solved with numpy.linalg.solve. Site scope is
written out from its definition: the processes' own flows, plus the energy carriers (carbon, energy) and the mains
water (water) they buy.
"""

from __future__ import annotations

import re
import tomllib

import numpy as np
import openpyxl
import pint
import pytest

from lca_engine import assess_files

from .conftest import EXAMPLES, ROOT

BG = ROOT / "inventories" / "background"
EXAMPLE = EXAMPLES / "textile_merthyr_micro.toml"
BOUNDARY = {
    "market",
    "environment",
    "landfill",
    "recycling",
    "reuse",
    "energy_recovery",
    "composting",
    "wastewater_treatment",
}
AR5 = {"CO2": 1.0, "CH4": 28.0, "N2O": 265.0}
AR6 = {"CO2": 1.0, "CH4": 29.8, "N2O": 273.0}
GAS_UNIT = {"kg CO2e of CO2 per unit": "CO2", "kg CO2e of CH4 per unit": "CH4", "kg CO2e of N2O per unit": "N2O"}

u = pint.UnitRegistry()
u.define("item = [item]")
u.define("tkm = tonne * kilometer")
u.define("m3 = meter ** 3")


def q(amount, unit):
    return u.Quantity(amount, unit.replace("t*km", "tonne*kilometer"))


def flat_rows():
    wb = openpyxl.load_workbook(BG / "desnz" / "ghg-conversion-factors-2025-flat-format.xlsx", read_only=True)
    rows = []
    for r in wb["Factors by Category"].iter_rows(values_only=True):
        if r[0] and r[0] != "ID" and r[9] is not None and isinstance(r[9], int | float):
            rows.append(
                {
                    "level1": r[2] or "",
                    "level2": r[3] or "",
                    "level3": r[4] or "",
                    "level4": r[5] or "",
                    "column_text": r[6] or "",
                    "uom": r[7] or "",
                    "ghg_unit": r[8],
                    "value": float(r[9]),
                }
            )
    return rows


def factor(key: str, rows, cfg):
    """(CO2e, {gas: CO2e} or None, carrier, kWh per unit, m3 withdrawn per unit, unit) for one key."""
    name = key.removeprefix("desnz.")
    spec = cfg["factors"].get(name)
    if spec is None:  # family: material / waste
        family, slug, route = name.split(".")
        fam = cfg["families"][family]
        col = fam["routes"][route]
        col = col if isinstance(col, str) else col["2025"]  # per-year labels; this test reads the 2025 file
        for r in rows:
            s = re.sub(r"[^a-z0-9]+", "_", re.sub(r"\(.*?\)", "", r["level3"]).lower()).strip("_")
            if (
                r["level1"] == fam["level1"]
                and r["uom"] == fam["uom"]
                and r["column_text"] == col
                and s == slug
                and r["ghg_unit"] == "kg CO2e"
            ):
                return r["value"], None, "", 0.0, 0.0, fam["unit"]
        raise KeyError(key)
    if "components" in spec:
        parts = [factor("desnz." + c, rows, cfg) for c in spec["components"]]
        gases = {g: sum(p[1][g] for p in parts) for g in AR5}
        return (
            sum(p[0] for p in parts),
            gases,
            spec.get("carrier", ""),
            spec.get("kwh_per_unit", 0.0),
            0.0,
            spec["unit"],
        )

    def pick(ghg_unit, uom=None):
        hits = [
            r
            for r in rows
            if r["ghg_unit"] == ghg_unit
            and r["uom"] == (uom or spec["uom"])
            and all(r[k] == spec[k] for k in ("level1", "level2", "level3", "level4", "column_text") if k in spec)
        ]
        return hits[0]["value"] if len(hits) == 1 else None

    total = pick("kg CO2e")
    gases = {g: pick(gu) for gu, g in GAS_UNIT.items()}
    gases = gases if all(v is not None for v in gases.values()) else None
    kwh = spec.get("kwh_per_unit", 0.0)
    if "kwh_per_unit_from" in spec:
        kwh = total / pick("kg CO2e", spec["kwh_per_unit_from"])
    return total, gases, spec.get("carrier", ""), kwh, spec.get("withdrawal_m3_per_unit", 0.0), spec["unit"]


def mass_kg(fl):
    qq = q(fl["amount"], fl["unit"])
    if qq.check("[mass]"):
        return qq.to("kg").magnitude
    if "mass_per_unit" in fl:
        return (qq * u.Quantity(fl["mass_per_unit"])).to("kg").magnitude
    if fl["kind"] == "water" and qq.check("[length]**3"):
        return qq.to("L").magnitude
    return None


def open_tables() -> dict:
    out = {}
    for path in sorted((BG / "open_factors").glob("*.toml")):
        out.update(tomllib.loads(path.read_text())["factors"])
    return out


OPEN = open_tables()
#: open quantity -> (the per-key dict entry it adds to)
OPEN_FAMILY = {
    "carbon": "carbon",
    "primary_energy_total": "energy",
    "primary_energy_nonrenewable": "energy",
    "primary_energy_renewable": "energy",
    "water_withdrawal": "water",
    "water_consumption": "water",
    "chemicals_embodied": "chemicals",
}
PEF = {"electricity": "pef.electricity_gb", "natural_gas": "pef.natural_gas", "diesel": "pef.diesel", "lpg": "pef.lpg"}


def open_figures(key: str) -> tuple[dict[str, float], str]:
    """({quantity: value per unit}, unit) of an open.<key>[/<family>] link, read from the TOML tables."""
    base, _, family = key.removeprefix("open.").partition("/")
    table = OPEN[base]
    figures = {
        q: v["value"] for q, v in table.items() if isinstance(v, dict) and (not family or OPEN_FAMILY[q] == family)
    }
    return figures, table["unit"]


def pef(carrier: str, quantities: tuple[str, ...]) -> float:
    """MJ primary energy per kWh delivered of a carrier, summed over the open quantities asked for."""
    table = OPEN.get(PEF.get(carrier, ""), {})
    return sum(table[q]["value"] for q in quantities if q in table)


PE_PARTS = {
    "primary_energy": ("primary_energy_total", "primary_energy_nonrenewable", "primary_energy_renewable"),
    "primary_energy_nonrenewable": ("primary_energy_nonrenewable",),
    "primary_energy_renewable": ("primary_energy_renewable",),
}


def independent_scores(site: bool = False):
    inv = tomllib.loads(EXAMPLE.read_text())
    cfg = tomllib.loads((BG / "desnz.toml").read_text())
    rows = flat_rows()
    procs = [p["id"] for p in inv["processes"]]
    ref = dict.fromkeys(procs, 0.0)
    for fl in inv["flows"]:
        if fl["from"] in procs and (fl["to"] in procs or (fl["to"] == "market" and fl["kind"] == "product")):
            ref[fl["from"]] += mass_kg(fl)

    def links(fl) -> list[str]:
        b = fl.get("background", [])
        return [b] if isinstance(b, str) else list(b)

    keys = sorted({k for fl in inv["flows"] for k in links(fl)})
    n = len(procs)
    A = np.zeros((n, n))
    for i, p in enumerate(procs):
        A[i, i] = ref[p] or 1.0
    f = np.zeros(n)
    inputs = np.zeros((len(keys), n))  # background inputs in the factor's unit
    direct = {}  # elementary indicator flows of foreground processes
    for fl in inv["flows"]:
        src, dst = fl["from"], fl["to"]
        if src in procs and dst in procs:
            A[procs.index(src), procs.index(dst)] -= mass_kg(fl)
            continue
        if src in procs and dst == "market" and fl["kind"] == "product":
            f[procs.index(src)] += mass_kg(fl)
            continue
        owner = procs.index(dst if src in BOUNDARY else src)
        for key in links(fl):
            unit = open_figures(key)[1] if key.startswith("open.") else factor(key, rows, cfg)[5]
            inputs[keys.index(key), owner] += (
                q(fl["amount"], fl["unit"]).to(unit.replace("t*km", "tonne*kilometer")).magnitude
            )
        if fl["kind"] == "chemical" and src in BOUNDARY:
            k = "chem_" + fl["category"]
            direct.setdefault(k, np.zeros(n))[owner] += mass_kg(fl)
        if fl["kind"] == "water" and dst == "environment" and fl["compartment"] == "air":
            direct.setdefault("evaporated", np.zeros(n))[owner] += mass_kg(fl) / 1000
        if fl["kind"] == "water" and src == "environment":
            direct.setdefault("abstracted", np.zeros(n))[owner] += mass_kg(fl) / 1000
    s = np.linalg.solve(A, f)
    bg_use = inputs @ s  # amount of each background product used per FU
    scores = dict.fromkeys(
        [
            "carbon",
            "carbon_ipcc2021",
            "energy_delivered",
            "primary_energy",
            "primary_energy_nonrenewable",
            "primary_energy_renewable",
            "water_withdrawal",
            "water_consumption",
            "water_scarcity",
            "water_wcp",
            "chemicals_total",
            "ecotox_freshwater",
            "human_tox_cancer",
            "human_tox_noncancer",
        ],
        0.0,
    )
    for c in ("electricity", "natural_gas", "diesel", "lpg", "onsite_renewable"):
        scores[f"energy_{c}"] = 0.0
    for c in ("dyes_auxiliaries", "solvents", "acids_alkalis", "resins_binders", "other"):
        scores[f"chemicals_{c}"] = float(direct.get("chem_" + c, np.zeros(n)) @ s)
        scores["chemicals_total"] += scores[f"chemicals_{c}"]
    consumption = float(direct.get("evaporated", np.zeros(n)) @ s)
    for k, amount in zip(keys, bg_use, strict=True):
        if k.startswith("open."):
            if site:
                continue  # bought materials: supply chain only
            figures = open_figures(k)[0]
            scores["carbon"] += amount * figures.get("carbon", 0.0)
            scores["carbon_ipcc2021"] += amount * figures.get("carbon", 0.0)  # published as CO2e totals
            for ind, parts in PE_PARTS.items():
                scores[ind] += amount * sum(figures.get(p, 0.0) for p in parts)
            scores["water_withdrawal"] += amount * figures.get("water_withdrawal", 0.0)
            consumption += amount * figures.get("water_consumption", 0.0)
            scores["chemicals_total"] += amount * figures.get("chemicals_embodied", 0.0)
            continue
        total, gases, carrier, kwh, water, _ = factor(k, rows, cfg)
        if not site or carrier:  # on site: carbon of the energy bought (scopes 1 and 2)
            scores["carbon"] += amount * total
            scores["carbon_ipcc2021"] += amount * (
                sum(v / AR5[g] * AR6[g] for g, v in gases.items()) if gases else total
            )
        if carrier:
            scores[f"energy_{carrier}"] += amount * kwh
            scores["energy_delivered"] += amount * kwh
            for ind, parts in PE_PARTS.items():
                scores[ind] += amount * kwh * pef(carrier, parts)
        scores["water_withdrawal"] += amount * water  # mains water: withdrawn for the site
    scores["water_withdrawal"] += float(direct.get("abstracted", np.zeros(n)) @ s)
    scores["water_consumption"] = consumption
    scores["water_wcp"] = consumption * 1.0
    scores["water_scarcity"] = consumption * 42.95
    return scores, s


@pytest.fixture(scope="module")
def engine(data_dir):
    return assess_files([EXAMPLE], data_dir=data_dir)


@pytest.mark.parametrize("scope", ["site", "cradle_to_gate"])
def test_every_indicator_equals_plain_numpy(engine, scope):
    expected, s = independent_scores(site=scope == "site")
    assert np.allclose(s, 1.0)  # a consistent per-FU inventory solves to scaling 1
    from lca_engine.indicators import INDICATORS

    assert set(expected) == set(INDICATORS)
    for ind, value in expected.items():
        got = engine.total("textile-merthyr-micro", ind, scope)
        assert got == pytest.approx(value, rel=1e-9, abs=1e-12), ind
    assert expected["water_withdrawal"] > 0 and expected["chemicals_total"] > 0 and expected["primary_energy"] > 0


def test_cradle_to_gate_energy_and_water_include_cotton(engine):
    """The cotton yarn's open cradle-to-gate primary energy and water are in the cradle-to-gate result, not on
    site: the difference between the scopes is the yarn's figures (55 MJ, 5.73 m3 per kg) times the yarn bought
    (plus the carbon, energy and water of the supply chains of the other purchases)."""
    site, _ = independent_scores(site=True)
    c2g, _ = independent_scores()
    yarn = next(f for f in tomllib.loads(EXAMPLE.read_text())["flows"] if f["id"] == "yarn_virgin")
    kg = q(yarn["amount"], yarn["unit"]).to("kg").magnitude
    cotton = OPEN["cotton.fibre"]
    assert c2g["water_withdrawal"] - site["water_withdrawal"] == pytest.approx(
        kg * cotton["water_withdrawal"]["value"], rel=1e-12
    )
    assert c2g["primary_energy"] - site["primary_energy"] == pytest.approx(
        kg * cotton["primary_energy_total"]["value"], rel=1e-12
    )
    for ind in ("primary_energy", "water_withdrawal"):
        for scope, hand in (("site", site), ("cradle_to_gate", c2g)):
            assert engine.total("textile-merthyr-micro", ind, scope) == pytest.approx(hand[ind], rel=1e-9), (ind, scope)
