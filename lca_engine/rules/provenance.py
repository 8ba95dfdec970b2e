"""Provenance: every number cites a known source or is a labelled assumption whose range holds it."""

from __future__ import annotations

from .context import Ctx


def provenance(ctx: Ctx, loc: tuple, item, amount: float) -> None:
    """Exactly one of 'source' (a known source id) or 'assumption' (low ≤ value ≤ high) per number."""
    if item.source and item.assumption:
        ctx.error(
            loc + ("source",),
            "both 'source' and 'assumption' are given",
            "cite a source, or mark the number as an assumption — not both",
        )
    elif not item.source and not item.assumption:
        ctx.error(
            loc + ("source",),
            "the number has no provenance",
            'add source = "<id in sources.toml>" or assumption = {reasoning = "…", low = …, high = …}',
        )
    elif item.source:
        _known_source(ctx, loc + ("source",), item.source)
    else:
        _within_range(ctx, loc + ("assumption",), item.assumption, amount)


def _known_source(ctx: Ctx, loc: tuple, source: str) -> None:
    if source not in ctx.sources:
        ctx.error(
            loc,
            f"unknown source id '{source}'",
            f"add it to sources.toml (or [sources.{source}] in this file); known ids include: {ctx.source_hint}",
        )


def _within_range(ctx: Ctx, loc: tuple, a, amount: float) -> None:
    if a.low > a.high:
        ctx.error(loc, f"assumption range low={a.low} > high={a.high}", "swap low and high")
    elif not (a.low <= amount <= a.high):
        ctx.error(
            loc,
            f"value {amount} lies outside its assumption range [{a.low}, {a.high}]",
            "widen the range or correct the value",
        )
