"""Typed inventory model: what a factory *is*, independent of any file format or LCA software.

Amounts are stored as the number and unit string the user wrote (so TOML round-trips without loss) and exposed
as pint quantities through :attr:`Flow.quantity`. Structural rules (types, enums, required fields) live here;
rules that need the whole factory (references, units, provenance, balance) live in :mod:`lca_engine.validate`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, get_args

import numpy as np
import pint
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from .errors import InventoryError
from .pydantic_errors import problems_from_validation
from .units import quantity
from .vocabulary import BASELINE, MICRO_FACTORY, SYSTEMS, System  # noqa: F401 — re-exported; defined once there
from .vocabulary import MaterialClass as MaterialClass  # defined once there (symbiosis)

#: Brightway stores matrix values as float32: amounts outside its normal range are lost or infinite.
FLOAT32 = np.finfo(np.float32)

#: Every vocabulary is written once, as a ``Literal`` (what pydantic checks); the tuples are read from it.
Sector = Literal["textiles", "green tech", "modular housing", "advanced composites", "e-mobility", "eco-packaging"]
SECTORS: tuple[str, ...] = get_args(Sector)

#: Kinds of flow bought from the market whose upstream impact needs a background factor.
PurchasedKind = Literal["material", "energy", "water", "chemical", "transport"]
FlowKind = Literal[PurchasedKind, "emission", "waste", "product"]
FLOW_KINDS: tuple[str, ...] = get_args(FlowKind)
PURCHASED_KINDS: tuple[str, ...] = get_args(PurchasedKind)
#: The physical dimensions a flow of each kind may be stated in (pint dimensionality strings).
KIND_DIMENSIONS: dict[FlowKind, tuple[str, ...]] = {
    "material": ("[mass]", "[item]", "[length] ** 2", "[length] ** 3"),
    "energy": ("[mass] * [length] ** 2 / [time] ** 2", "[length] ** 3", "[mass]"),
    "water": ("[length] ** 3", "[mass]"),
    "chemical": ("[mass]", "[length] ** 3"),
    "emission": ("[mass]",),
    "waste": ("[mass]", "[length] ** 3", "[item]"),
    "product": ("[mass]", "[item]", "[length] ** 2", "[length] ** 3", "[length]"),
    "transport": ("[mass] * [length]",),
}

#: Secondary origins: recycled or re-used input (may state where it comes from, ``recycled_source``).
SecondaryOrigin = Literal["recycled", "reused"]
Origin = Literal["virgin", SecondaryOrigin, "renewable"]
ORIGINS: tuple[str, ...] = get_args(Origin)
SECONDARY_ORIGINS: tuple[str, ...] = get_args(SecondaryOrigin)
#: Where recycled or re-used input comes from: grant schemes count post-consumer feedstock, not own process waste.
RecycledSource = Literal["post-consumer", "pre-consumer", "own-process"]

#: Boundary destinations that keep material in use; with energy recovery, those that recover something.
MaterialRecoveryRoute = Literal["recycling", "reuse", "composting"]
RecoveryRoute = Literal[MaterialRecoveryRoute, "energy_recovery"]
#: Off-site treatment routes for outflows (waste, by-products, water discharged): a background factor may be attached.
WasteRoute = Literal["landfill", RecoveryRoute, "wastewater_treatment"]
BoundaryNode = Literal["market", "environment", WasteRoute]
BOUNDARY: tuple[str, ...] = get_args(BoundaryNode)
MARKET, ENVIRONMENT = BOUNDARY[:2]
WASTE_ROUTES: tuple[str, ...] = get_args(WasteRoute)
RECOVERY_NODES: tuple[str, ...] = get_args(RecoveryRoute)
MATERIAL_RECOVERY_NODES: tuple[str, ...] = get_args(MaterialRecoveryRoute)

_DESCRIBED: dict[BoundaryNode, str] = {
    "market": "bought-in inputs and sold products (the economy)",
    "environment": "nature: water abstraction, emissions to air/water/soil",
    "landfill": "waste sent to landfill",
    "recycling": "waste sent off site for recycling",
    "reuse": "items sent off site for reuse",
    "energy_recovery": "waste incinerated with energy recovery",
    "composting": "waste sent to composting or anaerobic digestion",
    "wastewater_treatment": "water discharged to sewer / treatment works",
}
#: Nodes outside the factory, with what they stand for. Flows come from / go to one of these or to a process id.
BOUNDARY_NODES: dict[str, str] = {node: _DESCRIBED[node] for node in BOUNDARY}

#: Inventory format versions this engine reads.
SchemaVersion = Literal[1]
SCHEMA_VERSIONS: tuple[int, ...] = get_args(SchemaVersion)

#: Categories of process chemicals (the chemicals indicator reports kg per category).
ChemicalCategory = Literal["dyes_auxiliaries", "solvents", "acids_alkalis", "resins_binders", "other"]
CHEMICAL_CATEGORIES: tuple[str, ...] = get_args(ChemicalCategory)

#: Environmental compartments, for flows to 'environment' (emissions, evaporation) and from it (abstraction).
CompartmentTo = Literal["air", "water", "soil"]
CompartmentFrom = Literal["surface water", "ground water", "rainwater", "air", "soil"]
Compartment = Literal[CompartmentTo, CompartmentFrom]
COMPARTMENTS: tuple[str, ...] = get_args(Compartment)
COMPARTMENTS_TO: tuple[str, ...] = get_args(CompartmentTo)
COMPARTMENTS_FROM: tuple[str, ...] = get_args(CompartmentFrom)

#: Ids name files (``<factory id>.html``) and Brightway codes: a safe file-name stem, never '.', '..' or hidden.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}")
ID_RULE = "letters, digits, '_', '-' and '.', not starting with '.', at most 128 characters"


def _safe_id(v: str) -> str:
    if not ID_PATTERN.fullmatch(v):
        # the error's ctx carries the fix, for the loader to show (lca_engine.inventory)
        raise PydanticCustomError("unsafe_id", "not a safe id (ids name files)", {"fix": f"use {ID_RULE}"})
    return v


Id = Annotated[str, Field(min_length=1), AfterValidator(_safe_id)]


class _BuiltInCode(type(BaseModel)):
    """Building a model in code (``Flow(id=…, from_=…)``) goes through this metaclass's ``__call__``: a mistake is an
    :class:`InventoryError` naming the model's field and the fix. Nested models and ``model_validate`` (what the file
    loaders call, adding file and line) are validated by pydantic-core without it and keep ``ValidationError``."""

    def __call__(cls, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            names = {f.alias: name for name, f in cls.model_fields.items() if f.alias}  # from → from_
            raise InventoryError(problems_from_validation(exc, prefix=(cls.__name__,), names=names)) from None


class _Model(BaseModel, metaclass=_BuiltInCode):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=False)


class Source(_Model):
    """A published source that numbers cite by id (kept in ``sources.toml``)."""

    publisher: str
    title: str
    edition: str = ""
    table: str = ""
    licence: str
    url: str = ""
    attribution: str = ""
    note: str = ""


class Assumption(_Model):
    """An engineering assumption: not data. It carries its reasoning and a plausible range."""

    reasoning: str = Field(min_length=10)
    low: float
    high: float


class Site(_Model):
    name: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    former_use: str = ""


class FunctionalUnit(_Model):
    amount: float = Field(gt=0)
    unit: str
    description: str = Field(min_length=1)

    @property
    def quantity(self) -> pint.Quantity:
        return quantity(self.amount, self.unit)

    def label(self) -> str:
        amount = f"{self.amount:g}"
        return f"{amount} {self.unit} ({self.description})"


class Process(_Model):
    id: Id
    name: str = ""
    stage: str = "manufacturing"
    description: str = ""


#: Lifetime distributions of a product in use: the ones flodym 1.1's dynamic stock models have (lca_engine.stocks).
LifetimeDistribution = Literal["fixed", "normal", "lognormal", "weibull"]
LIFETIME_DISTRIBUTIONS: tuple[str, ...] = get_args(LifetimeDistribution)
#: The parameters each distribution takes besides its mean (all others are refused): normal and lognormal a
#: standard deviation, Weibull a shape (its scale follows from mean and shape).
LIFETIME_PARAMETERS: dict[LifetimeDistribution, tuple[str, ...]] = {
    "fixed": (),
    "normal": ("std",),
    "lognormal": ("std",),
    "weibull": ("shape",),
}
#: The parameters some distribution takes (read from the table above).
LIFETIME_OPTIONAL: tuple[str, ...] = tuple(dict.fromkeys(p for ps in LIFETIME_PARAMETERS.values() for p in ps))
#: The unit lifetimes are read in when none is written.
LIFETIME_UNIT = "year"


def _positive_finite(v: float | None, what: str) -> float | None:
    if v is None:
        return v
    if v != v or v in (float("inf"), float("-inf")) or v <= 0:
        unit = "" if what == "Weibull shape" else f" (in the lifetime's 'unit', {LIFETIME_UNIT}s if none is written)"
        raise PydanticCustomError(
            "lifetime_positive",
            "{what} must be a positive finite number",
            {"what": what, "fix": f"give the {what} as a number greater than 0{unit}"},
        )
    return v


class Lifetime(_Model):
    """How long a product sold to the market stays in use: a distribution (``distribution``, ``mean`` and the
    parameters it takes, :data:`LIFETIME_PARAMETERS`), in ``unit`` (a time; years when not written), with the
    industry-average lifetime of such products ``average`` (L_av, optional: the MCI utility and ISO 59020's
    lifetime vs average). Written as ``[flows.lifetime]`` under the product's ``[[flows]]`` block. One provenance
    for the table: a cited ``source``, or an ``assumption`` whose range holds the mean. The rules that need more
    than one field (parameters per distribution, unit, placement, provenance) are in :mod:`lca_engine.rules.lifetime`.
    """

    distribution: LifetimeDistribution
    mean: float
    std: float | None = None
    shape: float | None = None
    average: float | None = None
    unit: str = LIFETIME_UNIT
    source: str | None = None
    assumption: Assumption | None = None
    note: str = ""

    @field_validator("mean", "std", "shape", "average")
    @classmethod
    def _positive(cls, v: float | None, info) -> float | None:
        names = {"mean": "mean lifetime", "std": "standard deviation", "shape": "Weibull shape"}
        return _positive_finite(v, names.get(info.field_name, "average lifetime"))


class Flow(_Model):
    """One flow per functional unit between two nodes (process ids or boundary nodes)."""

    id: Id
    from_: str = Field(alias="from", min_length=1)
    to: str = Field(min_length=1)
    kind: FlowKind
    amount: float
    unit: str
    name: str = ""
    material: str = ""
    origin: Origin | None = None
    recycled_source: RecycledSource | None = None  # for recycled / reused inflows; absent = "not stated"
    material_class: MaterialClass | None = None  # for industrial symbiosis; absent = from its DESNZ key
    quality: str = ""  # free text shown beside a symbiosis match, e.g. "clean post-industrial offcut"
    background: str | list[str] | None = None
    substance: str | None = None
    compartment: Compartment | None = None
    category: ChemicalCategory | None = None
    mass_per_unit: str | None = None
    balance: bool = True
    source: str | None = None
    assumption: Assumption | None = None
    note: str = ""
    lifetime: Lifetime | None = None  # a product sold to the market: how long it stays in use (lca_engine.stocks)

    @field_validator("amount")
    @classmethod
    def _non_negative(cls, v: float) -> float:
        if v != v or v in (float("inf"), float("-inf")):
            raise PydanticCustomError("amount_finite", "amount must be a finite number", {"fix": "write a number"})
        if v < 0:
            raise PydanticCustomError(
                "amount_negative", "amount must not be negative", {"fix": "reverse 'from' and 'to' instead"}
            )
        if 0 < v < float(FLOAT32.tiny) or v > float(FLOAT32.max):
            raise PydanticCustomError(
                "amount_range",
                "amount {amount} is outside the range Brightway stores (float32: {tiny} to {max})",
                {
                    "amount": f"{v:g}",
                    "tiny": f"{float(FLOAT32.tiny):.2e}",
                    "max": f"{float(FLOAT32.max):.2e}",
                    "fix": "write 0 for nothing, or the amount in a larger or smaller unit",
                },
            )
        return v

    @property
    def quantity(self) -> pint.Quantity:
        return quantity(self.amount, self.unit)

    @property
    def background_keys(self) -> list[str]:
        """One flow may link several background factors (e.g. DESNZ carbon + a water fact)."""
        if self.background is None:
            return []
        return [self.background] if isinstance(self.background, str) else list(self.background)


class Stock(_Model):
    """Change of a stock held in a process, per functional unit (positive = accumulates)."""

    id: Id
    process: str
    change: float
    unit: str
    material: str = ""
    source: str | None = None
    assumption: Assumption | None = None
    note: str = ""

    @property
    def quantity(self) -> pint.Quantity:
        return quantity(self.change, self.unit)


class EndOfUse(_Model):
    """What happens to the product after use — needed for the Material Circularity Indicator and the CTI outflow.

    Fractions of the product mass; efficiencies of recycling; utility ratios against the industry average.
    One provenance for the section: a cited ``source`` or an ``assumption`` (reasoning text).
    """

    collected_for_reuse: float = Field(0.0, ge=0, le=1)
    collected_for_recycling: float = Field(0.0, ge=0, le=1)
    collected_for_composting: float = Field(0.0, ge=0, le=1)
    collected_for_energy_recovery: float = Field(0.0, ge=0, le=1)
    recycling_efficiency_collection: float = Field(1.0, ge=0, le=1)
    recycling_efficiency_feedstock: float = Field(1.0, ge=0, le=1)
    lifetime_ratio: float = Field(1.0, gt=0)  # L / L_av
    intensity_ratio: float = Field(1.0, gt=0)  # U / U_av
    source: str | None = None
    assumption: str | None = None
    note: str = ""


class Economics(_Model):
    """Economic data per functional unit (for circular material productivity)."""

    revenue_per_fu: float = Field(ge=0)
    currency: str = "GBP"
    source: str | None = None
    assumption: Assumption | None = None
    note: str = ""


class Production(_Model):
    """Output volume and operating figures: results per year, and the productivity and downtime claims.

    Optional figures are "not stated" when absent — never zero.
    """

    annual_output: float = Field(gt=0)  # functional units per year
    output_per_labour_hour: float | None = Field(None, gt=0)  # functional units per labour-hour
    planned_downtime_hours: float | None = Field(None, ge=0)  # per year
    unplanned_downtime_hours: float | None = Field(None, ge=0)  # per year
    source: str | None = None
    assumption: Assumption | None = None
    note: str = ""


SiteStatus = Literal["former industrial", "brownfield", "greenfield", "existing building"]
SITE_STATUSES: tuple[str, ...] = get_args(SiteStatus)
CircularStrategy = Literal["repair", "reuse", "refurbishment", "remanufacture", "recycling"]
CIRCULAR_STRATEGIES: tuple[str, ...] = get_args(CircularStrategy)
WayOfWorking = Literal["long_term", "prevention", "integration", "collaboration", "involvement"]
WAYS_OF_WORKING: tuple[str, ...] = get_args(WayOfWorking)


#: SocioEconomic figures that are shares (fractions 0–1) and those that are counts or amounts (≥ 0); with "trl",
#: every figure that is a :class:`Stated`.
SOCIO_SHARES = (
    "living_wage_share",
    "welsh_sourcing_share",
    "local_sourcing_share",
    "renewable_electricity_share",
    "match_funding_share",
)
SOCIO_AMOUNTS = (
    "jobs_fte",
    "jobs_created_fte",
    "apprenticeships",
    "training_places",
    "onsite_generation_kw",
    "onsite_generation_kwh",
)
SOCIO_STATED = (*SOCIO_AMOUNTS, *SOCIO_SHARES, "trl")
#: The technology readiness scale (trl is a whole number on it).
TRL_LEVELS = range(1, 10)


class Stated(_Model):
    """One stated figure with its own provenance (a cited source or a labelled assumption)."""

    value: float
    source: str | None = None
    assumption: Assumption | None = None
    note: str = ""

    @field_validator("value", mode="before")
    @classmethod
    def _number(cls, v):
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise ValueError("must be a number")
        return v


def _stated(v):
    """Accept a bare number so that validation can say what is missing (its provenance), not just 'not a table'."""
    return {"value": v} if isinstance(v, int | float) and not isinstance(v, bool) else v


class SocioEconomic(_Model):
    """Optional jobs, skills, site and sourcing data the Welsh funders ask about. Every figure is a
    :class:`Stated` (value + source or assumption); anything absent is reported as "not stated", never as 0.
    Shares are fractions from 0 to 1."""

    jobs_fte: Stated | None = None  # jobs at the site, full-time equivalent
    jobs_created_fte: Stated | None = None  # of which new jobs (created, not moved)
    living_wage_share: Stated | None = None  # share of jobs on permanent contracts paid ≥ the real Living Wage
    apprenticeships: Stated | None = None  # apprenticeship places per year
    training_places: Stated | None = None  # other training places per year
    site_status: SiteStatus | None = None
    former_use: str = ""
    site_source: str | None = None  # source id for the site status / former use
    welsh_sourcing_share: Stated | None = None  # share of input mass sourced within Wales
    local_sourcing_share: Stated | None = None  # share of input mass sourced within local_radius_km
    local_radius_km: float | None = Field(None, gt=0)
    renewable_electricity_share: Stated | None = None  # on-site generation + renewable supply contracts
    onsite_generation_kw: Stated | None = None  # installed renewable capacity on site, kW
    onsite_generation_kwh: Stated | None = None  # renewable electricity generated on site per year, kWh
    trl: Stated | None = None  # technology readiness level, 1–9
    match_funding_share: Stated | None = None  # applicant's share of the eligible capital cost
    circular_strategies: list[CircularStrategy] = Field(default_factory=list)
    community_benefits: str = ""
    # the applicant's registration as the inventory states it (e.g. "Companies House 01234567"); the grant
    # criterion "registered legal entity" is the assessor's judgement where this is empty
    registered_entity: str = Field("", max_length=200)
    ways_of_working: dict[WayOfWorking, str] = Field(default_factory=dict)  # what the inventory states, per way

    @field_validator(*SOCIO_STATED, mode="before")
    @classmethod
    def _bare_number(cls, v):
        return _stated(v)


class Factory(_Model):
    """A micro-factory or a conventional baseline, modelled per functional unit."""

    schema_version: SchemaVersion = SCHEMA_VERSIONS[-1]
    id: Id
    name: str = Field(min_length=1)
    sector: Sector
    system: System = MICRO_FACTORY
    description: str = ""
    site: Site
    functional_unit: FunctionalUnit
    baseline: str | None = None
    processes: list[Process] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    stocks: list[Stock] = Field(default_factory=list)
    end_of_use: EndOfUse | None = None
    economics: Economics | None = None
    production: Production | None = None
    socio_economic: SocioEconomic | None = None
    claims: list[dict] = Field(default_factory=list)  # extra claims to test (schema: lca_engine.claims.Claim)
    sources: dict[str, Source] = Field(default_factory=dict)

    @field_validator("schema_version", mode="before")
    @classmethod
    def _supported_version(cls, v):
        if type(v) is not int or v not in SCHEMA_VERSIONS:
            supported = " or ".join(map(str, SCHEMA_VERSIONS))
            raise PydanticCustomError(
                "unsupported_schema_version",
                "not a schema version this engine reads (supported: {supported}, a whole number)",
                {"supported": supported, "fix": f"write schema_version = {SCHEMA_VERSIONS[-1]}"},
            )
        return v

    def process_ids(self) -> list[str]:
        return [p.id for p in self.processes]

    def flow(self, flow_id: str) -> Flow:
        for f in self.flows:
            if f.id == flow_id:
                return f
        raise KeyError(flow_id)
