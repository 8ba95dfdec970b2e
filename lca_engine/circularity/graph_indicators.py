"""Circularity indicators derived from a factory's material-flow graph (inflow origins, outflow destinations).

The conventions are :data:`CONVENTIONS`, stated in every result so an assessor can check them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..balance import flow_mass_kg
from ..graph import build_graph, find_loops
from ..model import BOUNDARY_NODES, MARKET, MATERIAL_RECOVERY_NODES, ORIGINS, WASTE_ROUTES, Factory
from .common import indicator as _ind
from .common import share as _share
from .energy import renewable_energy
from .lifetime import SYMBOL, lifetime_ratio
from .loops import LoopKind, loop_returns
from .mci import FORMULA, mci
from .waste import waste_figures
from .water import water_balance, water_indicators

#: How flows are counted; stated in every result (a constant: docstrings are gone under `python -OO`).
CONVENTIONS = """\
* **Material inflows** are material and chemical flows entering a process from outside (water and energy are
  reported separately). Chemicals without an origin count as virgin.
* **Outflows** are the products (to market) and the process wastes and by-products leaving to landfill, recycling,
  reuse, energy recovery, composting, waste-water treatment or sold to market. Water and emissions are excluded.
* Process waste sent to recycling, reuse or composting, and by-products sold, are *recovered*; landfill,
  energy recovery and waste-water treatment are not (energy recovery is not circular in the CTI and ISO 59020).
* **Solid process waste** excludes the dissolved load sent to waste-water treatment (effluent), which is
  reported on its own; in-house recovery (material returned by the factory's own loops) is a figure of its own.
* CTI % circular outflow and ISO 59020 recycled outflow follow the methods (collected share, no recycling yield);
  the yield-adjusted variants (× E_C, as in the MCI) are named as such.
* The product's fate after use comes from the inventory's ``[end_of_use]`` section; without it the product is
  treated as not recovered (a lower bound), and the result says so.
"""


RECOVERED = MATERIAL_RECOVERY_NODES
#: Inflow origins that count as circular (CTI % circular inflow): every origin but virgin.
CIRCULAR_ORIGINS = tuple(o for o in ORIGINS if o != "virgin")
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
    ratio = lifetime_ratio(factory)
    u = eou.intensity_ratio if eou else 1.0
    x = (1.0 if ratio.value is None else ratio.value) * u
    if eou is None:
        notes.append(
            "end of use not stated: product treated as not collected (C = 0), "
            + ("utility X = 1" if ratio.value is None else "U/U_av = 1")
            + " — a lower bound; add an [end_of_use] section"
        )
        kw = {}
    else:
        kw = dict(
            collected_for_reuse=eou.collected_for_reuse,
            collected_for_recycling=eou.collected_for_recycling,
            collected_for_composting=eou.collected_for_composting,
            collected_for_energy_recovery=eou.collected_for_energy_recovery,
            recycling_efficiency_collection=eou.recycling_efficiency_collection,
        )
    notes.append(f"utility X = (L/L_av)(U/U_av) — {ratio.note}")
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
        utility_basis=ratio.basis,
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
            "X basis": r.utility_basis,
            SYMBOL: ratio.value,
            "U/U_av": u,
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


#: Why the CTI / ISO 59020 outflow figures and their yield-adjusted variants differ (printed beside both).
YIELD_NOTE = (
    "WBCSD CTI v4 and ISO 59020 count the product's recovery as recovery potential × actual recovery: the share "
    "collected for reuse, recycling or composting (C_U + C_R + C_C). The yield-adjusted variant multiplies the "
    "recycled share by the MCI's recycling efficiency E_C (C_U + C_R · E_C + C_C), so that only the mass coming "
    "out of recycling as new material counts — a project variant, not part of either method."
)


def _product_recovery(factory: Factory, yield_adjusted: bool) -> tuple[float, str]:
    eou = factory.end_of_use
    if eou is None:
        return 0.0, "end of use not stated: product counted as not recovered"
    e_c = eou.recycling_efficiency_collection if yield_adjusted else 1.0
    frac = eou.collected_for_reuse + eou.collected_for_recycling * e_c + eou.collected_for_composting
    terms = "C_U + C_R · E_C + C_C" if yield_adjusted else "C_U + C_R + C_C"
    return frac, f"{terms} from [end_of_use] (energy recovery is not circular)"


def _circular_outflow(factory: Factory, mf: MaterialFlows, yield_adjusted: bool) -> tuple[dict, float]:
    """% circular outflow (CTI) and its circular mass, kg per FU."""
    frac, note = _product_recovery(factory, yield_adjusted)
    recovered_waste = sum(mf.outflow_by_destination[d] for d in (*RECOVERED, "sold by-product"))
    out_mass = mf.product_kg + mf.waste_kg
    circ_out = mf.product_kg * frac + recovered_waste
    formula = "Σ mass × recovery potential × actual recovery" + (" × E_C (recycled part)" if yield_adjusted else "")
    inputs = {
        "product kg": mf.product_kg,
        "product recovered fraction": frac,
        "process waste recovered kg": recovered_waste,
        "process waste kg": mf.waste_kg,
    }
    return _ind(_share(circ_out, out_mass), "share", f"{formula} / Σ outflow mass", inputs, f"{note}. {YIELD_NOTE}"), (
        circ_out
    )


def _material_circularity(circ_in: float, circ_out: float, inflow: float, outflow: float) -> dict:
    both = inflow + outflow
    return _ind(
        (circ_in + circ_out) / both if both > 0 else None,
        "share",
        "(circular inflow + circular outflow) / (inflow + outflow), i.e. the mass-weighted average of the two",
        {"circular inflow kg": circ_in, "circular outflow kg": circ_out, "inflow kg": inflow, "outflow kg": outflow},
    )


def _productivity(factory: Factory, mass_kg: float, what: str) -> dict:
    """Revenue per tonne of ``what`` (CTI circular material productivity, ISO 59020 material productivity)."""
    econ = factory.economics
    formula = f"revenue per FU / {what} in tonnes per FU"
    if econ is None:
        return _ind(None, "", formula, {}, "not stated: add an [economics] section")
    inputs = {"revenue per FU": econ.revenue_per_fu, f"{what} (kg per FU)": mass_kg}
    if mass_kg <= 0:
        return _ind(None, f"{econ.currency} per t", formula, inputs, f"no {what}: productivity is unbounded")
    return _ind(econ.revenue_per_fu / (mass_kg / 1000), f"{econ.currency} per t", formula, inputs)


def cti(factory: Factory, mf: MaterialFlows | None = None) -> dict:
    """WBCSD Circular Transition Indicators v4 (close the loop): inflow, outflow, material circularity, CMP; plus
    the yield-adjusted outflow and material circularity (a project variant, see :data:`YIELD_NOTE`)."""
    mf = mf or material_flows(factory)
    circ_in = sum(mf.inflow_by_origin[o] for o in CIRCULAR_ORIGINS)
    out_mass = mf.product_kg + mf.waste_kg
    outflow, circ_out = _circular_outflow(factory, mf, yield_adjusted=False)
    outflow_y, circ_out_y = _circular_outflow(factory, mf, yield_adjusted=True)
    inflow_inputs = {f"{o} kg": mf.inflow_by_origin[o] for o in CIRCULAR_ORIGINS}
    return {
        "method": "WBCSD Circular Transition Indicators v4.0 (2023)",
        "circular_inflow": _ind(
            _share(circ_in, mf.inflow_kg),
            "share",
            "(recycled + reused + renewable inflow) / total material inflow",
            {**inflow_inputs, "total inflow kg": mf.inflow_kg},
        ),
        "circular_outflow": outflow,
        "material_circularity": _material_circularity(circ_in, circ_out, mf.inflow_kg, out_mass),
        "circular_material_productivity": _productivity(factory, mf.inflow_by_origin["virgin"], "linear inflow"),
        "circular_outflow_yield_adjusted": outflow_y,
        "material_circularity_yield_adjusted": _material_circularity(circ_in, circ_out_y, mf.inflow_kg, out_mass),
    }


def _content(mf: MaterialFlows, origin: str) -> dict:
    return _ind(
        _share(mf.inflow_by_origin[origin], mf.inflow_kg),
        "share",
        f"{origin} inflow / total inflow",
        {"inflow kg": mf.inflow_kg, f"{origin} kg": mf.inflow_by_origin[origin]},
    )


def _outflow_share(part: float, total: float, what: str, note: str = "") -> dict:
    return _ind(
        _share(part, total), "share", f"outflow {what} / total outflow", {f"{what} kg": part, "outflow kg": total}, note
    )


def _lifetime(factory: Factory) -> dict:
    """ISO 59020 product lifetime vs average: the same L / L_av as the MCI utility (:mod:`.lifetime`)."""
    ratio = lifetime_ratio(factory)
    formula = "L / L_av: product lifetime relative to the industry average"
    if ratio.value is None:
        fix = "add mean and average to the product's [flows.lifetime], or lifetime_ratio to an [end_of_use] section"
        return _ind(None, "ratio", formula, {}, f"not stated: {fix}")
    return _ind(ratio.value, "ratio", formula, {**ratio.inputs, "basis": ratio.basis}, ratio.note)


def iso59020(factory: Factory, mf: MaterialFlows | None = None, loops=None) -> dict:
    """ISO 59020:2024 core indicators that the inventory can support (shares by mass), and the optional ones it
    supports: product lifetime, renewable energy share, water and material productivity."""
    mf = mf or material_flows(factory)
    loops = loops if loops is not None else find_loops(factory)
    eou = factory.end_of_use
    p, out = mf.product_kg, mf.outflow_by_destination
    reused = out["reuse"] + out["sold by-product"] + (p * eou.collected_for_reuse if eou else 0.0)
    c_r, e_c = (eou.collected_for_recycling, eou.recycling_efficiency_collection) if eou else (0.0, 1.0)
    bio = out["composting"] + (p * eou.collected_for_composting if eou else 0.0)
    total_out = p + mf.waste_kg
    res = {
        "method": "ISO 59020:2024 Circular economy — measuring and assessing circularity performance (core "
        "indicators supported by the inventory)",
        **{f"{o}_inflow_content": _content(mf, o) for o in CIRCULAR_ORIGINS},
        "outflow_reused": _outflow_share(reused, total_out, "reused"),
        "outflow_recycled": _outflow_share(out["recycling"] + p * c_r, total_out, "recycled", YIELD_NOTE),
        "outflow_recycled_yield_adjusted": _outflow_share(
            out["recycling"] + p * c_r * e_c, total_out, "recycled × E_C", YIELD_NOTE
        ),
        "outflow_bio_recirculated": _outflow_share(bio, total_out, "composted"),
        "product_lifetime_relative_to_industry_average": _lifetime(factory),
        **renewable_energy(factory),
        **water_indicators(factory, loop_returns(factory, loops)),
        "material_productivity": _productivity(factory, mf.inflow_kg, "material inflow"),
    }
    if eou is None:
        res["note"] = "end of use not stated: product outflow counted as neither reused nor recycled"
    return res


def loop_metrics(factory: Factory, mf: MaterialFlows | None = None, loops=None) -> list[dict]:
    """Each loop with what it returns (counted once). A water loop's share is of the water used (withdrawal +
    water returned), a material loop's of the material inflow — water is never divided by material."""
    mf = mf or material_flows(factory)
    loops = loops if loops is not None else find_loops(factory)
    returns = loop_returns(factory, loops)
    water_used = water_balance(factory)["withdrawal"] * 1000 + sum(
        r.returned_kg for r in returns if r.kind == LoopKind.WATER
    )
    return [
        {
            "loop": r.loop.label(),
            "kind": str(r.kind),
            "flows": list(r.loop.flows),
            "recirculated_kg_per_fu": r.loop.recirculated_kg,
            "returned_kg_per_fu": r.returned_kg,
            "share_of_material_inflow": _share(r.returned_kg, mf.inflow_kg) if r.kind == LoopKind.MATERIAL else None,
            "share_of_water_use": _share(r.returned_kg, water_used) if r.kind == LoopKind.WATER else None,
        }
        for r in returns
    ]


def waste_metrics(factory: Factory, mf: MaterialFlows | None = None, loops=None) -> dict:
    """Solid process waste, effluent load, recycling rate, landfill, in-house recovery (:mod:`.waste`)."""
    mf = mf or material_flows(factory)
    loops = loops if loops is not None else find_loops(factory)
    return waste_figures(mf, loop_returns(factory, loops))


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
        "waste": waste_metrics(factory, mf, loops),
    }
