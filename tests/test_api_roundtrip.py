"""The Python API builds the same model as the file, round-trips TOML without loss, and gives the same result."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lca_engine import (
    Assumption,
    Factory,
    Flow,
    FunctionalUnit,
    Process,
    Site,
    assess,
    assess_files,
    dumps,
    load,
    loads,
    save,
)

from .conftest import DATA


def build_tiny_in_code() -> Factory:
    """tests/data/tiny_micro.toml written with the API."""

    def flow(fid, src, dst, kind, amount, unit, **kw):
        return Flow.model_validate(
            {"id": fid, "from": src, "to": dst, "kind": kind, "amount": amount, "unit": unit, **kw}
        )

    return Factory(
        id="tiny-micro",
        name="Tiny knitting micro-factory (test)",
        sector="textiles",
        baseline="tiny_baseline.toml",
        functional_unit=FunctionalUnit(amount=1, unit="item", description="one knitted garment of 0.5 kg"),
        site=Site(name="Merthyr Tydfil", lat=51.7487, lon=-3.3816),
        processes=[Process(id="knit", name="Knitting"), Process(id="recover", name="Offcut recovery")],
        flows=[
            flow(
                "yarn",
                "market",
                "knit",
                "material",
                0.5,
                "kg",
                origin="virgin",
                background="desnz.material.clothing.primary",
                source="desnz-2025",
            ),
            flow("recovered_yarn", "recover", "knit", "material", 40, "g", source="desnz-2025"),
            flow(
                "offcuts",
                "knit",
                "recover",
                "waste",
                0.05,
                "kg",
                assumption=Assumption(
                    reasoning="typical whole-garment knitting offcut share, test value", low=0.01, high=0.1
                ),
            ),
            flow(
                "recovery_loss",
                "recover",
                "landfill",
                "waste",
                10,
                "g",
                background="desnz.waste.clothing.landfill",
                source="desnz-2025",
            ),
            flow("power", "market", "knit", "energy", 2, "kWh", background="desnz.electricity.uk", source="desnz-2025"),
            flow(
                "power_recover",
                "market",
                "recover",
                "energy",
                1800,
                "kJ",
                background="desnz.electricity.uk",
                source="desnz-2025",
            ),
            flow(
                "water",
                "market",
                "knit",
                "water",
                10,
                "L",
                background="desnz.water.supply",
                balance=False,
                source="desnz-2025",
            ),
            flow(
                "delivery",
                "market",
                "knit",
                "transport",
                0.05,
                "t*km",
                background="desnz.freight.hgv",
                source="desnz-2025",
            ),
            flow("garment", "knit", "market", "product", 1, "item", mass_per_unit="0.49 kg/item", source="desnz-2025"),
        ],
    )


def test_code_model_equals_file_model():
    assert build_tiny_in_code() == load(DATA / "tiny_micro.toml")


def test_toml_round_trip_is_lossless(tmp_path):
    original = load(DATA / "tiny_micro.toml")
    save(original, tmp_path / "copy.toml")
    again = load(tmp_path / "copy.toml")
    assert again == original
    assert dumps(again) == dumps(original)


def test_code_model_gives_the_same_result_as_the_file(data_dir):
    from_file = assess_files([DATA / "tiny_micro.toml"], data_dir=data_dir)
    from_code = assess(build_tiny_in_code(), load(DATA / "tiny_baseline.toml"), data_dir=data_dir)
    for fid in ("tiny-micro", "tiny-baseline"):
        assert from_code.total(fid) == pytest.approx(from_file.total(fid), rel=1e-12)


names = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(  # 0, or within the float32 range Brightway stores (smaller non-zero amounts are refused)
        st.just(0.0) | st.floats(min_value=1.2e-38, max_value=1e9, allow_nan=False), min_size=1, max_size=6
    ),
    unit=st.sampled_from(["kg", "g", "t", "lb"]),
    text=st.text(max_size=40),
    pid=names,
)
def test_round_trip_property(amounts, unit, text, pid):
    flows = [
        Flow.model_validate(
            {
                "id": f"f{i}",
                "from": "market",
                "to": pid,
                "kind": "material",
                "amount": a,
                "unit": unit,
                "origin": "recycled",
                "note": text,
                "source": "desnz-2025",
            }
        )
        for i, a in enumerate(amounts)
    ]
    f = Factory(
        id="p",
        name="n" + text,
        sector="e-mobility",
        description=text,
        functional_unit=FunctionalUnit(amount=1000, unit="item", description="x" + text),
        site=Site(name="s", lat=0, lon=0),
        processes=[Process(id=pid, description=text)],
        flows=flows,
    )
    assert loads(dumps(f)) == f
