"""Circularity indicators and data reconciliation against cases worked out by hand (derivations in comments)."""

from __future__ import annotations

import numpy as np
import pytest

from lca_engine import Assumption, Factory, Flow, FunctionalUnit, Process, Site, load, reconcile
from lca_engine.circularity import CircularityError, circularity_report, cti, iso59020, mci, portfolio_mci
from lca_engine.model import Economics, EndOfUse
from lca_engine.reconciliation import reconcile_factory

from .conftest import DATA

# ---------------------------------------------------------------------------------------------------- MCI --


def test_linear_product_scores_0_1():
    # all virgin, all landfilled: V = M, W0 = M, W = M, LFI = 2M / 2M = 1, MCI = 1 - 1 * 0.9 = 0.1
    r = mci(1.0)
    assert (r.virgin_mass, r.waste_mass, r.lfi, r.mci) == pytest.approx((1.0, 1.0, 1.0, 0.1))


def test_fully_circular_product_scores_1():
    # all reused feedstock, all collected for reuse: V = 0, W0 = 0, W_C = W_F = 0 -> LFI = 0 -> MCI = 1
    r = mci(5.0, reused_feedstock=1, collected_for_reuse=1)
    assert r.lfi == 0 and r.mci == 1


def test_floor_at_zero():
    # linear product (LFI = 1) used half as long / intensively as average: X = 0.5, F(X) = 1.8, 1 - 1.8 < 0 -> 0
    r = mci(1.0, utility=0.5)
    assert r.utility_factor == pytest.approx(1.8)
    assert r.mci == 0.0


def test_recycled_feedstock_and_recycling_with_losses():
    # M = 10, F_R = 0.5 (E_F = 0.8), C_R = 0.6 (E_C = 0.75), X = 1
    # V = 10 * 0.5 = 5;  W0 = 10 * (1 - 0.6) = 4;  W_C = 10 * 0.25 * 0.6 = 1.5;  W_F = 10 * 0.2 * 0.5 / 0.8 = 1.25
    # W = 4 + (1.25 + 1.5) / 2 = 5.375;  LFI = (5 + 5.375) / (20 + (1.25 - 1.5) / 2) = 10.375 / 19.875
    # MCI = 1 - 0.9 * 10.375 / 19.875 = 0.530188679...
    r = mci(
        10,
        recycled_feedstock=0.5,
        recycling_efficiency_feedstock=0.8,
        collected_for_recycling=0.6,
        recycling_efficiency_collection=0.75,
    )
    assert (r.virgin_mass, r.unrecoverable_waste, r.recycling_waste, r.feedstock_waste) == pytest.approx(
        (5, 4, 1.5, 1.25)
    )
    assert r.waste_mass == pytest.approx(5.375)
    assert r.lfi == pytest.approx(10.375 / 19.875)
    assert r.mci == pytest.approx(1 - 0.9 * 10.375 / 19.875)
    assert r.mci == pytest.approx(0.5301886792, rel=1e-9)


def test_biological_feedstock_and_composting_and_utility():
    # M = 2, F_S = 0.5, C_C = 0.5: V = 1, W0 = 1, W = 1, LFI = 2 / 4 = 0.5, MCI = 1 - 0.45 = 0.55
    assert mci(2, bio_feedstock=0.5, collected_for_composting=0.5).mci == pytest.approx(0.55)
    # linear but twice the lifetime: X = 2, F(X) = 0.45, MCI = 1 - 0.45 = 0.55
    assert mci(1, utility=2).mci == pytest.approx(0.55)
    # energy recovery counts as collected in W0 (README formula): C_E = 1 -> W0 = 0, LFI = 1/2, MCI = 0.55
    assert mci(1, collected_for_energy_recovery=1).mci == pytest.approx(0.55)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"recycled_feedstock": 1.2}, "recycled_feedstock"),
        ({"collected_for_reuse": -0.1}, "collected_for_reuse"),
        ({"recycled_feedstock": 0.6, "reused_feedstock": 0.5}, "recycled_feedstock"),
        ({"collected_for_recycling": 0.7, "collected_for_reuse": 0.4}, "collected_for_recycling"),
        ({"recycled_feedstock": 0.3, "recycling_efficiency_feedstock": 0}, "recycling_efficiency_feedstock"),
        ({"utility": 0}, "utility"),
    ],
)
def test_invalid_inputs_raise_clear_errors(kwargs, field):
    with pytest.raises(CircularityError) as e:
        mci(1.0, **kwargs)
    assert e.value.problems[0].field == field and e.value.problems[0].fix


def test_zero_mass_is_an_error_and_portfolio_is_mass_weighted():
    with pytest.raises(CircularityError):
        mci(0)
    # (2 kg at 0.1, 6 kg at 0.5) -> (0.2 + 3.0) / 8 = 0.4
    assert portfolio_mci([(2, 0.1), (6, 0.5)]) == pytest.approx(0.4)


# ------------------------------------------------------------------------------------- graph-level CTI etc. --

A = Assumption(reasoning="hand-worked test value", low=0, high=1e6)


def _flow(fid, src, dst, amount, kind="material", **kw):
    return Flow.model_validate(
        {"id": fid, "from": src, "to": dst, "kind": kind, "amount": amount, "unit": "kg", "assumption": A, **kw}
    )


def hand_factory(end_of_use=True) -> Factory:
    """Inflows 6 kg virgin + 3 kg recycled + 1 kg renewable; 8 kg product; 1.5 kg waste recycled, 0.5 landfilled.
    End of use: 25 % reused, 50 % collected for recycling at E_C = 0.8. Revenue 50 GBP per FU."""
    return Factory(
        id="hand",
        name="hand",
        sector="eco-packaging",
        site=Site(name="x", lat=51.5, lon=-3.2),
        functional_unit=FunctionalUnit(amount=1, unit="item", description="one thing of 8 kg"),
        processes=[Process(id="make")],
        flows=[
            _flow("virgin", "market", "make", 6, origin="virgin"),
            _flow("recycled", "market", "make", 3, origin="recycled"),
            _flow("bio", "market", "make", 1, origin="renewable"),
            _flow("scrap", "make", "recycling", 1.5, kind="waste"),
            _flow("rubbish", "make", "landfill", 0.5, kind="waste"),
            Flow.model_validate(
                {
                    "id": "product",
                    "from": "make",
                    "to": "market",
                    "kind": "product",
                    "amount": 1,
                    "unit": "item",
                    "mass_per_unit": "8 kg/item",
                    "assumption": A,
                }
            ),
        ],
        end_of_use=EndOfUse(
            collected_for_reuse=0.25,
            collected_for_recycling=0.5,
            recycling_efficiency_collection=0.8,
            assumption="hand-worked case",
        )
        if end_of_use
        else None,
        economics=Economics(revenue_per_fu=50, assumption=A),
    )


def test_cti_by_hand():
    c = cti(hand_factory())
    # circular inflow = (3 + 1) / 10 = 0.4
    assert c["circular_inflow"]["value"] == pytest.approx(0.4)
    # CTI: product recovered fraction = C_U + C_R = 0.25 + 0.5 = 0.75 (recovery potential × actual recovery)
    # circular outflow = (8 * 0.75 + 1.5) / (8 + 1.5 + 0.5) = 7.5 / 10 = 0.75
    assert c["circular_outflow"]["value"] == pytest.approx(0.75)
    # material circularity = (4 + 7.5) / (10 + 10) = 0.575
    assert c["material_circularity"]["value"] == pytest.approx(0.575)
    # yield-adjusted variant (MCI's E_C on the recycled share): C_U + C_R * E_C = 0.25 + 0.4 = 0.65
    # circular outflow = (8 * 0.65 + 1.5) / 10 = 0.67; material circularity = (4 + 6.7) / 20 = 0.535
    assert c["circular_outflow_yield_adjusted"]["value"] == pytest.approx(0.67)
    assert c["material_circularity_yield_adjusted"]["value"] == pytest.approx(0.535)
    assert "E_C" in c["circular_outflow"]["note"] and "E_C" in c["circular_outflow_yield_adjusted"]["formula"]
    # circular material productivity = 50 GBP / 0.006 t linear inflow = 8333.33 GBP/t
    assert c["circular_material_productivity"]["value"] == pytest.approx(50 / 0.006)


def test_mci_from_graph_by_hand():
    r = circularity_report(hand_factory())
    m = r["mci"]
    # M = 8, F_R = 0.3, F_S = 0.1, C_U = 0.25, C_R = 0.5, E_C = 0.8, E_F = 1
    # V = 8 * 0.6 = 4.8; W0 = 8 * 0.25 = 2; W_C = 8 * 0.2 * 0.5 = 0.8; W_F = 0; W = 2 + 0.4 = 2.4
    # LFI = (4.8 + 2.4) / (16 - 0.4) = 7.2 / 15.6;  MCI = 1 - 0.9 * 7.2 / 15.6 = 0.584615...
    assert m["inputs"]["F_R"] == pytest.approx(0.3) and m["inputs"]["F_S"] == pytest.approx(0.1)
    assert m["intermediate"]["virgin_mass"] == pytest.approx(4.8)
    assert m["value"] == pytest.approx(1 - 0.9 * 7.2 / 15.6)
    # waste: 1.5 of 2 kg recycled
    assert r["waste"]["recycling_rate"]["value"] == pytest.approx(0.75)
    assert r["waste"]["landfill_share"]["value"] == pytest.approx(0.25)
    # without end-of-use data the product counts as landfilled and the result says so
    bare = circularity_report(hand_factory(end_of_use=False))["mci"]
    assert bare["inputs"]["C_U"] == 0 and any("not stated" in n for n in bare["notes"])


def test_iso59020_by_hand():
    i = iso59020(hand_factory())
    assert i["recycled_inflow_content"]["value"] == pytest.approx(0.3)
    assert i["renewable_inflow_content"]["value"] == pytest.approx(0.1)
    # reused outflow = 8 * 0.25 = 2 of 10 kg; recycled = 1.5 + 8 * 0.5 = 5.5 of 10 kg (collected for recycling)
    assert i["outflow_reused"]["value"] == pytest.approx(0.2)
    assert i["outflow_recycled"]["value"] == pytest.approx(0.55)
    # yield-adjusted variant: 1.5 + 8 * 0.5 * 0.8 = 4.7 of 10 kg
    assert i["outflow_recycled_yield_adjusted"]["value"] == pytest.approx(0.47)


def test_loop_share_of_inflow_on_tiny():
    r = circularity_report(load(DATA / "tiny_micro.toml"))
    (loop,) = r["loops"]
    # 0.04 kg recirculated per 0.5 kg of material inflow; a material loop, so no share of water
    assert loop["recirculated_kg_per_fu"] == pytest.approx(0.04) and loop["returned_kg_per_fu"] == pytest.approx(0.04)
    assert loop["kind"] == "material" and loop["share_of_water_use"] is None
    assert loop["share_of_material_inflow"] == pytest.approx(0.08)
    # in-house recovery: 0.04 kg returned of 0.04 + 0.010 kg solid waste generated = 0.8
    assert r["waste"]["in_house_recovery"]["value"] == pytest.approx(0.8)
    assert r["waste"]["landfill_share"]["value"] == pytest.approx(1.0)  # the only waste (10 g) is landfilled


# ------------------------------------------------------------------------------------------ reconciliation --


def test_two_flows_reconciled_by_hand():
    # One process, inflow x1 = 10 ± 1, outflow x2 = 12 ± 2, balance x1 - x2 = 0: A = [1, -1], Q = diag(1, 4).
    # r = A x = -2; S = A Q A^T = 1 + 4 = 5; x̂ = x - Q A^T r / S:
    #   x̂1 = 10 - 1 * 1 * (-2) / 5 = 10.4;  x̂2 = 12 - 4 * (-1) * (-2) / 5 = 10.4
    # cov = Q - Q A^T A Q / S: var1 = 1 - 1/5 = 0.8; var2 = 4 - 16/5 = 0.8; cov12 = 0 - (1 * -1 * 4)/5 = 0.8
    # chi2 = r^2 / S = 4 / 5 = 0.8 with 1 degree of freedom; p = P(chi2_1 > 0.8) = 0.3711
    r = reconcile([10, 12], [1, 2], [[1, -1]])
    assert r.x == pytest.approx([10.4, 10.4])
    assert r.sigma == pytest.approx([np.sqrt(0.8)] * 2)
    assert r.covariance[0, 1] == pytest.approx(0.8)
    assert (r.chi2, r.dof) == (pytest.approx(0.8), 1)
    assert r.p_value == pytest.approx(0.37109, abs=1e-5)
    assert r.consistent and len(r.flagged()) == 0
    # adjustments: +0.4 (sd sqrt(1 - 0.8)) and -1.6 (sd sqrt(4 - 0.8)) -> z = 0.894 for both
    assert r.normalized_adjustment == pytest.approx([0.4 / np.sqrt(0.2), -1.6 / np.sqrt(3.2)])


def test_free_flow_is_computed_from_the_balances():
    # chain x1 -> x2 -> x3 with x2 unmeasured: the balances say x1 = x2 = x3. Eliminating x2 leaves x1 - x3 = 0:
    # S = 1 + 0.25, r = 10 - 4 = 6: x̂1 = 10 - 6/1.25 = 5.2, x̂3 = 4 + 0.25 * 6 / 1.25 = 5.2, x̂2 = 5.2,
    # var = 1 - 1/1.25 = 0.2 for all; chi2 = 36 / 1.25 = 28.8 (1 dof) -> inconsistent, both measurements flagged
    r = reconcile([10, np.nan, 4], [1, np.nan, 0.5], [[1, -1, 0], [0, 1, -1]])
    assert r.x == pytest.approx([5.2, 5.2, 5.2])
    assert r.sigma == pytest.approx([np.sqrt(0.2)] * 3)
    assert r.observable.all() and not r.measured[1]
    assert r.chi2 == pytest.approx(28.8) and not r.consistent
    assert set(r.flagged()) == {0, 2}


def test_unobservable_free_flows_are_reported():
    # two parallel unmeasured flows between the same processes: only their sum is determined
    r = reconcile([5, np.nan, np.nan, 5], [0.1, np.nan, np.nan, 0.1], [[1, -1, -1, 0], [0, 1, 1, -1]])
    assert not r.observable[1] and not r.observable[2] and np.isnan(r.x[1])


def test_factory_reconciliation_flags_a_bad_measurement():
    f = load(DATA / "tiny_micro.toml")
    table, res = reconcile_factory(f)
    assert res.chi2 == pytest.approx(0, abs=1e-18) and res.consistent  # the inventory itself balances
    # a meter reading of 60 g returned yarn (±2 g) contradicts 50 g offcuts in and 10 g loss out
    table, res = reconcile_factory(
        f, measured={"recovered_yarn": (0.06, 0.002), "offcuts": (0.05, 0.002), "recovery_loss": (0.010, 0.001)}
    )
    assert not res.consistent
    assert table.set_index("flow").loc["recovered_yarn", "flag"]
    # the free-flow form: leave the yarn unmeasured and it is computed as 0.05 - 0.01 = 0.04 kg
    table, res = reconcile_factory(f, free=["recovered_yarn"])
    assert table.set_index("flow").loc["recovered_yarn", "reconciled"] == pytest.approx(0.04, rel=1e-9)


def test_cli_circularity_and_reconcile(tmp_path):
    import json

    from typer.testing import CliRunner

    from lca_engine.cli import app

    from .conftest import EXAMPLES

    runner = CliRunner()
    res = runner.invoke(app, ["circularity", str(EXAMPLES), "--json", str(tmp_path / "c.json")])
    assert res.exit_code == 0, res.output
    assert "portfolio MCI of the 6 micro-factories" in res.output
    data = json.loads((tmp_path / "c.json").read_text())
    assert data["textile-merthyr-micro"]["mci"]["value"] == pytest.approx(
        circularity_report(load(EXAMPLES / "textile_merthyr_micro.toml"))["mci"]["value"]
    )
    ok = runner.invoke(app, ["reconcile", str(DATA / "tiny_micro.toml")])
    assert ok.exit_code == 0 and "data consistent" in ok.output
    (tmp_path / "m.csv").write_text("flow,value_kg,sigma_kg\nrecovered_yarn,0.06,0.002\noffcuts,0.05,0.002\n")
    bad = runner.invoke(app, ["reconcile", str(DATA / "tiny_micro.toml"), "--measurements", str(tmp_path / "m.csv")])
    assert bad.exit_code == 3 and "INCONSISTENT" in bad.output and "recovered_yarn" in bad.output
    (tmp_path / "x.csv").write_text("flow,value\nrecovered_yarn,0.06\n")
    wrong = runner.invoke(app, ["reconcile", str(DATA / "tiny_micro.toml"), "--measurements", str(tmp_path / "x.csv")])
    assert wrong.exit_code == 1 and "sigma_kg" in wrong.output
