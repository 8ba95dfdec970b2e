"""L / L_av, a factory's product lifetime relative to the industry average: the MCI utility's lifetime part and
ISO 59020's "product lifetime vs average", from the same numbers.

* **lifetime data** where every product the factory sells states a lifetime with an industry average
  (``[flows.lifetime]`` ``mean`` L and ``average`` L_av): L / L_av of the product; with several products, their
  L / L_av averaged by product mass per functional unit (unweighted when a product has no mass);
* else the **typed ratio** ``[end_of_use] lifetime_ratio`` (1 when the section does not write it, said so);
* else **not stated** (no value).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..balance import flow_mass_kg
from ..model import LIFETIME_UNIT, Factory, Flow
from ..rules.lifetime import is_sold_product
from ..units import convert
from .mci import LIFETIME_DATA, NOT_STATED, TYPED_RATIO, UtilityBasis

#: How L / L_av is written in formulas and inputs.
SYMBOL = "L/L_av"


@dataclass(frozen=True)
class LifetimeRatio:
    """L / L_av (``None``: not stated), where it comes from, the figures it was computed from, and a sentence."""

    value: float | None
    basis: UtilityBasis
    inputs: dict
    note: str


def _with_data(flows: list[Flow]) -> list[Flow]:
    return [f for f in flows if f.lifetime is not None and f.lifetime.average is not None]


def _from_data(products: list[Flow]) -> LifetimeRatio:
    """Mass-weighted L / L_av of products that all state mean and average (unweighted if one has no mass)."""
    masses = [flow_mass_kg(f) for f in products]
    weighted = all(m is not None for m in masses) and sum(masses) > 0
    weights = masses if weighted else [1.0] * len(products)
    ratios = [f.lifetime.mean / f.lifetime.average for f in products]
    value = sum(w * r for w, r in zip(weights, ratios, strict=True)) / sum(weights)
    inputs = {}
    for f in products:
        years = (convert(x, f.lifetime.unit, LIFETIME_UNIT) for x in (f.lifetime.mean, f.lifetime.average))
        inputs[f"L ({f.id}, years)"], inputs[f"L_av ({f.id}, years)"] = years
    how = "" if len(products) == 1 else (" (mass-weighted over the products)" if weighted else " (unweighted mean)")
    note = f"{SYMBOL} from the product lifetime data ([flows.lifetime] mean / average){how}"
    return LifetimeRatio(value, LIFETIME_DATA, inputs, note)


def _typed(factory: Factory, products: list[Flow]) -> LifetimeRatio:
    eou = factory.end_of_use
    stated = [f.id for f in _with_data(products)]
    missing = [f.id for f in products if f.id not in stated]
    why = (
        f"lifetime data (mean and average) stated for {', '.join(stated)} but not for {', '.join(missing)}"
        if stated
        else "no product states a lifetime with an industry average ([flows.lifetime] mean and average)"
    )
    if eou is None:
        return LifetimeRatio(None, NOT_STATED, {}, f"{SYMBOL} not stated: {why}, and there is no [end_of_use] section")
    default = "" if "lifetime_ratio" in eou.model_fields_set else " (not written: 1, the default)"
    note = f"{SYMBOL} from the typed ratio [end_of_use] lifetime_ratio = {eou.lifetime_ratio:g}{default}; {why}"
    return LifetimeRatio(eou.lifetime_ratio, TYPED_RATIO, {"lifetime_ratio": eou.lifetime_ratio}, note)


def lifetime_ratio(factory: Factory) -> LifetimeRatio:
    """L / L_av of the factory's products sold to the market, from lifetime data where every one states it, else
    the typed ratio (module docstring)."""
    products = [f for f in factory.flows if is_sold_product(f)]
    if products and len(_with_data(products)) == len(products):
        return _from_data(products)
    return _typed(factory, products)
