"""The factor catalogue: background factors by key and year, with their source and DESNZ row id.

The catalogue is pure data (no Brightway); :mod:`lca_engine.bw` turns it into a background database.
Parsing the xlsx costs ~1 s per year, so the parsed catalogue is cached by file hash in the data directory.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .. import atomic
from ..errors import BackgroundError
from ..tomlfile import read_toml
from ..units import parse_unit
from .desnz import read_flat_file, sha256
from .imported import is_link
from .links import BW_UNITS, FAMILIES, Linked, Links
from .mapping import check_route_columns, describe, family_key_labels, label, route_labels, selector

PREFIX = "desnz."
#: The mapping file, relative to the inventories folder.
MAPPING = Path("background") / "desnz.toml"
_CATALOG_VERSION = 4
#: The flat file's per-gas rows (values in kg CO2e of that gas, AR5 GWP100).
GAS_ROWS = {"kg CO2e of CO2 per unit": "CO2", "kg CO2e of CH4 per unit": "CH4", "kg CO2e of N2O per unit": "N2O"}


@dataclass(frozen=True)
class Factor:
    """kg CO2e (AR5 GWP100) per ``unit`` of a background activity."""

    key: str
    name: str
    unit: str
    value: float
    year: int
    source: str
    desnz_id: str = ""
    table: str = ""
    components: tuple[str, ...] = ()
    #: kg CO2e (AR5) per unit of each gas where DESNZ publishes the split; empty = CO2e total only
    gases: tuple[tuple[str, float], ...] = ()
    #: energy carrier delivered by this activity and kWh delivered per unit (0 = not an energy carrier)
    carrier: str = ""
    energy_kwh: float = 0.0
    #: m3 of water withdrawn per unit (mains supply: 1)
    water_m3: float = 0.0
    #: m3 of water consumed (evaporated) per unit
    consumption_m3: float = 0.0
    #: cumulative primary energy per unit, MJ: non-renewable, renewable, and published only as a total
    pe_nonrenewable_mj: float = 0.0
    pe_renewable_mj: float = 0.0
    pe_unsplit_mj: float = 0.0
    #: kg of process chemicals embodied per unit (supply chain)
    chemicals_kg: float = 0.0
    #: (quantity, value, low, high) of open figures: a triangular distribution each in Monte Carlo
    spreads: tuple[tuple[str, float, float, float], ...] = ()
    #: open quantities whose figure was not checked against the publisher's text ("to check")
    to_check: tuple[str, ...] = ()
    #: range of the CO2e value over all shipped DESNZ years (triangular distribution for Monte Carlo);
    #: equal to value when DESNZ publishes the same figure every year
    low: float | None = None
    high: float | None = None
    #: indicator families for which this factor's burden is the factory's own site use (purchased energy: carbon
    #: and energy; mains water: water); empty = supply chain only (see :func:`site_families`)
    site: tuple[str, ...] = ()
    #: indicator families this factor gives figures for (a composite: its components'); one link per family
    families: tuple[str, ...] = ()
    #: an activity of an imported background (``key`` is the inventory's ``NAME:…`` link): its Brightway database
    #: and code; empty for the shipped factors (database ``desnz-<year>``, code = key)
    database: str = ""
    code: str = ""

    @staticmethod
    def from_json(data: dict) -> Factor:
        data = {**data, "components": tuple(data["components"]), "gases": tuple(tuple(g) for g in data["gases"])}
        tuples = {k: tuple(tuple(x) if isinstance(x, list) else x for x in data.get(k, ())) for k in _TUPLES}
        return Factor(**{**data, **tuples})


_TUPLES = ("site", "spreads", "to_check", "families")


#: Site scope of background factors: energy the factory buys counts on site for carbon (scope 2 / fuels burnt, as
#: the GHG Protocol's scopes 1 and 2) and for energy; mains water counts on site for water.
PURCHASED_ENERGY_SITE = ("carbon", "energy")
MAINS_WATER_SITE = ("water",)


def given_families(factors: dict[str, Factor]) -> dict[str, tuple[str, ...]]:
    """The indicator families each factor gives figures for: carbon (CO2e), energy (delivered or primary),
    water (withdrawn or consumed), chemicals (embodied); a composite gives what its components give."""

    def own(f: Factor) -> set[str]:
        fam = {"carbon"} if f.value else set()
        fam |= {"energy"} if f.carrier or f.pe_nonrenewable_mj or f.pe_renewable_mj or f.pe_unsplit_mj else set()
        fam |= {"water"} if f.water_m3 or f.consumption_m3 else set()
        return fam | ({"chemicals"} if f.chemicals_kg else set())

    return {
        k: tuple(sorted(own(f).union(*(own(factors[c]) for c in f.components if c in factors))))
        for k, f in factors.items()
    }


def site_families(factors: dict[str, Factor]) -> dict[str, tuple[str, ...]]:
    """The families each factor counts on site for: energy carriers and DESNZ mains water by themselves, and the
    components of a composite (electricity generation + T&D) as their composite."""
    own = {
        k: PURCHASED_ENERGY_SITE if f.carrier else MAINS_WATER_SITE if f.water_m3 and k.startswith(PREFIX) else ()
        for k, f in factors.items()
    }
    out = dict(own)
    for k, f in factors.items():
        for c in f.components:
            out[c] = tuple(sorted(set(out.get(c, ())) | set(own[k])))
    return out


def default_inventories_dir() -> Path:
    """The shipped ``inventories/`` folder (source checkout), or the copy packaged inside the wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "inventories", here / "_inventories"):
        if (candidate / "sources.toml").exists():
            return candidate
    raise BackgroundError(
        "shipped inventories folder not found", fix="reinstall the package, or pass the inventories folder explicitly"
    )


def slug(text: str) -> str:
    text = re.sub(r"\(.*?\)", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _match(df, sel: dict[str, str], ghg_unit: str = "kg CO2e") -> list[int]:
    mask = df["ghg_unit"] == ghg_unit
    for col, value in sel.items():
        mask &= df[col] == value
    return list(df.index[mask])


def build_factors(df, config: dict, year: int, source: str, mapping: Path = MAPPING) -> dict[str, Factor]:
    """Select factors from a parsed flat file according to ``desnz.toml`` (labels resolved for ``year``)."""
    out: dict[str, Factor] = {}
    for key, spec in config.get("factors", {}).items():
        if "components" not in spec:
            out[PREFIX + key] = _single(df, key, spec, year, source, mapping)
    for key, spec in config.get("factors", {}).items():
        if "components" in spec:
            out[PREFIX + key] = _composite(out, key, spec, year, source)
    for family, spec in config.get("families", {}).items():
        for key, factor in _family(df, family, spec, year, source, mapping).items():
            if key in out:
                raise BackgroundError(f"two rows give the same key {key}", fix="adjust the slug rule")
            out[key] = factor
    for f in out.values():
        parse_unit(f.unit)
    return out


def _single(df, key: str, spec: dict, year: int, source: str, mapping: Path) -> Factor:
    """One factor selected by its labels (exactly one "kg CO2e" row, not blank), with its gas split if published."""
    where = f"factors.{key}"
    sel = selector(spec, year, where, mapping)
    rows = _match(df, sel)
    if len(rows) != 1 or df.loc[rows[0], "value"] != df.loc[rows[0], "value"]:
        what = f"matches {len(rows)} rows" if len(rows) != 1 else "is a blank cell"
        raise BackgroundError(
            f"factor '{PREFIX}{key}' {what} of the {year} flat file (expected 1 row with a value); "
            f"labels looked for: {describe(sel)}",
            fix=f"correct the labels in {mapping.name} (per year if DESNZ renamed one: "
            f'{{ {year} = "<label in the {year} file>", ... }}), or choose another year',
            file=str(mapping),
            field=where,
        )
    row = df.loc[rows[0]]
    gases = []
    for ghg_unit, gas in GAS_ROWS.items():
        gas_rows = _match(df, sel, ghg_unit)
        if len(gas_rows) == 1 and df.loc[gas_rows[0], "value"] == df.loc[gas_rows[0], "value"]:
            gases.append((gas, float(df.loc[gas_rows[0], "value"])))
    return Factor(
        PREFIX + key,
        spec["name"],
        spec["unit"],
        float(row["value"]),
        year,
        source,
        row["id"],
        row["level1"],
        gases=tuple(gases) if len(gases) == 3 else (),
        carrier=spec.get("carrier", ""),
        energy_kwh=_energy_per_unit(df, key, spec, sel, float(row["value"]), year, mapping),
        water_m3=float(spec.get("withdrawal_m3_per_unit", 0.0)),
    )


def _energy_per_unit(df, key: str, spec: dict, sel: dict, value: float, year: int, mapping: Path) -> float:
    """kWh delivered per unit: stated, or derived from DESNZ's own rows (CO2e per unit / CO2e per kWh)."""
    if "kwh_per_unit_from" not in spec:
        return float(spec.get("kwh_per_unit", 0.0))
    uom = label(spec["kwh_per_unit_from"], year, f"factors.{key}.kwh_per_unit_from", mapping)
    ref = _match(df, {**sel, "uom": uom})
    if len(ref) != 1:
        raise BackgroundError(
            f"factor '{PREFIX}{key}': no unique '{uom}' row in the {year} flat file to derive kWh per unit",
            fix=f"check kwh_per_unit_from in {mapping.name}",
            file=str(mapping),
            field=f"factors.{key}",
        )
    return value / float(df.loc[ref[0], "value"])


def _composite(out: dict[str, Factor], key: str, spec: dict, year: int, source: str) -> Factor:
    comps = tuple(PREFIX + c for c in spec["components"])
    missing = [c for c in comps if c not in out]
    if missing:
        raise BackgroundError(
            f"factor '{PREFIX}{key}' needs unknown components {missing}",
            fix="define the components in desnz.toml",
            field=f"factors.{key}",
        )
    return Factor(
        PREFIX + key,
        spec["name"],
        spec["unit"],
        sum(out[c].value for c in comps),
        year,
        source,
        "+".join(out[c].desnz_id for c in comps),
        "composite",
        comps,
        carrier=spec.get("carrier", ""),
        energy_kwh=float(spec.get("kwh_per_unit", 0.0)),
    )


def _family(df, family: str, spec: dict, year: int, source: str, mapping: Path) -> dict[str, Factor]:
    """One factor per (Level 3 item, route column) with a value; every route's column must exist this year."""
    sub = df[(df["level1"] == spec["level1"]) & (df["ghg_unit"] == "kg CO2e") & (df["uom"] == spec["uom"])]
    labels = route_labels(spec, family, year, mapping)
    check_route_columns(set(sub["column_text"]), labels, family, spec, year, mapping)
    out: dict[str, Factor] = {}
    for route, column in labels.items():
        for _, row in sub[sub["column_text"] == column].iterrows():
            if row["value"] != row["value"]:
                continue  # blank cell: DESNZ publishes no factor for this combination this year
            key = f"{PREFIX}{family}.{slug(row['level3'])}.{route}"
            if key in out:
                raise BackgroundError(f"two rows give the same key {key}", fix="adjust the slug rule")
            name = f"{spec['name']}: {row['level3']}, {column}"
            out[key] = Factor(key, name, spec["unit"], float(row["value"]), year, source, row["id"], row["level1"])
    return out


@dataclass
class Catalog:
    """All factors of one data year, plus the files they came from."""

    year: int
    factors: dict[str, Factor]
    files: dict[str, str]  # path -> sha256 of every input (flat file and the mapping): the rebuild key

    #: factor keys published in another shipped year but not in this one -> the labels looked for this year
    unpublished: dict[str, str] = field(default_factory=dict)
    #: the mapping file the labels come from (named in errors)
    mapping: str = ""
    #: the imported backgrounds of the data folder, which ``NAME:…`` keys link to (None: no data folder known)
    links: Links | None = None

    def get(self, key: str, where: dict | None = None) -> Factor:
        if key in self.factors:
            return self.factors[key]
        if is_link(key):
            return self.linked(key, where)
        where = {"file": self.mapping or None, **(where or {})}
        if key in self.unpublished:
            raise BackgroundError(
                f"background factor '{key}' has no {self.year} value: DESNZ published it for another year but the "
                f"{self.year} flat file has a blank or no cell for it ({self.unpublished[key]}; mapping "
                f"{self.mapping or 'desnz.toml'})",
                fix=f"assess with a year that publishes it (`lca-engine factors --year <year>`), or choose another "
                f"factor listed by `lca-engine factors --year {self.year}`; no other year's value is used in its place",
                **where,
            )
        close = difflib.get_close_matches(key, list(self.factors), n=5, cutoff=0.6)
        hint = f"; similar keys: {', '.join(close)}" if close else ""
        raise BackgroundError(
            f"unknown background factor '{key}' for year {self.year}",
            fix=f"use a key listed by `lca-engine factors --year {self.year}`{hint}",
            **where,
        )

    def linked(self, key: str, where: dict | None = None) -> Factor:
        """The factor of an imported background's activity (``NAME:…``), in the product's unit of that activity."""
        if self.links is None:
            raise BackgroundError(
                f"background link '{key}' cannot be resolved without a data folder",
                fix="load the catalogue with the data folder (load_catalog(year, cache_dir=DataDir(root).cache))",
                **(where or {}),
            )
        try:
            return link_factor(self.links.resolve(key), self.year)
        except BackgroundError as exc:
            p = exc.problems[0]
            raise BackgroundError(p.message, fix=p.fix, **{"field": p.field, **(where or {})}) from None

    def fingerprint(self) -> str:
        return json.dumps({"v": _CATALOG_VERSION, "year": self.year, "files": self.files}, sort_keys=True)


def link_factor(linked: Linked, year: int) -> Factor:
    """An imported activity as a catalogue factor: figures for :data:`.links.FAMILIES`, supply chain only."""
    unit = linked.unit
    if unit is None:
        raise BackgroundError(
            f"activity '{linked.activity.key}' of background '{linked.meta.name}' is per '{linked.activity.unit}', "
            "a unit this product cannot convert",
            fix=f"link an activity per one of: {', '.join(BW_UNITS)}",
            field="background",
        )
    m = linked.meta
    return Factor(
        linked.key,
        linked.activity.key,
        unit,
        0.0,
        year,
        f"{m.name} {m.version} ({m.format}, imported {m.imported[:10]}; licence: {m.licence})",
        table="imported",
        families=FAMILIES,
        database=linked.database,
        code=linked.activity.code,
    )


def _config(inventories: Path) -> dict:
    path = inventories / MAPPING
    return read_toml(path, "background catalogue", BackgroundError, fix="restore inventories/background/desnz.toml")


def available_years(inventories: Path | None = None) -> list[int]:
    inventories = inventories or default_inventories_dir()
    return sorted(int(y) for y in _config(inventories)["files"])


def load_catalog(
    year: int = 2025, inventories: Path | None = None, cache_dir: Path | None = None, data_root: Path | None = None
) -> Catalog:
    """Factors for ``year`` from the shipped flat file (hash-checked), with

    * each CO2e value's range over all shipped DESNZ years (``low``/``high``): DESNZ publishes no uncertainty,
      so the inter-annual spread is carried as a triangular distribution for Monte Carlo — stated as such;
    * the open facts of ``facts.toml`` (water and energy factors DESNZ does not give), keyed ``facts.<name>``;
    * the imported backgrounds of the data folder ``data_root`` (default: the parent of ``cache_dir``, which is
      ``DataDir.cache``), which ``NAME:…`` keys link to.
    """
    from .facts import FACTS_PREFIX, facts_path, load_facts
    from .open_background import carrier_to_check, open_catalog_factors
    from .open_factors import load_open_factors, open_factors_digest

    inventories = Path(inventories) if inventories else default_inventories_dir()
    main = _load_year(year, inventories, cache_dir)
    others = [_load_year(int(y), inventories, cache_dir) for y in _config(inventories)["files"] if int(y) != year]
    factors = {}
    for key, f in main.factors.items():
        values = [f.value] + [o.factors[key].value for o in others if key in o.factors]
        factors[key] = replace(f, low=min(values), high=max(values))
    mapping = inventories / MAPPING
    config = _config(inventories)
    unpublished = {
        key: family_key_labels(config, key, year, mapping) or "see the mapping"
        for o in others
        for key in o.factors
        if key not in main.factors
    }
    fpath = facts_path(inventories)
    facts = load_facts(fpath)
    for name, spec in sorted(facts.get("factors", {}).items()):
        key = FACTS_PREFIX + name
        factors[key] = Factor(
            key,
            spec["name"],
            spec["unit"],
            float(spec.get("co2e_per_unit", 0.0)),
            year,
            spec["source"],
            "",
            "facts",
            water_m3=float(spec.get("withdrawal_m3_per_unit", 0.0)),
            consumption_m3=float(spec.get("consumption_m3_per_unit", 0.0)),
            carrier=spec.get("carrier", ""),
            energy_kwh=float(spec.get("kwh_per_unit", 0.0)),
        )
        parse_unit(spec["unit"])
    opened = load_open_factors(inventories)
    factors.update(open_catalog_factors(opened, year))
    pef_check = carrier_to_check(opened)
    factors = {k: replace(f, to_check=pef_check.get(f.carrier, f.to_check)) for k, f in factors.items()}
    site, gives = site_families(factors), given_families(factors)
    factors = {k: replace(f, site=site[k], families=gives[k]) for k, f in factors.items()}
    files = {**main.files, "facts.toml": sha256(fpath), "open_factors": open_factors_digest(inventories)}
    for o in others:
        files.update(o.files)
    root = Path(data_root) if data_root else Path(cache_dir).parent if cache_dir else None
    return Catalog(year, factors, files, unpublished, str(mapping), Links(root) if root else None)


def _load_year(year: int, inventories: Path, cache_dir: Path | None) -> Catalog:
    """Factors of one flat file, cached as JSON in ``cache_dir``."""
    config = _config(inventories)
    files = config["files"]
    if str(year) not in files:
        raise BackgroundError(
            f"no background data for year {year}",
            fix=f"choose one of {', '.join(sorted(files))} or add that year's flat file to desnz.toml",
            field="year",
        )
    entry = files[str(year)]
    path = inventories / "background" / entry["file"]
    if not path.exists():
        raise BackgroundError("DESNZ flat file missing", file=str(path), fix="restore it from the repository")
    digest = sha256(path)
    if digest != entry["sha256"]:
        raise BackgroundError(
            f"SHA-256 of the {year} flat file is {digest}, desnz.toml expects {entry['sha256']}",
            fix="restore the official file, or update sha256 in desnz.toml if you replaced it on purpose",
            file=str(path),
        )
    config_digest = sha256(inventories / "background" / "desnz.toml")
    cache = None
    if cache_dir is not None:
        cache = Path(cache_dir) / f"catalog-{year}-{digest[:16]}-{config_digest[:16]}-v{_CATALOG_VERSION}.json"
        factors = _read_cache(cache)
        if factors is not None:
            return Catalog(year, factors, {entry["file"]: digest, "desnz.toml": config_digest})
    df = read_flat_file(path)
    if int(df["year"].iloc[0]) != year:
        raise BackgroundError(
            f"file holds year {df['year'].iloc[0]}, desnz.toml says {year}",
            file=str(path),
            fix="correct [files] in desnz.toml",
        )
    factors = build_factors(df, config, year, entry["source"], inventories / MAPPING)
    if cache is not None:
        atomic.write_text(cache, json.dumps({k: asdict(v) for k, v in sorted(factors.items())}, indent=0))
    return Catalog(year, factors, {entry["file"]: digest, "desnz.toml": config_digest})


def _read_cache(cache: Path) -> dict[str, Factor] | None:
    """The cached factors, or None when there is no cache or it cannot be read (it is then parsed again and
    rewritten; the cache is written atomically, so this only happens if it was damaged from outside)."""
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        return {k: Factor.from_json(v) for k, v in data.items()}
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return None
