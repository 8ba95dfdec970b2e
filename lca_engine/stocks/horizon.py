"""The years a stock model runs over: whole years, start ≤ end, a bounded span (flodym's survival table is
years × years)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import LcaEngineError

#: The default horizon: the portfolio's output from 2025 to 2060.
START, END = 2025, 2060
#: The longest horizon accepted: the survival table holds span² numbers per product.
MAX_YEARS = 500


class StockError(LcaEngineError):
    """A stock model cannot be run as asked (years out of order, a product lifetime that is not usable)."""

    title = "invalid stock model request"


def _year(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise StockError(
            f"{name} = {value!r} is not a whole year", fix=f"give {name} as a year, e.g. {START}", field=name
        )
    return int(value)


@dataclass(frozen=True)
class Horizon:
    """Years ``start`` … ``end`` (both included); products enter the stock every year of it."""

    start: int = START
    end: int = END

    def __post_init__(self) -> None:
        start, end = _year("start", self.start), _year("end", self.end)
        if start > end:
            raise StockError(
                f"start = {start} is after end = {end}",
                fix="give start ≤ end (the years run start … end)",
                field="start",
            )
        if end - start + 1 > MAX_YEARS:
            raise StockError(
                f"{end - start + 1} years from {start} to {end}: at most {MAX_YEARS} are modelled",
                fix=f"shorten the horizon to at most {MAX_YEARS} years",
                field="end",
            )

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.start, self.end + 1)

    def __len__(self) -> int:
        return self.end - self.start + 1
