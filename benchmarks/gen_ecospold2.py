"""A synthetic, ecoinvent-sized EcoSpold 2 database: N single-output ``.spold`` datasets that bw2io reads.

Run:  .venv/bin/python benchmarks/gen_ecospold2.py OUT [--activities 25000] [--seed 1] [--loop-strength 0.10 0.45]

Writes ``OUT/datasets/<activity id>_<product id>.spold`` (the layout of an ecoinvent release, read by bw2io's
``SingleOutputEcospold2Importer``) and ``OUT/activities.tsv`` (id, name, product, location, unit of every
activity, for benchmarks that link to one). Deterministic for a seed.

Structure (like ecoinvent's cut-off system model):

* one fifth of the activities are markets ``market for <product>`` (GLO, ``specialActivityType`` 1), one per
  product; the others produce one of these products, each producer of a product in a different location;
* a market buys from every producer of its product and (to at least 5 inputs) from the core; a producer buys
  5–30 inputs from markets upstream of its own product (a lower market number), with Zipf(1.2) popularity (the
  lowest-numbered, electricity- or transport-like, are bought by thousands); the first max(K/40, 30) markets are a
  core whose producers buy from all of it, so the core is one large loop (LOOP_SHARE > 0 adds inputs from any
  market, i.e. loops through the whole database: 0.02 makes one strongly connected component of ~95 % of the
  activities, and SuperLU's factors of A at N = 2,500 ~70x nnz(A); with 0 they are ~25x);
* every column's technosphere inputs (each in its supplier's reference unit) sum to a value drawn uniformly in
  ``--loop-strength LOW HIGH`` (default 0.10–0.45), so the matrix, with 1 on its diagonal, is column-diagonally
  dominant and never singular;
* biosphere exchanges use real biosphere3 flow uuids from bw2io's own elementary-flow list (CO2 fossil in 90 % of
  the activities, methane, dinitrogen monoxide, water ... in 40 %, 2–10 more from a pool of 300), so they link;
* 80 % of the exchanges lognormal (geometric sd 1.1–1.5), 10 % triangular, 10 % without distribution.

Generation is string templates over numpy arrays (no XML library); ``--activities 25000`` takes a few seconds.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, unescape

import numpy as np

NS = "http://www.EcoInvent.org/EcoSpold02"
MARKET_SHARE = 0.2
INPUTS = (5, 30)
BIO_EXTRA = (2, 10)
POOL = 300
#: share of a producer's upstream inputs drawn from any market instead (loops beyond the core)
LOOP_SHARE = 0.0
PRODUCER_LOCATIONS = (
    "RoW CH DE FR US CN IN BR RER JP GB CA ZA AU RU IT ES PL SE NO AT BE NL DK FI CZ MX KR TR ID".split()
)
UNITS = ("kg", "MJ", "kWh", "unit", "m3", "metric ton*km")
UNIT_P = (0.6, 0.1, 0.08, 0.07, 0.05, 0.1)
WORDS = (
    "steel aluminium copper glass cement clay polyethylene polypropylene paper cardboard ethanol ammonia "
    "nitric-acid sulfuric-acid lime gravel sand timber plywood cotton wool resin pigment solvent catalyst "
    "electricity heat steam diesel gasoline natural-gas hydrogen oxygen nitrogen chlorine caustic-soda"
).split()
#: (name, compartment, subcompartment) of flows most activities emit or take; matched in bw2io's flow list.
CORE = (
    ("Carbon dioxide, fossil", "air", "unspecified"),
    ("Methane, fossil", "air", "unspecified"),
    ("Dinitrogen monoxide", "air", "unspecified"),
    ("Sulfur dioxide", "air", "unspecified"),
    ("Nitrogen oxides", "air", "unspecified"),
    ("Particulate Matter, < 2.5 um", "air", "unspecified"),
    ("Water", "air", "unspecified"),
    ("Water, river", "natural resource", "in water"),
    ("Water, well, in ground", "natural resource", "in water"),
    ("Carbon dioxide, non-fossil", "air", "unspecified"),
)
FLOW_RE = re.compile(
    r'<elementaryExchange id="([^"]+)"[^>]*>\s*<name xml:lang="en">([^<]*)</name>\s*'
    r'<unitName xml:lang="en">([^<]*)</unitName>\s*<compartment[^>]*>\s*'
    r'<compartment xml:lang="en">([^<]*)</compartment>\s*<subcompartment xml:lang="en">([^<]*)</subcompartment>'
)


@dataclass(frozen=True)
class Flow:
    uuid: str
    name: str  # XML-escaped
    unit: str
    resource: bool  # a natural resource (input group 4), else an emission (output group 4)


@dataclass
class Exchanges:
    """Exchanges of all activities as parallel arrays: column (activity), row (supplier or flow), amount."""

    col: np.ndarray
    row: np.ndarray
    amount: np.ndarray


def biosphere3_flows() -> tuple[list[Flow], list[Flow]]:
    """(core, pool): real biosphere3 flows from bw2io's ``ecoinvent elementary flows 3.9.xml`` (its biosphere3)."""
    spec = importlib.util.find_spec("bw2io")  # located, not imported (its import takes a second)
    path = Path(spec.origin).parent / "data" / "lci" / "ecoinvent elementary flows 3.9.xml"
    found = {}
    for uuid, name, unit, comp, sub in FLOW_RE.findall(path.read_text(encoding="utf-8")):
        if comp in ("air", "water", "soil", "natural resource") and "obsolete" not in name.lower():
            found[(name, comp, sub)] = Flow(uuid, name, unit, comp == "natural resource")
    core = [found[k] for k in CORE if k in found]
    rest = sorted(set(found.values()) - set(core), key=lambda f: f.uuid)
    return core, rest


def uuids(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` version-4-shaped uuids from ``rng`` (deterministic)."""
    raw = rng.bytes(16 * n).hex()
    out = []
    for i in range(n):
        h = raw[32 * i : 32 * i + 32]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}")
    return out


@dataclass
class Layout:
    """Who is who: markets are activities 0..K-1 (market k sells product k), producers K..N-1."""

    n: int
    n_markets: int
    product_of: np.ndarray  # product of each activity
    location: list[str]
    unit_of_product: np.ndarray  # index into UNITS


def layout(rng: np.random.Generator, n: int) -> Layout:
    k = max(1, round(n * MARKET_SHARE))
    n_prod = n - k
    extra = rng.integers(0, k, size=max(0, n_prod - k))
    products = np.concatenate([np.arange(min(k, n_prod)), extra])
    order = np.argsort(products, kind="stable")
    rank = np.empty(n_prod, dtype=np.int64)
    starts = np.searchsorted(products[order], products[order])
    rank[order] = np.arange(n_prod) - starts
    locs = ["GLO"] * k + [
        PRODUCER_LOCATIONS[r] if r < len(PRODUCER_LOCATIONS) else f"{PRODUCER_LOCATIONS[r % 30]}-{r}" for r in rank
    ]
    unit = rng.choice(len(UNITS), size=k, p=UNIT_P)
    return Layout(n, k, np.concatenate([np.arange(k), products]), locs, unit)


def zipf_below(rng: np.random.Generator, hi: np.ndarray) -> np.ndarray:
    """One market index in [0, hi) per entry, index i with weight 1/(i+1)^1.2: the lowest-numbered markets
    (electricity-, transport-like) are bought by thousands of activities."""
    cum = np.cumsum(1.0 / np.arange(1, int(hi.max()) + 1) ** 1.2)
    return np.searchsorted(cum, rng.random(hi.size) * cum[hi - 1], side="left")


def core_size(k: int) -> int:
    """Markets 0..core-1 buy from each other (their producers may buy any of them): the looped core."""
    return min(k, max(k // 40, 30))


def producer_inputs(rng: np.random.Generator, lay: Layout) -> tuple[np.ndarray, np.ndarray]:
    """(column, market) of every producer's 5–30 inputs: markets upstream of its own product (lower index, or any
    in the core) with Zipf popularity, of which LOOP_SHARE from any market (loops beyond the core)."""
    k, n = lay.n_markets, lay.n
    n_in = rng.integers(INPUTS[0], INPUTS[1] + 1, size=n - k)
    col = np.repeat(np.arange(k, n), n_in)
    row = zipf_below(rng, np.maximum(np.repeat(lay.product_of[k:], n_in), core_size(k)))
    loop = rng.random(row.size) < LOOP_SHARE
    row[loop] = rng.integers(0, k, size=int(loop.sum()))
    return col, row


def technosphere(rng: np.random.Generator, lay: Layout, low: float, high: float) -> Exchanges:
    """Inputs of every activity: a market buys from its producers and (to 5 inputs) from the core; producers as
    :func:`producer_inputs`. Each column's inputs scaled to sum to a value in [low, high]."""
    k, n = lay.n_markets, lay.n
    per_market = np.bincount(lay.product_of[k:], minlength=k)
    market_extra = np.maximum(INPUTS[0] - per_market, 1)
    p_col, p_row = producer_inputs(rng, lay)
    col = np.concatenate([lay.product_of[k:], np.repeat(np.arange(k), market_extra), p_col])
    row = np.concatenate([np.arange(k, n), zipf_below(rng, np.full(int(market_extra.sum()), core_size(k))), p_row])
    pairs = np.unique(col.astype(np.int64) * n + row)
    col, row = pairs // n, pairs % n
    keep = col != row
    col, row = col[keep], row[keep]
    weight = rng.lognormal(0.0, 1.0, size=col.size)
    target = rng.uniform(low, high, size=n)
    amount = weight / np.bincount(col, weights=weight, minlength=n)[col] * target[col]
    return Exchanges(col, row, amount)


def biosphere(rng: np.random.Generator, n: int, n_core: int, n_pool: int) -> Exchanges:
    """Elementary exchanges: row < n_core is a core flow, else pool flow row - n_core."""
    core_p = np.r_[0.9, np.full(n_core - 1, 0.4)]
    hit = rng.random((n, n_core)) < core_p
    c_col, c_row = np.nonzero(hit)
    n_extra = rng.integers(BIO_EXTRA[0], BIO_EXTRA[1] + 1, size=n)
    e_col = np.repeat(np.arange(n), n_extra)
    e_row = n_core + rng.integers(0, n_pool, size=e_col.size)
    pairs = np.unique(np.concatenate([c_col, e_col]).astype(np.int64) * (n_core + n_pool) + np.r_[c_row, e_row])
    col, row = pairs // (n_core + n_pool), pairs % (n_core + n_pool)
    amount = rng.lognormal(np.where(row == 0, -0.5, -6.0), 1.5)
    return Exchanges(col, row, amount)


def uncertainty_xml(rng: np.random.Generator, amount: np.ndarray) -> list[str]:
    """One ``<uncertainty>`` element (or '') per amount: 80 % lognormal, 10 % triangular, 10 % none."""
    kind = rng.choice(3, size=amount.size, p=(0.8, 0.1, 0.1)).tolist()
    var = (np.log(rng.uniform(1.1, 1.5, size=amount.size)) ** 2).tolist()
    lo = (amount * rng.uniform(0.7, 0.9, amount.size)).tolist()
    hi = (amount * rng.uniform(1.1, 1.4, amount.size)).tolist()
    mu = np.log(amount).tolist()
    out = [""] * amount.size
    for i, a in enumerate(amount.tolist()):
        if kind[i] == 0:
            out[i] = (
                f'<uncertainty><lognormal meanValue="{a!r}" mu="{mu[i]!r}" variance="{var[i]!r}" '
                f'varianceWithPedigreeUncertainty="{var[i]!r}"/></uncertainty>'
            )
        elif kind[i] == 1:
            out[i] = (
                f'<uncertainty><triangular minValue="{lo[i]!r}" mostLikelyValue="{a!r}" maxValue="{hi[i]!r}"/>'
                "</uncertainty>"
            )
    return out


KIND = {"kg": "material", "MJ": "heat", "kWh": "electricity", "unit": "equipment", "m3": "gas",
        "metric ton*km": "transport, freight"}  # fmt: skip


def product_names(lay: Layout) -> list[str]:
    w = len(WORDS)
    return [f"{KIND[UNITS[u]]}, {WORDS[p % w]} route {p // w + 1}" for p, u in enumerate(lay.unit_of_product.tolist())]


def activity_names(lay: Layout, products: list[str]) -> list[str]:
    k = lay.n_markets
    return [f"market for {products[p]}" if i < k else f"{products[p]} production"
            for i, p in enumerate(lay.product_of.tolist())]  # fmt: skip


def technosphere_xml(rng: np.random.Generator, ex: Exchanges, lay: Layout, ids, pids, products) -> list[str]:
    """One ``<intermediateExchange>`` input (input group 5) per technosphere exchange."""
    unc = uncertainty_xml(rng, ex.amount)
    xids = uuids(rng, ex.col.size)
    out = []
    for x, r, a, u in zip(xids, ex.row.tolist(), ex.amount.tolist(), unc, strict=True):
        p = int(lay.product_of[r])
        out.append(
            f'<intermediateExchange id="{x}" unitId="{UNIT_IDS[lay.unit_of_product[p]]}" amount="{a!r}" '
            f'intermediateExchangeId="{pids[p]}" activityLinkId="{ids[r]}"><name xml:lang="en">{products[p]}'
            f'</name><unitName xml:lang="en">{UNITS[lay.unit_of_product[p]]}</unitName>{u}'
            "<inputGroup>5</inputGroup></intermediateExchange>"
        )
    return out


def biosphere_xml(rng: np.random.Generator, ex: Exchanges, flows: list[Flow]) -> list[str]:
    """One ``<elementaryExchange>`` per biosphere exchange: resources in input group 4, emissions out."""
    unc = uncertainty_xml(rng, ex.amount)
    xids = uuids(rng, ex.col.size)
    out = []
    for x, r, a, u in zip(xids, ex.row.tolist(), ex.amount.tolist(), unc, strict=True):
        f = flows[r]
        group = "<inputGroup>4</inputGroup>" if f.resource else "<outputGroup>4</outputGroup>"
        out.append(
            f'<elementaryExchange id="{x}" amount="{a!r}" elementaryExchangeId="{f.uuid}"><name xml:lang="en">'
            f'{f.name}</name><unitName xml:lang="en">{f.unit}</unitName>{u}{group}</elementaryExchange>'
        )
    return out


#: ecoinvent unit ids of UNITS (any id works for bw2io, which reads ``unitName``).
UNIT_IDS = (
    "487df68b-4994-4027-8fdc-a4dc298257b7",
    "980b811e-3905-4797-82a5-173f5568bc7e",
    "77ae64fa-7e74-4252-9c3b-889c1cd20bfc",
    "eb955ca4-03bb-4cb0-a5e0-d4e6d35a8f6b",
    "de5b3c87-0e35-4fb0-9765-4f3ba34c99e5",
    "0d4e5a3b-3e7a-4a3b-8f0b-7e8f8e6a1c2d",
)

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<ecoSpold xmlns="' + NS + '"><activityDataset><activityDescription>'
    '<activity id="{id}" activityNameId="{nid}" inheritanceDepth="0" type="1" specialActivityType="{special}">'
    '<activityName xml:lang="en">{name}</activityName><generalComment><text xml:lang="en" index="0">Synthetic '
    "dataset (lca-engine benchmarks/gen_ecospold2.py, seed {seed}).</text></generalComment></activity>"
    '<geography geographyId="34dbbff8-88ce-11de-ad60-0019e336be3a">'
    '<shortname xml:lang="en">{loc}</shortname></geography>'
    '<technology technologyLevel="3"/><timePeriod startDate="2020-01-01" endDate="2023-12-31" '
    'isDataValidForEntirePeriod="true"/></activityDescription><flowData>'
    '<intermediateExchange id="{xid}" unitId="{uid}" amount="1" intermediateExchangeId="{pid}" '
    'productionVolumeAmount="{volume}"><name xml:lang="en">{product}</name><unitName xml:lang="en">{unit}'
    "</unitName><outputGroup>0</outputGroup></intermediateExchange>"
)
TAIL = (
    '</flowData><modellingAndValidation><representativeness systemModelId="06590a66-662a-4885-8494-ad0cf410f956">'
    '<systemModelName xml:lang="en">Allocation, cut-off by classification</systemModelName>'
    "</representativeness></modellingAndValidation><administrativeInformation>"
    '<dataEntryBy personId="00000000-0000-4000-8000-000000000001" personName="gen_ecospold2" '
    'personEmail="bench@example.org"/><dataGeneratorAndPublication personId="00000000-0000-4000-8000-000000000001" '
    'personName="gen_ecospold2" personEmail="bench@example.org" isCopyrightProtected="false"/>'
    "</administrativeInformation></activityDataset></ecoSpold>\n"
)


def bounds(col: np.ndarray, n: int) -> np.ndarray:
    """Start offsets of each column's run in ``col`` (sorted), length n + 1."""
    return np.searchsorted(col, np.arange(n + 1))


def generate(out: Path, n: int, seed: int, low: float, high: float) -> dict:
    """Write the database into ``out``; return counts (activities, technosphere and biosphere exchanges)."""
    rng = np.random.default_rng(seed)
    core, pool = biosphere3_flows()
    pool = [pool[i] for i in sorted(rng.choice(len(pool), size=min(POOL, len(pool)), replace=False))]
    flows = [Flow(f.uuid, escape(f.name), f.unit, f.resource) for f in core + pool]
    lay = layout(rng, n)
    tech, bio = technosphere(rng, lay, low, high), biosphere(rng, n, len(core), len(pool))
    ids, xids, pids, nids = uuids(rng, n), uuids(rng, n), uuids(rng, lay.n_markets), uuids(rng, lay.n_markets)
    products = [escape(p) for p in product_names(lay)]
    names = activity_names(lay, products)
    t_xml, b_xml = technosphere_xml(rng, tech, lay, ids, pids, products), biosphere_xml(rng, bio, flows)
    tb, bb = bounds(tech.col, n), bounds(bio.col, n)
    volume = rng.lognormal(10, 2, size=n).tolist()
    folder = out / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        p = int(lay.product_of[i])
        head = HEAD.format(
            id=ids[i], nid=nids[p], special=1 if i < lay.n_markets else 0, name=names[i], seed=seed,
            loc=lay.location[i], xid=xids[i], uid=UNIT_IDS[lay.unit_of_product[p]],
            pid=pids[p], volume=repr(volume[i]), product=products[p], unit=UNITS[lay.unit_of_product[p]],
        )  # fmt: skip
        body = "".join(t_xml[tb[i] : tb[i + 1]]) + "".join(b_xml[bb[i] : bb[i + 1]])
        (folder / f"{ids[i]}_{pids[p]}.spold").write_text(head + body + TAIL, encoding="utf-8")
    write_index(out, ids, names, products, lay)
    return {"activities": n, "technosphere": int(tech.col.size), "biosphere": int(bio.col.size)}


def write_index(out: Path, ids, names, products, lay: Layout) -> None:
    with open(out / "activities.tsv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["id", "name", "product", "location", "unit"])
        for i, p in enumerate(lay.product_of.tolist()):
            w.writerow(
                [ids[i], unescape(names[i]), unescape(products[p]), lay.location[i], UNITS[lay.unit_of_product[p]]]
            )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--activities", type=int, default=25_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--loop-strength", type=float, nargs=2, default=(0.10, 0.45), metavar=("LOW", "HIGH"))
    a = ap.parse_args(argv)
    low, high = a.loop_strength
    if not (0 <= low <= high < 1) or a.activities < 2:
        ap.error("need 0 <= LOW <= HIGH < 1 and at least 2 activities")
    t0 = time.perf_counter()
    counts = generate(a.out, a.activities, a.seed, low, high)
    print(f"{counts} written to {a.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
