"""Rules for a product's lifetime in use (``[flows.lifetime]``): it sits on a product sold to the market, has the
parameters its distribution takes (no more, no fewer), a time unit and provenance.

The mean (and std, shape, average) being positive and the distribution being known are checked when the model is
built (:class:`lca_engine.model.Lifetime`); :func:`lifetime_problems` is also what the stock engine
(:mod:`lca_engine.stocks`) checks a lifetime with when it is handed a factory that was never validated.
"""

from __future__ import annotations

from ..errors import LcaEngineError
from ..model import LIFETIME_OPTIONAL, LIFETIME_PARAMETERS, LIFETIME_UNIT, MARKET, Lifetime
from ..units import describe_dimension, parse_unit, ureg
from .context import Ctx
from .provenance import provenance

#: What each optional parameter is, for the fix that asks for it.
_MEANING = {
    "std": "the standard deviation of the lifetime, in the lifetime's unit",
    "shape": "the Weibull shape parameter k, dimensionless (k = 1: constant failure rate; k > 1: wear-out)",
}


def _takers(name: str) -> str:
    return " or ".join(d for d, takes in LIFETIME_PARAMETERS.items() if name in takes)


def parameter_problems(lifetime: Lifetime) -> list[tuple[str, str, str]]:
    """(field, message, fix) for each parameter the distribution takes but is not given, or is given but does not
    take (a standard deviation on a fixed lifetime is refused, not ignored)."""
    takes, problems = LIFETIME_PARAMETERS[lifetime.distribution], []
    for name in LIFETIME_OPTIONAL:
        given = getattr(lifetime, name) is not None
        if name in takes and not given:
            problems.append(
                (name, f"a {lifetime.distribution} lifetime needs '{name}'", f"add {name} = … ({_MEANING[name]})")
            )
        elif given and name not in takes:
            problems.append(
                (
                    name,
                    f"a {lifetime.distribution} lifetime takes no '{name}'",
                    f"remove '{name}', or choose a distribution that takes it ({_takers(name)})",
                )
            )
    return problems


def unit_problems(lifetime: Lifetime) -> list[tuple[str, str, str]]:
    """(field, message, fix) if the lifetime's unit is unknown or not a time."""
    try:
        unit = parse_unit(lifetime.unit)
    except LcaEngineError as exc:
        return [("unit", exc.problems[0].message, exc.problems[0].fix)]
    if unit.dimensionality != ureg.get_dimensionality("[time]"):
        what = describe_dimension(str(unit.dimensionality))
        return [
            (
                "unit",
                f"lifetime unit '{lifetime.unit}' is {what}, not a time",
                f'write the lifetime in a unit of time: unit = "{LIFETIME_UNIT}" (or "month", "day" …)',
            )
        ]
    return []


def lifetime_problems(lifetime: Lifetime) -> list[tuple[str, str, str]]:
    """Every problem of one lifetime on its own (its parameters and unit), as (field, message, fix)."""
    return parameter_problems(lifetime) + unit_problems(lifetime)


def is_sold_product(flow) -> bool:
    """A product leaving the factory to the market: the only flow that has a lifetime in use."""
    return flow.kind == "product" and flow.to == MARKET


def flow_lifetime(ctx: Ctx, at) -> None:
    """A lifetime sits on a product sold to the market, has the parameters its distribution takes, a time unit,
    and a cited source or an assumption whose range holds its mean."""
    lifetime = at.flow.lifetime
    if lifetime is None:
        return
    loc = at.loc + ("lifetime",)
    if not is_sold_product(at.flow):
        ctx.error(
            loc,
            f"a lifetime on a {at.flow.kind} flow to '{at.flow.to}': only a product sold to the market has a "
            "lifetime in use",
            f'move [flows.lifetime] under the product flow (kind = "product", to = "{MARKET}"), or remove it',
        )
    for name, message, fix in lifetime_problems(lifetime):
        ctx.error(loc + (name,), message, fix)
    provenance(ctx, loc, lifetime, lifetime.mean)
