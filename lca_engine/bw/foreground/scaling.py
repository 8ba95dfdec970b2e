"""The file's own technosphere: links between its activities, the functional unit, and the scaling vector."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ...errors import InventoryError
from .kinds import CONSUMPTION, PRODUCT_NODES, PRODUCTION, number, split_input


class Locator(Protocol):
    """Where an activity / exchange sits in the original file, as keyword arguments for :class:`Problem`."""

    def where(self, activity: int, exchange: int | None = None, *, header: bool = False) -> dict: ...


class Graph:
    """The activities of one file, indexed by code and by name; links between them resolved once.

    A ``product`` node (Brightway 2.5's product nodes: no exchanges of its own) stands for the process whose
    production exchange points to it: a link to a product node is a link to its producer."""

    def __init__(self, path: Path, database: str, activities: list[dict], locator: Locator):
        self.path, self.db, self.acts, self.loc = path, database, activities, locator
        self._links: dict[int, int | None] = {}
        self.products = {i for i, ds in enumerate(activities) if ds.get("type") in PRODUCT_NODES}
        self._producers: dict[int, list[int]] | None = None
        self.by_code: dict[str, list[int]] = {}
        self.by_name: dict[Any, list[int]] = {}
        for i, ds in enumerate(activities):
            if ds.get("code") not in (None, ""):
                self.by_code.setdefault(str(ds["code"]), []).append(i)
            self.by_name.setdefault(ds.get("name"), []).append(i)

    def raw_link(self, a: int, exc: dict) -> int | None:
        """Index of the file's activity or product node an exchange points to, or None if it points outside."""
        key = id(exc)
        if key not in self._links:
            self._links[key] = self._link(a, exc)
        return self._links[key]

    def internal_link(self, a: int, exc: dict) -> int | None:
        """Index of the file's activity an exchange takes from (a product node's producer), or None if outside."""
        i = self.raw_link(a, exc)
        return self.producer(i) if i in self.products else i

    def producers(self) -> dict[int, list[int]]:
        """Product node → the activities whose production exchanges point to it."""
        if self._producers is None:
            self._producers = {q: [] for q in self.products}
            for j, ds in enumerate(self.acts):
                for exc in ds.get("exchanges", []):
                    linked = exc.get("type") in PRODUCTION and (exc.get("input") or exc.get("database"))
                    i = self.raw_link(j, exc) if linked and j not in self.products else None
                    if i in self.products:
                        self._producers[i].append(j)
        return self._producers

    def product_node(self, j: int) -> int | None:
        """The product node activity ``j`` produces, if the file models its product as one."""
        return next((p for p, found in self.producers().items() if found == [j]), None)

    def producer(self, p: int) -> int:
        """The one activity whose production exchange points to product node ``p``."""
        found = self.producers()[p]
        if len(found) == 1:
            return found[0]
        raise InventoryError(
            f"product '{self.acts[p].get('name')}' is produced by {len(found)} activities of the file"
            + (": " + self._names(found) if found else ""),
            fix="give the product exactly one activity with a production exchange that names it",
            **self.loc.where(p),
        )

    def _hits(self, exc: dict, code: Any) -> list[int]:
        if code not in (None, ""):
            return list(self.by_code.get(str(code), []))
        hits = list(self.by_name.get(exc.get("name"), []))
        for field_name in ("reference product", "location", "unit"):
            if len(hits) > 1 and exc.get(field_name) is not None:
                hits = [i for i in hits if self.acts[i].get(field_name) == exc.get(field_name)] or hits
        return hits

    def _link(self, a: int, exc: dict) -> int | None:
        linked = split_input(exc.get("input"))
        db, code = linked if linked else (exc.get("database"), exc.get("code"))
        if db not in (None, "", self.db):
            return None
        hits = self._hits(exc, code)
        if len(hits) == 1:
            return hits[0]
        e = next(i for i, x in enumerate(self.acts[a]["exchanges"]) if x is exc)
        if not hits and db == self.db:
            raise InventoryError(
                f"technosphere exchange '{exc.get('name')}' points to database '{self.db}' but no activity of the "
                "file has that " + ("code" if code not in (None, "") else "name"),
                fix="correct the name (or input/code) so that it matches an activity of the file",
                **self.loc.where(a, e),
            )
        if len(hits) > 1:
            raise InventoryError(
                f"technosphere exchange '{exc.get('name')}' matches {len(hits)} activities of the file",
                fix="add 'reference product', 'location' or 'code' to tell them apart",
                **self.loc.where(a, e),
            )
        return None

    # ------------------------------------------------------------------ functional unit
    def roots(self) -> list[int]:
        consumed = {
            self.internal_link(a, e)
            for a, ds in enumerate(self.acts)
            for e in ds.get("exchanges", [])
            if e.get("type") in CONSUMPTION
        }
        return [i for i in range(len(self.acts)) if i not in consumed and i not in self.products]

    def find_fu(self, functional_unit: str | None) -> int:
        if not self.acts:
            raise InventoryError(
                f"the file holds database '{self.db}' but no activities",
                fix="add activities (Excel: 'Activity' blocks with their Exchanges)",
                file=str(self.path),
            )
        if functional_unit is None:
            return self._only_root()
        hits = self._named(functional_unit)
        if len(hits) == 1:
            return self.producer(hits[0]) if hits[0] in self.products else hits[0]
        if not hits:
            raise InventoryError(
                f"no activity named '{functional_unit}' in database '{self.db}'",
                fix="use the name or code of one of: " + self._names(range(len(self.acts))),
                file=str(self.path),
            )
        raise InventoryError(
            f"{len(hits)} activities are named '{functional_unit}'",
            fix="name the activity by its code: " + ", ".join(repr(str(self.acts[i].get("code"))) for i in hits),
            file=str(self.path),
        )

    def _names(self, indices) -> str:
        return ", ".join(repr(str(self.acts[i].get("name"))) for i in indices)[:600]

    def _only_root(self) -> int:
        roots = self.roots()
        if len(roots) == 1:
            return roots[0]
        raise InventoryError(
            "name the functional-unit activity: the file has "
            + ("no activity that others do not consume" if not roots else f"{len(roots)} candidates"),
            fix="pass functional_unit= (CLI: --functional-unit) with one of: "
            + self._names(roots or range(len(self.acts))),
            file=str(self.path),
        )

    def _named(self, wanted: str) -> list[int]:
        hits = [i for i, ds in enumerate(self.acts) if wanted in (ds.get("name"), str(ds.get("code", "")))]
        if hits:
            return hits
        low = wanted.strip().lower()
        return [
            i
            for i, ds in enumerate(self.acts)
            if low in (str(ds.get("name", "")).lower(), str(ds.get("code", "")).lower())
        ]

    # ------------------------------------------------------------------ scaling
    def matrix(self) -> np.ndarray:
        """Square technosphere matrix among the file's activities (production on the diagonal, default 1)."""
        n = len(self.acts)
        A = np.zeros((n, n))
        has_production = [False] * n
        for j, ds in enumerate(self.acts):
            for exc in ds.get("exchanges", []):
                t, amount = exc.get("type"), number(exc.get("amount"))
                if t in PRODUCTION:
                    i = self.internal_link(j, exc) if (exc.get("input") or exc.get("database")) else j
                    if i is None or i == j:
                        A[j, j] += amount
                        has_production[j] = True
                elif t in CONSUMPTION:
                    i = self.internal_link(j, exc)
                    if i is not None:
                        A[i, j] += amount if t == "substitution" else -amount
        for j in range(n):
            if not has_production[j]:
                A[j, j] += 1.0  # Brightway's implicit production of 1
        return A

    def scaling(self, fu: int) -> np.ndarray:
        """s with A s = one unit of the functional-unit activity's product."""
        A = self.matrix()
        f = np.zeros(len(self.acts))
        f[fu] = 1.0
        singular = InventoryError(
            f"the technosphere matrix of the {len(self.acts)} activities in '{self.db}' is singular: the functional "
            "unit's supply chain has no unique solution",
            fix="check production amounts (none may be 0) and loops that consume all of their own output",
            file=str(self.path),
        )
        try:
            if np.linalg.cond(A) > 1e12:
                raise singular
            s = np.linalg.solve(A, f)
        except np.linalg.LinAlgError:
            raise singular from None
        if not np.all(np.isfinite(s)):
            raise singular
        return s
