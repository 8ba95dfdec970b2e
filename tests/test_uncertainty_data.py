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
    db = foreground_db_name(load(DATA / "tiny_micro.toml"), 2025)
    knit = bd.get_node(database=db, code="knit")
    offcuts_in = next(e for e in bd.get_node(database=db, code="recover").technosphere() if e.input == knit)
    # offcuts: assumption 0.05 kg in [0.01, 0.1] -> triangular in kg
    assert offcuts_in["uncertainty type"] == 5
    assert (offcuts_in["minimum"], offcuts_in["loc"], offcuts_in["maximum"]) == pytest.approx((0.01, 0.05, 0.1))
