"""Tables that fit the terminal without cutting what a user copies or reads as a whole (keys, ids, numbers, verdicts):
those columns never wrap, the others wrap between words; a caller that finds the table too wide prints another layout.
"""

from __future__ import annotations

from collections.abc import Collection

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .common import literal


def fit(table: Table, texts: list[list[str]], whole: Collection[int]) -> int:
    """Set each column's wrapping and minimum width; return the narrowest width the table then needs.

    ``texts``: each column's cells as printed (header excluded: headers wrap). A column in ``whole`` is as wide as its
    longest cell and never wraps; another is as wide as its longest word and wraps between words.
    """
    for i, (column, cells) in enumerate(zip(table.columns, texts, strict=True)):
        column.no_wrap = i in whole
        column.overflow = "fold"  # never "…"; a whole column is never narrower than its longest cell anyway
        column.min_width = max(
            (len(t) if i in whole else max(map(len, t.split()), default=0) for t in cells), default=0
        )
    return needed_width(table)


def needed_width(table: Table) -> int:
    """The columns' minimum widths plus the padding and rules Rich draws around them."""
    n = len(table.columns)
    _, right, _, left = table.padding
    gap = max(left, right) if table.collapse_padding else left + right
    pads = (n - 1) * gap + (left + right if table.pad_edge else 0)
    rules = (n - 1 + (2 if table.show_edge else 0)) if table.box else 0
    return sum(c.min_width or 0 for c in table.columns) + pads + rules


def blocks(df, title: str, caption: str | None = None, floats: str = "{:.6g}"):
    """Each row as its key on a line of its own, then 'column: value' for the others, wrapped and indented."""
    parts = [Text(literal(title), style="italic")]
    for row in df.itertuples(index=False):
        key, *rest = row
        parts.append(Text(literal(str(key)), no_wrap=True, overflow="ignore"))
        cells = [
            f"{c}: {floats.format(v) if isinstance(v, float) else v}" for c, v in zip(df.columns[1:], rest, strict=True)
        ]
        parts.append(Padding(Text(literal(" · ".join(c for c in cells if not c.endswith(": ")))), (0, 0, 0, 4)))
    if caption:
        parts.append(Text(literal(caption)))
    return Group(*parts)
