"""Circularity indicators derived from a factory's material-flow graph (inflow origins, outflow destinations).

The conventions are :data:`CONVENTIONS`, stated in every result so an assessor can check them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..balance import flow_mass_kg
from ..graph import build_graph, find_loops
from ..model import BOUNDARY_NODES, ENVIRONMENT, MARKET, MATERIAL_RECOVERY_NODES, ORIGINS, WASTE_ROUTES, Factory
from ..units import convert, parse_unit, ureg
from .mci import FORMULA, mci

#: How flows are counted; stated in every result (a constant: docstrings are gone under `python -OO`).
CONVENTIONS = """\
* **Material inflows** are material and chemical flows entering a process from outside (water and energy are
  reported separately). Chemicals without an origin count as virgin.
* **Outflows** are the products (to market) and the process wastes and by-products leaving to landfill, recycling,
  reuse, energy recovery, composting, waste-water treatment or sold to market. Water and emissions are excluded.
* Process waste sent to recycling, reuse or composting, and by-products sold, are *recovered*; landfill,
  energy recovery and waste-water treatment are not (energy recovery is not circular in the CTI and ISO 59020).
* The product's fate after use comes from the inventory's ``[end_of_use]`` section; without it the product is
  treated as not recovered (a lower bound), and the result says so.
"""


RECOVERED = MATERIAL_RECOVERY_NODES
WASTE_NODES = WASTE_ROUTES


@dataclass
class MaterialFlows:
    inflow_by_origin: dict[str, float] = field(default_factory=dict)  # kg per FU
    outflow_by_destination: dict[str, float] = field(default_factory=dict)  # process waste/by-products, kg per FU
    product_kg: float = 0.0
    excluded: list[str] = field(default_factory=list)

    @property
    def inflow_kg(self) -> float:
        return sum(self.inflow_by_origin.values())

    @property
    def waste_kg(self) -> float:
        return sum(self.outflow_by_destination.values())


def material_flows(factory: Factory) -> MaterialFlows:
    mf = MaterialFlows(
        dict.fromkeys(ORIGINS, 0.0),
        dict.fromkeys((*WASTE_NODES, "sold by-product"), 0.0),
    )
    for f in factory.flows:
        entering = f.from_ in BOUNDARY_NODES and f.to not in BOUNDARY_NODES
        leaving = f.from_ not in BOUNDARY_NODES and f.to in BOUNDARY_NODES
        if entering and f.kind in ("material", "chemical"):
            kg = flow_mass_kg(f)
            if kg is None:
                mf.excluded.append(f"{f.id}: inflow without a mass")
                continue
            mf.inflow_by_origin[f.origin or "virgin"] += kg
        elif leaving and f.kind == "product" and f.to == MARKET:
            kg = flow_mass_kg(f)
            if kg is None:
                mf.excluded.append(f"{f.id}: product without a mass (give mass_per_unit)")
                continue
            mf.product_kg += kg
        elif leaving and f.kind in ("waste", "material", "chemical", "product"):
            kg = flow_mass_kg(f)
            if kg is None:
                mf.excluded.append(f"{f.id}: outflow without a mass")
                continue
            dest = "sold by-product" if f.to == MARKET else f.to
            if dest in mf.outflow_by_destination:
                mf.outflow_by_destination[dest] += kg
    return mf


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def _ind(value, unit: str, formula: str, inputs: dict, note: str = "") -> dict:
    out = {"value": value, "unit": unit, "formula": formula, "inputs": inputs}
    if note:
        out["note"] = note
    return out


def factory_mci(factory: Factory, mf: MaterialFlows | None = None) -> dict:
    """MCI of the factory's product from its graph and end-of-use data (formula inputs included)."""
    mf = mf or material_flows(factory)
    notes = []
    if mf.product_kg <= 0:
        return {"value": None, "note": "no product mass: give mass_per_unit on the product flow"}
    inflow = mf.inflow_kg
    fr = _share(mf.inflow_by_origin["recycled"], inflow) or 0.0
    fu = _share(mf.inflow_by_origin["reused"], inflow) or 0.0
    fs = _share(mf.inflow_by_origin["renewable"], inflow) or 0.0
    eou = factory.end_of_use
    if eou is None:
        notes.append(
            "end of use not stated: product treated as not collected (C = 0), utility X = 1 — a lower "
            "bound; add an [end_of_use] section"
        )
        kw = {}
        x = 1.0
    else:
        kw = dict(
            collected_for_reuse=eou.collected_for_reuse,
            collected_for_recycling=eou.collected_for_recycling,
            collected_for_composting=eou.collected_for_composting,
            collected_for_energy_recovery=eou.collected_for_energy_recovery,
            recycling_efficiency_collection=eou.recycling_efficiency_collection,
        )
        x = eou.lifetime_ratio * eou.intensity_ratio
    e_f = eou.recycling_efficiency_feedstock if eou else 1.0
    if eou is None and fr > 0:
        notes.append("recycling efficiency of the recycled feedstock not stated: E_F = 1")
    notes.append("F_S counts inflows of origin 'renewable' as sustainably sourced biological feedstock")
    r = mci(
        mf.product_kg,
        recycled_feedstock=fr,
        reused_feedstock=fu,
        bio_feedstock=fs,
        recycling_efficiency_feedstock=e_f,
        utility=x,
        **kw,
    )
    d = r.to_dict()
    return {
        "value": r.mci,
        "unit": "ratio (0-1)",
        "formula": FORMULA,
        "inputs": {
            "M (product mass, kg per FU)": r.mass,
            "F_R": r.recycled_feedstock,
            "F_U": r.reused_feedstock,
            "F_S": r.bio_feedstock,
            "C_U": r.collected_for_reuse,
            "C_R": r.collected_for_recycling,
            "C_C": r.collected_for_composting,
            "C_E": r.collected_for_energy_recovery,
            "E_C": r.recycling_efficiency_collection,
            "E_F": r.recycling_efficiency_feedstock,
            "X = (L/L_av)(U/U_av)": r.utility,
            "feedstock (material inflow, kg per FU)": inflow,
        },
        "intermediate": {
            k: d[k]
            for k in (
                "virgin_mass",
                "unrecoverable_waste",
                "recycling_waste",
                "feedstock_waste",
                "waste_mass",
                "lfi",
                "utility_factor",
            )
        },
        "method": d["method"],
        "notes": notes,
    }


def _product_circular_fraction(factory: Factory) -> tuple[float, str]:
    eou = factory.end_of_use
    if eou is None:
        return 0.0, "end of use not stated: product counted as not recovered"
    frac = (
        eou.collected_for_reuse
        + eou.collected_for_recycling * eou.recycling_efficiency_collection
        + eou.collected_for_composting
    )
    return frac, "C_U + C_R · E_C + C_C from [end_of_use] (energy recovery is not circular)"


def cti(factory: Factory, mf: MaterialFlows | None = None) -> dict:
    """WBCSD Circular Transition Indicators v4 (close the loop): inflow, outflow, material circularity, CMP."""
    mf = mf or material_flows(factory)
    circ_in = mf.inflow_by_origin["recycled"] + mf.inflow_by_origin["reused"] + mf.inflow_by_origin["renewable"]
    linear_in = mf.inflow_by_origin["virgin"]
    prod_frac, prod_note = _product_circular_fraction(factory)
    recovered_waste = sum(mf.outflow_by_destination[d] for d in (*RECOVERED, "sold by-product"))
    out_mass = mf.product_kg + mf.waste_kg
    circ_out = mf.product_kg * prod_frac + recovered_waste
    pin = _share(circ_in, mf.inflow_kg)
    pout = _share(circ_out, out_mass)
    both = mf.inflow_kg + out_mass
    pmat = (circ_in + circ_out) / both if both > 0 else None
    econ = factory.economics
    if econ is None:
        cmp_ = _ind(None, "", "revenue / linear inflow mass", {}, "not stated: add an [economics] section")
    elif linear_in <= 0:
        cmp_ = _ind(
            None,
            f"{econ.currency} per t",
            "revenue / linear inflow mass",
            {"revenue per FU": econ.revenue_per_fu, "linear inflow (kg per FU)": linear_in},
            "no linear inflow: productivity is unbounded",
        )
    else:
        cmp_ = _ind(
            econ.revenue_per_fu / (linear_in / 1000),
            f"{econ.currency} per t",
            "revenue per FU / linear (virgin) inflow in tonnes per FU",
            {"revenue per FU": econ.revenue_per_fu, "linear inflow (kg per FU)": linear_in},
        )
    return {
        "method": "WBCSD Circular Transition Indicators v4.0 (2023)",
        "circular_inflow": _ind(
            pin,
            "share",
            "(recycled + reused + renewable inflow) / total material inflow",
            {
                "recycled kg": mf.inflow_by_origin["recycled"],
                "reused kg": mf.inflow_by_origin["reused"],
                "renewable kg": mf.inflow_by_origin["renewable"],
                "total inflow kg": mf.inflow_kg,
            },
        ),
        "circular_outflow": _ind(
            pout,
            "share",
            "Σ mass × recovery potential × actual recovery / Σ outflow mass",
            {
                "product kg": mf.product_kg,
                "product recovered fraction": prod_frac,
                "process waste recovered kg": recovered_waste,
                "process waste kg": mf.waste_kg,
            },
            prod_note,
        ),
        "material_circularity": _ind(
            pmat,
            "share",
            "(circular inflow + circular outflow) / (inflow + outflow), i.e. the mass-weighted average of the two",
            {
                "circular inflow kg": circ_in,
                "circular outflow kg": circ_out,
                "inflow kg": mf.inflow_kg,
                "outflow kg": out_mass,
            },
        ),
        "circular_material_productivity": cmp_,
    }


def _energy_kwh(factory: Factory) -> tuple[float, float]:
    total = renewable = 0.0
    kwh = ureg.get_dimensionality("[mass]*[length]**2/[time]**2")
    for f in factory.flows:
        if f.kind == "energy" and f.from_ in (MARKET, ENVIRONMENT) and parse_unit(f.unit).dimensionality == kwh:
            e = convert(f.amount, f.unit, "kWh")
            total += e
            if f.from_ == ENVIRONMENT:
                renewable += e
    return total, renewable


def _water(factory: Factory, loops) -> dict:
    withdrawn = rain = recirculated = 0.0
    loop_edges = set()
    for lp in loops:
        loop_edges.update(lp.flows)
    for f in factory.flows:
        if f.kind != "water":
            continue
        m = flow_mass_kg(f)
        if m is None:
            continue
        m3 = m / 1000
        if f.from_ in (MARKET, ENVIRONMENT) and f.to not in BOUNDARY_NODES:
            withdrawn += m3
            if f.compartment == "rainwater":
                rain += m3
        elif f.id in loop_edges:
            recirculated += m3
    return {
        "water_withdrawal": _ind(withdrawn, "m3 per FU", "mains + abstracted water", {}),
        "circular_water_withdrawal": _ind(
            _share(rain, withdrawn),
            "share",
            "rainwater harvested / withdrawal",
            {"rainwater m3": rain, "withdrawal m3": withdrawn},
        ),
        "water_reuse": _ind(
            _share(recirculated, recirculated + withdrawn),
            "share",
            "water recirculated in loops / (recirculated + withdrawn)",
            {"recirculated m3": recirculated, "withdrawal m3": withdrawn},
        ),
    }


def iso59020(factory: Factory, mf: MaterialFlows | None = None, loops=None) -> dict:
    """ISO 59020:2024 core indicators that the inventory can support (shares by mass)."""
    mf = mf or material_flows(factory)
    loops = loops if loops is not None else find_loops(factory)
    eou = factory.end_of_use
    p = mf.product_kg
    out = mf.outflow_by_destination
    reused = out["reuse"] + out["sold by-product"] + (p * eou.collected_for_reuse if eou else 0.0)
    recycled = out["recycling"] + (
        p * eou.collected_for_recycling * eou.recycling_efficiency_collection if eou else 0.0
    )
    bio = out["composting"] + (p * eou.collected_for_composting if eou else 0.0)
    total_out = p + mf.waste_kg
    energy, renewable = _energy_kwh(factory)
    inputs_in = {"inflow kg": mf.inflow_kg}
    res = {
        "method": "ISO 59020:2024 Circular economy — measuring and assessing circularity performance (core "
        "indicators supported by the inventory)",
        "reused_inflow_content": _ind(
            _share(mf.inflow_by_origin["reused"], mf.inflow_kg),
            "share",
            "reused inflow / total inflow",
            {**inputs_in, "reused kg": mf.inflow_by_origin["reused"]},
        ),
        "recycled_inflow_content": _ind(
            _share(mf.inflow_by_origin["recycled"], mf.inflow_kg),
            "share",
            "recycled inflow / total inflow",
            {**inputs_in, "recycled kg": mf.inflow_by_origin["recycled"]},
        ),
        "renewable_inflow_content": _ind(
            _share(mf.inflow_by_origin["renewable"], mf.inflow_kg),
            "share",
            "renewable inflow / total inflow",
            {**inputs_in, "renewable kg": mf.inflow_by_origin["renewable"]},
        ),
        "outflow_reused": _ind(
            _share(reused, total_out),
            "share",
            "outflow reused / total outflow",
            {"reused kg": reused, "outflow kg": total_out},
        ),
        "outflow_recycled": _ind(
            _share(recycled, total_out),
            "share",
            "outflow recycled / total outflow",
            {"recycled kg": recycled, "outflow kg": total_out},
        ),
        "outflow_bio_recirculated": _ind(
            _share(bio, total_out),
            "share",
            "outflow composted / total outflow",
            {"composted kg": bio, "outflow kg": total_out},
        ),
        "renewable_energy_share": _ind(
            _share(renewable, energy),
            "share",
            "on-site renewable energy / delivered energy",
            {"renewable kWh": renewable, "delivered kWh": energy},
            "grid electricity is not credited as renewable",
        ),
        **_water(factory, loops),
    }
    if eou is None:
        res["note"] = "end of use not stated: product outflow counted as neither reused nor recycled"
    return res


def loop_metrics(factory: Factory, mf: MaterialFlows | None = None, loops=None) -> list[dict]:
    mf = mf or material_flows(factory)
    loops = loops if loops is not None else find_loops(factory)
    return [
        {
            "loop": lp.label(),
            "flows": list(lp.flows),
            "recirculated_kg_per_fu": lp.recirculated_kg,
            "share_of_material_inflow": _share(lp.recirculated_kg, mf.inflow_kg),
        }
        for lp in loops
    ]


def waste_metrics(factory: Factory, mf: MaterialFlows | None = None) -> dict:
    mf = mf or material_flows(factory)
    out = mf.outflow_by_destination
    total = mf.waste_kg
    recycled = out["recycling"] + out["reuse"] + out["composting"] + out["sold by-product"]
    return {
        "process_waste": _ind(
            total, "kg per FU", "Σ process waste and by-products leaving the factory", {k: v for k, v in out.items()}
        ),
        "recycling_rate": _ind(
            _share(recycled, total),
            "share",
            "(recycling + reuse + composting + sold by-products) / process waste",
            {"recovered kg": recycled, "waste kg": total},
        ),
        "landfill_diversion": _ind(
            _share(total - out["landfill"], total),
            "share",
            "1 − landfill / process waste",
            {"landfill kg": out["landfill"], "waste kg": total},
        ),
        "landfill_share": _ind(
            _share(out["landfill"], total),
            "share",
            "landfill / process waste",
            {"landfill kg": out["landfill"], "waste kg": total},
        ),
    }


def circularity_report(checked_or_factory) -> dict:
    """All circularity indicators of one factory as a JSON-able dict with formulas and inputs."""
    factory = getattr(checked_or_factory, "factory", checked_or_factory)
    mf = material_flows(factory)
    loops = find_loops(factory, build_graph(factory))
    return {
        "factory": factory.id,
        "conventions": CONVENTIONS.strip(),
        "material_flows": {
            "inflow_by_origin_kg": mf.inflow_by_origin,
            "outflow_by_destination_kg": mf.outflow_by_destination,
            "product_kg": mf.product_kg,
            "excluded": mf.excluded,
        },
        "mci": factory_mci(factory, mf),
        "cti": cti(factory, mf),
        "iso59020": iso59020(factory, mf, loops),
        "loops": loop_metrics(factory, mf, loops),
        "waste": waste_metrics(factory, mf),
    }
