"""The parts of the embedded Brightway project, in build order, each knowing whether it is up to date.

biosphere3, the product's own elementary flows, one LCIA method per indicator, the DESNZ background database
of the year, each imported background the factories link to, and one foreground database per factory. A part is
up to date when its stored digest equals the digest of its inputs *and* its processed file reads back
(:mod:`.store`); a rewrite gives a database new node ids, so dependants carry its nonce in their digests and are
rewritten after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

import bw2data as bd

from ..background.catalog import Catalog
from ..background.imported import database_name
from ..background.links import linked_backgrounds
from ..errors import BackgroundError
from ..indicators import AR5_BY_GAS, AR6_BY_GAS, INDICATORS, SHIPPED_METHODS, Indicator
from ..model import Factory
from .build import background_data, background_db_name, foreground_data, foreground_db_name
from .flows import BIOSPHERE, BIOSPHERE3, custom_flows
from .methods import carrier_pefs
from .quiet import quiet
from .store import db_fresh, digest, method_fresh, nonce, seal_db, write_db, write_method

#: Bump when the code that turns inputs into Brightway data changes: every part is rebuilt once.
BUILD_VERSION = "5"
BIO3 = "biosphere3"


@dataclass(frozen=True)
class Part:
    label: str  # what ``build`` reports it wrote: "base", "background" or a factory id
    fresh: Callable[[], bool]
    write: Callable[[], None]


@lru_cache(maxsize=1)
def _bw2io() -> str:
    return version("bw2io")


def _bio3_digest() -> str:
    return digest({"v": BUILD_VERSION, "bw2io": _bw2io()})


def _flows_digest() -> str:
    return digest({"v": BUILD_VERSION, "flows": custom_flows()})


def _methods_digest() -> str:
    """Everything every indicator's CFs depend on (computing the CFs reads bw2io's 2 MB LCIA file: ~2 s)."""
    return digest(
        {
            "v": BUILD_VERSION,
            "bio": nonce(BIOSPHERE),
            "bio3": nonce(BIO3),
            "bw2io": _bw2io(),
            "methods": [(i.id, i.method, i.unit) for i in INDICATORS.values()],
            "facts": [AR5_BY_GAS, AR6_BY_GAS, carrier_pefs()],
        }
    )


def _background_digest(catalog: Catalog) -> str:
    return digest({"v": BUILD_VERSION, "catalog": catalog.fingerprint(), "bio": nonce(BIOSPHERE), "bio3": nonce(BIO3)})


def _foreground_digest(factory: Factory, catalog: Catalog) -> str:
    return digest(
        {
            "v": BUILD_VERSION,
            "factory": factory.model_dump(mode="json"),
            "bg": catalog.fingerprint(),
            "bg_nonce": nonce(background_db_name(catalog.year)),
            "bio": nonce(BIOSPHERE),
            "bio3": nonce(BIO3),
            # an imported background rewritten (re-imported) has new node ids; its activity list may differ
            "imported": {n: nonce(database_name(n)) for n in linked_backgrounds([factory])},
        }
    )


def _imported_part(name: str, catalog: Catalog) -> Part:
    """An imported background the factories link to: written from the data folder's copy when stale
    (:mod:`.imported_db`)."""
    root = catalog.links.root if catalog.links else None

    def fresh() -> bool:
        from .imported_db import imported_fresh

        return root is not None and imported_fresh(name, root)

    def write() -> None:
        from .imported_db import write_imported

        if root is None:
            raise BackgroundError(
                f"background '{name}' is linked but the catalogue was loaded without the data folder",
                fix="load the catalogue with the data folder (load_catalog(year, cache_dir=DataDir(root).cache))",
            )
        write_imported(name, root)

    return Part("background", fresh, write)


def _check_biosphere3() -> None:
    for (name, compartment), code in BIOSPHERE3.items():
        node = bd.get_node(database=BIO3, code=code)
        if node["name"] != name or tuple(node["categories"]) != (compartment,):
            raise BackgroundError(
                f"biosphere3 flow {code} is '{node['name']}' {node['categories']}, expected '{name}' ({compartment})",
                fix="rebuild with a supported bw2io version",
            )


def _write_biosphere3() -> None:
    if BIO3 in bd.databases:
        del bd.databases[BIO3]  # half-written or outdated: bw2io registers it again (without our digest)
    with quiet():
        import bw2io as bi

        bi.create_default_biosphere3()
    _check_biosphere3()
    seal_db(BIO3, _bio3_digest())


def _write_method(ind: Indicator) -> None:
    from .methods import indicator_cfs

    source = "bw2io lcia_39_ecoinvent.zip" if ind.method in SHIPPED_METHODS else "lca-engine"
    write_method(
        ind.method, indicator_cfs(ind.id), _methods_digest(), unit=ind.unit, description=ind.basis, source=source
    )


def _method_part(ind: Indicator) -> Part:
    return Part("base", lambda: method_fresh(ind.method, _methods_digest()), lambda: _write_method(ind))


def _db_part(label: str, name: str, want: Callable[[], str], data: Callable[[], dict], **meta) -> Part:
    return Part(label, lambda: db_fresh(name, want()), lambda: write_db(name, data(), want(), **meta))


def parts(
    factories: list[Factory], catalog: Catalog, foregrounds: bool = True, backgrounds: tuple[str, ...] = ()
) -> list[Part]:
    """Every part the calculation of ``factories`` needs, dependencies first (their own databases only if
    ``foregrounds``), and the imported ``backgrounds`` (names) besides those they link to."""
    bg = background_db_name(catalog.year)
    out = [
        Part("base", lambda: db_fresh(BIO3, _bio3_digest()), _write_biosphere3),
        _db_part("base", BIOSPHERE, _flows_digest, custom_flows, type="biosphere"),
        *(_method_part(ind) for ind in INDICATORS.values()),
        _db_part(
            "background",
            bg,
            lambda: _background_digest(catalog),
            lambda: background_data(catalog),
            year=catalog.year,
            source=f"DESNZ GHG conversion factors {catalog.year}",
        ),
        *(_imported_part(name, catalog) for name in sorted({*linked_backgrounds(factories), *backgrounds})),
    ]
    for f in factories if foregrounds else ():
        out.append(
            _db_part(
                f.id,
                foreground_db_name(f, catalog.year),
                lambda f=f: _foreground_digest(f, catalog),
                lambda f=f: foreground_data(f, catalog),
                factory=f.id,
                system=f.system,
            )
        )
    return out


def up_to_date(factories: list[Factory], catalog: Catalog, *options) -> bool:
    """Every part fresh (``options``: as for :func:`parts`)."""
    return all(p.fresh() for p in parts(factories, catalog, *options))


def ensure(factories: list[Factory], catalog: Catalog, *options) -> dict[str, bool]:
    """Write every part that is stale, in dependency order; returns which labels were (re)written."""
    wrote = dict.fromkeys(["base", "background", *(f.id for f in factories)], False)
    for p in parts(factories, catalog, *options):
        if not p.fresh():
            p.write()
            wrote[p.label] = True
    return wrote
