"""Ranges carried as stats_arrays distributions: DESNZ inter-annual spread (background) and engineering
assumptions (foreground), ready for Monte Carlo."""

from __future__ import annotations

import pytest

from lca_engine import assess_files, load

from .conftest import DATA


def test_background_factor_carries_its_range_over_desnz_years(catalog):
    gen = catalog.factors["desnz.electricity.uk.generation"]
    # 2023 0.20707428859 (unrounded in its file), 2024 0.20705, 2025 0.177
    assert gen.value == 0.177
    assert gen.low == 0.177 and gen.high == pytest.approx(0.20707428859060403)
    clothing = catalog.factors["desnz.material.clothing.primary"]
    assert clothing.low == clothing.high == 22310  # same every year: no distribution


def test_distributions_are_written_into_brightway(data_dir, catalog):
    import bw2data as bd

    from lca_engine.bw.build import foreground_db_name

    assess_files([DATA / "tiny_micro.toml"], data_dir=data_dir)
    gen = bd.get_node(database="desnz-2025", code="desnz.electricity.uk.generation")
    ghg = next(e for e in gen.biosphere() if e.input["code"] == "ghg-co2e-ar5-desnz")
    assert ghg["uncertainty type"] == 5  # triangular
    assert (ghg["minimum"], ghg["loc"], ghg["maximum"]) == pytest.approx((0.177, 0.177, 0.20707428859060403))
    # engineering assumptions become triangular distributions on boundary exchanges (in the factor's unit) ...
    from lca_engine import Assumption, assess

    f = load(DATA / "tiny_micro.toml")
    f.flows[4] = f.flows[4].model_copy(
        update={"source": None, "assumption": Assumption(reasoning="metered range over a year", low=1.5, high=3.0)}
    )
    assess(f, data_dir=data_dir)
    db = foreground_db_name(f, 2025)
    knit = bd.get_node(database=db, code="knit")
    power = next(e for e in knit.technosphere() if e.get("flow") == "power")
    assert power["uncertainty type"] == 5
    assert (power["minimum"], power["loc"], power["maximum"]) == pytest.approx((1.5, 2.0, 3.0))
    # ... but not on internal flows: sampling one alone would break the mass balance it is part of
    offcuts_in = next(e for e in bd.get_node(database=db, code="recover").technosphere() if e.input == knit)
    assert offcuts_in.get("uncertainty type", 0) in (0, 1)
