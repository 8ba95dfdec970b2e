"""Brightway Excel inventories (the layout of bw2io's ``ExcelImporter``): export our model, import ours and others'.

API
---
``write_bw_excel(factory, path, year=2025, *, catalog=None)`` writes a factory as a Brightway Excel inventory
(atomically; openpyxl only, Brightway is not imported). ``read_bw_excel(path, functional_unit=None, *, sector=None,
site=None, system="micro-factory", year=2025, catalog=None)`` reads one with ``bw2io.ExcelImporter`` (parsing
only: no strategies are applied and nothing is written to any Brightway project; bw2data, which bw2io imports,
is pointed at the product's data directory by :mod:`lca_engine.bw`'s import guard). bw2io's own
``write_lci_excel`` cannot be used for the export: it reads a database from a project, so it would need a project
write per export, and it writes 16 significant digits and no uncertainty columns.

Layout of an export (one worksheet, named after the factory id)
----------------------------------------------------------------
``Database | <factory id>`` followed by metadata rows: ``lca.format`` (marks the file as ours), ``lca.year``
(the DESNZ background year linked to), ``lca.functional_unit.activity`` (code of the functional-unit activity),
then every factory-level field flattened with dots (``lca.name``, ``lca.sector``, ``lca.system``,
``lca.description``, ``lca.baseline``, ``lca.functional_unit.amount|unit|description``,
``lca.site.name|lat|lon|former_use``, ``lca.schema_version``) and inline sources as
``lca.sources[<id>].<field>``.

One ``Activity`` block per process (code = process id, ``reference product`` "<name>, per functional unit",
unit ``unit``, location ``GB``, type ``process``; metadata rows ``lca.record = process``, ``lca.index`` and the
process's own fields ``lca.id|name|stage|description``), then one functional-unit activity (code ``functional-unit``, or
``functional-unit-2``… if a process already uses that id) whose exchanges take 1 unit of every process. Every
process produces 1 unit = "one functional unit's worth of this process". Each exchange table has the Brightway
columns ``name, amount, unit, database, location, categories, type, input, uncertainty type, loc, minimum,
maximum`` and then our columns ``lca.*``.

Each of our flows is exactly one row carrying all its fields (``lca.record = flow``, ``lca.index`` = position
in the file, ``lca.id``, ``lca.from``, ``lca.to``, ``lca.kind``, ``lca.amount`` and ``lca.unit`` as written,
``lca.name``, ``lca.material``, ``lca.origin``, ``lca.background``, ``lca.substance``, ``lca.compartment``,
``lca.category``, ``lca.mass_per_unit``, ``lca.balance``, ``lca.source``, ``lca.assumption.reasoning|low|high``,
``lca.note``; defaults are left blank). The row sits in the activity of the process that receives the flow
(``to``), else of the process that emits it (``from``), else (no process at either end) in the functional-unit
activity. Its Brightway columns depend on what Brightway can say about the flow:

* purchase or waste/water treatment with ``background`` (one end a boundary node) → one ``technosphere``
  exchange per background key to ``desnz-<year>`` (the database our pipeline builds, which also holds the
  ``facts.*`` keys; ``input`` = ``desnz-<year>::<key>``, name/unit of the factor), amount converted with pint to
  the factor's unit; an assumption range becomes a triangular distribution (uncertainty type 5);
* emission with ``substance`` → ``biosphere`` exchange (database ``biosphere3``, name = substance, categories =
  compartment, kilogram), linked by bw2io by name + categories;
* water to ``environment`` compartment ``air`` (evaporation) → ``biosphere`` exchange ``Water`` (air), m3;
* everything else (internal flows between processes, products, flows without a background link, water
  abstraction, waste to a boundary node without a factor …) → an exchange of type ``lca-engine flow``, which is
  not a Brightway matrix type: bw2data stores it and ignores it in calculations. Its ``input`` is the supplying
  process for internal flows and the activity itself otherwise, so bw2io counts it as linked and
  ``write_database`` accepts the file as it is.

A flow that needs several Brightway exchanges (several background keys, or a background and a substance) has
them on further rows marked ``lca.derived = <flow id>`` (ignored on re-import). Names that bw2io would take for a
section marker ("Activity", "Exchanges" …) get " (name)" appended in the Brightway columns only.
Stocks are rows of type ``lca-engine stock`` (``lca.record = stock``) in their process's activity.

Losslessness: our ``lca.*`` cells are the record; Brightway columns are derived from them on export and ignored
on re-import (an edited Brightway amount of an ``lca-engine`` row is reported as a warning: edit ``lca.*``).
Values survive Excel, openpyxl and bw2io's CSV-style transformations (strip, "::" → tuple, "true" → bool,
numeric text → float, "(Unknown)" dropped): strings those would change (empty, leading/trailing blanks, "::",
"true"/"false", numeric-looking, "(Unknown)", leading "=", control characters, "_xHHHH_"), lists (several
background keys) and floats that a 16-significant-digit writer would round are written as ``lca-json:<JSON>``
(":" escaped as ``\u003a``). Hence ``read_bw_excel(write_bw_excel(f)) == f`` for every model (tested on every
example and on a model made of awkward values) — even after a trip through Brightway (bw2io import with its
default strategies → bw2data → bw2io ``write_lci_excel`` → ``read_bw_excel``). Not kept: TOML comments and
formatting (the model holds none), and edits made only in the Brightway columns.

Foreign files (no ``lca.format``)
---------------------------------
The workbook's layout is checked on its rows first (:mod:`.layout`: a readable sheet, exactly one 'Database' row,
a 'cutoff' that leaves columns; an LCIA-method table or a sheet of plain values is named as such), then bw2io
parses it and units are normalised with bw2io's ``normalize_units``. Parameters and formulas are evaluated by
Brightway itself (:mod:`.params`: bw2io writes them with ``activate_parameters=True`` into a scratch project in a
child process, bw2data recalculates; each flow notes its formula and the parameter values). The rows then become
a :class:`~lca_engine.bw.foreground.ForeignFile` and :func:`~lca_engine.bw.foreground.to_factory` converts it (the
same converter serves openLCA JSON-LD and SimaPro CSV); the rules below are that converter's.

The user names the functional-unit activity (name or code; if omitted, the only activity that no other activity
consumes is used) and gives ``sector`` and ``site``, which a Brightway file does not hold. Links inside the file
follow ``input`` (``db::code``), else ``database`` + ``code``, else the name (narrowed by reference product,
location, unit); a link to a ``product`` node (Brightway 2.5) is a link to the one activity whose production
exchange names it. An exchange without a unit takes the unit of the activity it links to (in Brightway an exchange's
unit is its input's), else it is refused at its row. Scaling is solved from the file's own exchanges: the square
technosphere matrix among the file's activities (diagonal = production, default 1; off-diagonal = minus technosphere
inputs from other activities of the file, cycles allowed) times s = one unit of the functional-unit activity's
product. Each activity with non-zero scaling becomes a process (id = its code, made id-safe) whose flows are its
exchanges times its scaling, in the exchange's own unit. Kinds are inferred as follows (documented rule):

* ``production`` of the functional-unit activity → ``product`` to ``market`` (amount = 1 functional unit);
* ``technosphere`` from another activity of the file → internal flow supplier → consumer, named after the
  supplier's reference product, kind by the unit rule below;
* link to ``desnz-<year>`` (by ``input`` code, ``code`` column, factor name or key) — or, for exchanges with no
  database at all (bw2io's own ``write_lci_excel`` writes none) that match no activity of the file, a DESNZ
  factor of the ``year`` argument with exactly that name → ``background`` = that key;
  kind and direction from the key: ``material.*`` purchase (origin from the route: primary → virgin,
  closed_loop → recycled, reused → reused), ``waste.<material>.<route>`` → ``waste`` to landfill / recycling
  (open and closed loop) / energy_recovery / composting (and anaerobic digestion), ``water.supply`` → water
  purchase, ``water.treatment`` → water to wastewater_treatment, fuels and electricity → energy, freight →
  transport;
* a database that is an imported background's name (or its Brightway name ``bg-NAME``), with an activity of that
  background of the same name (and reference product and location, or ``code``) → a purchase with
  ``background = "NAME:<activity>|<product>|<location>"`` (by code when that key names several);
* any other database → a purchase from ``market`` without background (with an ``ExcelImportWarning``); kind from
  the unit's dimension: energy → energy, mass × distance → transport, volume or mass named "water…" → water,
  mass / count / area / other volume → material (origin: "recycled"/"secondary" in the name → recycled,
  "reused"/"second-hand" → reused, else virgin, noted on the flow);
* ``biosphere`` to air / water / soil in mass units → ``emission`` (substance = name, compartment = first
  category); ``Water`` in volume to air/water → ``water`` to environment; natural resources: water → ``water``
  from environment (surface / ground water from the sub-category), energy → ``energy`` from environment;
  anything else (land occupation, radioactivity …) is left out with a warning.

Negative amounts are imported with a note on the flow: internal ones reversed (consumer supplies supplier),
negative links to DESNZ waste factors (ecoinvent-style waste treatment) as the outflow they mean, and negative
purchases (avoided products) as an outflow to market without background, with a warning.

A distribution on an exchange (stats_arrays lognormal, normal, uniform, triangular) becomes the flow's
``assumption``: its 2.5 and 97.5 percentiles times the scaling as low/high, modelled as triangular in Monte Carlo,
the reasoning naming the file's distribution and parameters; other distributions are left out with a warning.

Every imported flow cites one inline source that describes the file (title = file name, publisher "as stated in
the file", licence "unknown — check before use").
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ...background.catalog import Catalog
from ...errors import InventoryError
from ...model import MICRO_FACTORY, Factory, Site
from ..quiet import quiet
from .cells import BW_COLUMNS, FLOW_TYPE, FORMAT, STOCK_TYPE, ExcelImportWarning, P, _dec, _Locator
from .export import write_bw_excel
from .foreign import _read_foreign
from .layout import check_layout
from .own import _read_own
from .sheets import Sheets, importer, read_sheets


def _read_importer(path: Path, sheets: Sheets):
    """bw2io's ExcelImporter on the rows read from ``path`` (parse only), after the layout checks that name the
    sheet and row of what bw2io would fail on (:mod:`.layout`); anything else it raises is a user error too."""
    check_layout(path, sheets)
    with quiet(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            imp = importer(path, sheets)
        except Exception as exc:  # bw2io raises ValueError, AssertionError, KeyError … on malformed sections
            raise InventoryError(
                f"bw2io cannot read the file ({exc.__class__.__name__}: {exc or 'a section has no name or label'})",
                fix="check it against the Brightway Excel layout (Database block, Activity blocks with Exchanges); "
                "give every 'Database'/'Activity' row a name in column B and every table column a label",
                file=str(path),
            ) from None
    return imp


def _open(path: Path) -> Sheets:
    """The workbook's rows, read once within the limits (see :mod:`.sheets`)."""
    if not path.exists():
        raise InventoryError("file not found", fix="check the path", file=str(path))
    if not path.is_file():
        raise InventoryError("is not a regular file, expected an .xlsx file", fix="name a file", file=str(path))
    return read_sheets(path)


def read_bw_excel(
    path: str | Path,
    functional_unit: str | None = None,
    *,
    sector: str | None = None,
    site: Site | dict | None = None,
    system: str = MICRO_FACTORY,
    year: int = 2025,
    catalog: Catalog | None = None,
) -> Factory:
    """Read a Brightway Excel inventory into a :class:`Factory`.

    Our own exports come back as the identical model (``functional_unit`` may be omitted). A foreign file is
    converted per one unit of the ``functional_unit`` activity's product (name or code); it carries no sector or
    site, so pass ``sector`` (one of the six sectors) and ``site`` (``Site`` or ``{"name", "lat", "lon"}``).
    Exchanges to ``desnz-<y>`` link to that year's factors; exchanges with no database (as Brightway's own
    exporter writes them) that match no activity of the file are linked by factor name to ``year``'s factors.
    ``catalog``: a factor catalogue to use for its year (loaded from the shipped files if not given).
    Problems that make a flow impossible to carry over are reported as :class:`ExcelImportWarning`.
    """
    path = Path(path)
    sheets = _open(path)
    imp = _read_importer(path, sheets)
    loc = _Locator(path, sheets)
    meta = {k: _dec(v) for k, v in (imp.metadata or {}).items()}
    if meta.get(f"{P}format") == FORMAT:
        return _read_own(path, imp, meta, loc, functional_unit)
    return _read_foreign(path, imp, meta, loc, functional_unit, sector, site, system, year, catalog)


__all__ = [
    "BW_COLUMNS",
    "FLOW_TYPE",
    "FORMAT",
    "STOCK_TYPE",
    "ExcelImportWarning",
    "quiet",
    "read_bw_excel",
    "write_bw_excel",
]
