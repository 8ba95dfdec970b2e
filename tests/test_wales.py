"""Wales alignment: every mapping rule on hand-made inventories, the "not stated" path, grant criteria that flip
with the inventory, Beyond Recycling by hand, citations, and bad socio-economic input."""

from __future__ import annotations

import pandas as pd
import pytest

from lca_engine import load
from lca_engine.errors import InventoryError
from lca_engine.geo import point_in_wales
from lca_engine.inventory import dumps, loads
from lca_engine.load import check_factory
from lca_engine.model import Assumption, EndOfUse, Flow, Production, SocioEconomic, Stated
from lca_engine.wales import (
    NOT_STATED,
    GrantStatus,
    alignment,
    beyond_recycling,
    figures,
    grant_checklist,
    load_policy,
    site_energy_carbon,
    wfg_table,
)
from lca_engine.wales.grants import GRANT_RULES, MATCH_FUNDING_MIN, TRL_MIN

from .conftest import DATA

POLICY = load_policy()


def _a(value: float) -> Stated:
    return Stated(value=value, assumption=Assumption(reasoning="test figure for the Wales mapping", low=0, high=1e9))


@pytest.fixture
def micro():
    return load(DATA / "tiny_micro.toml")


@pytest.fixture
def base():
    return load(DATA / "tiny_baseline.toml")


def _with(f, **socio):
    return f.model_copy(update={"socio_economic": SocioEconomic(**socio)})


def _row(df, measure_start: str):
    sel = df[df.measure.str.startswith(measure_start)]
    assert not sel.empty, measure_start
    return sel.iloc[0]


def test_not_stated_is_never_zero(micro, base):
    """No [socio_economic] at all: every stated figure is None and reported as 'not stated'."""
    a = alignment(micro, base, policy=POLICY)
    for measure in ("Jobs at the site", "Jobs on permanent", "Apprenticeships", "Renewable generating", "Output per"):
        r = _row(a.wfg, measure)
        assert r.direction == NOT_STATED
        assert pd.isna(r.micro_factory)
    g = a.grants.set_index("criterion_id")
    assert g.loc["cef_trl", "status"] == NOT_STATED and g.loc["cef_match_funding", "status"] == NOT_STATED
    assert "jobs_fte" in a.not_stated and "site_status" in a.not_stated
    ways = a.ways.set_index("way_id")
    assert list(ways.index) == ["long_term", "prevention", "integration", "collaboration", "involvement"]
    assert (ways["what the inventory states"] == NOT_STATED).all()


def test_stated_figures_map_to_their_indicators_with_direction(micro, base):
    m = _with(
        micro,
        jobs_fte=_a(12),
        jobs_created_fte=_a(10),
        living_wage_share=_a(0.9),
        apprenticeships=_a(2),
        training_places=_a(3),
        renewable_electricity_share=_a(0.4),
        onsite_generation_kw=_a(50),
        welsh_sourcing_share=_a(0.3),
        site_status="former industrial",
        former_use="ironworks",
        ways_of_working={"collaboration": "co-designed with Merthyr Tydfil College"},
    )
    b = _with(base, living_wage_share=_a(0.95), renewable_electricity_share=_a(0.1), welsh_sourcing_share=_a(0.3))
    df = wfg_table(POLICY, m, b)
    expect = {
        "Jobs on permanent": (16, 0.9, 0.95, "worse"),  # higher is better: 0.90 < 0.95
        "Share of electricity from renewables": (12, 0.4, 0.1, "better"),
        "Inputs by mass sourced within Wales": (None, 0.3, 0.3, "no change"),
        "Apprenticeships and training": (8, 5.0, None, "contributes"),  # 2 + 3, baseline silent
        "Jobs at the site": (21, 12.0, None, "contributes"),
        "Renewable generating capacity": (12, 50.0, None, "contributes"),
    }
    for measure, (ni, mv, bv, direction) in expect.items():
        r = _row(df, measure)
        assert r.direction == direction, measure
        assert r.micro_factory == pytest.approx(mv)
        assert pd.isna(r.baseline) if bv is None else r.baseline == pytest.approx(bv)
        assert r.national_indicator == ni if ni else pd.isna(r.national_indicator)
    # goals come from the policy file: NI 16 sits under prosperous and more equal
    assert set(df[df.national_indicator == 16].goal_id) == {"prosperous", "more_equal"}
    site = _row(df, "Re-use of a former industrial")
    assert site.direction == "contributes" and "ironworks" in site.stated
    assert _row(df, "NO2").direction == "not assessed"
    ways = alignment(m, b, policy=POLICY).ways.set_index("way_id")
    assert ways.loc["collaboration", "what the inventory states"].startswith("co-designed")
    assert ways.loc["prevention", "what the inventory states"] == NOT_STATED


def test_material_and_waste_figures_by_hand(micro):
    """tiny micro: virgin inflow = yarn 0.5 kg (recovered yarn is internal); waste leaving = recovery loss 10 g to
    landfill, nothing recovered → 0.010 kg not recycled, recycling rate 0, landfill share 1."""
    fig = figures(micro)
    assert fig.virgin_kg == pytest.approx(0.5)
    assert fig.recycled_kg == pytest.approx(0.0)
    assert fig.waste_not_recycled_kg == pytest.approx(0.010)
    assert fig.recycling_rate == pytest.approx(0.0) and fig.landfill_share == pytest.approx(1.0)


def test_site_energy_carbon_and_lifecycle_rows_from_the_assessment(micro, base, data_dir, catalog):
    """Scopes 1 + 2 row = 2.5 kWh (2 kWh + 1,800 kJ) × DESNZ 2025 UK electricity (generation + T&D), by hand;
    life-cycle row = the cube's carbon total; direction from the two numbers."""
    from lca_engine import assess

    a = assess(micro, base, data_dir=data_dir, year=2025)
    gen, td = catalog.factors["desnz.electricity.uk.generation"], catalog.factors["desnz.electricity.uk.td"]
    assert site_energy_carbon(micro, a.results) == pytest.approx(2.5 * (gen.value + td.value), rel=1e-6)
    df = wfg_table(POLICY, micro, base, a.results)
    r = _row(df, "Life-cycle GHG")
    assert r.micro_factory == pytest.approx(a.total("tiny-micro")) and r.baseline == pytest.approx(a.total(base.id))
    assert r.direction == ("better" if r.micro_factory < r.baseline else "worse")
    assert r.national_indicator == 42


def test_grant_criteria_flip_when_the_inventory_changes(micro, base):
    def status(m, cid):
        return grant_checklist(POLICY, m, base).set_index("criterion_id").loc[cid, "status"]

    assert status(_with(micro, trl=_a(6)), "cef_trl") == "not met"
    assert status(_with(micro, trl=_a(7)), "cef_trl") == "met"
    assert status(_with(micro, match_funding_share=_a(0.4)), "cef_match_funding") == "not met"
    assert status(_with(micro, match_funding_share=_a(0.5)), "cef_match_funding") == "met"
    # recycled feedstock: own process scrap does not count, post-consumer does; unlabelled → not stated
    yarn = micro.flows[0]
    for source, expected in (("own-process", "not met"), ("post-consumer", "met"), (None, NOT_STATED)):
        f = yarn.model_copy(update={"origin": "recycled", "recycled_source": source})
        m = micro.model_copy(update={"flows": [f, *micro.flows[1:]]})
        assert status(m, "cef_post_consumer_source") == expected, source
    # recycled content: 0 % virgin yarn → not met; recycled yarn (100 % of input mass) vs virgin baseline → met
    assert status(micro, "cef_recycled_content") == "not met"
    recycled = micro.model_copy(update={"flows": [yarn.model_copy(update={"origin": "recycled"}), *micro.flows[1:]]})
    assert status(recycled, "cef_recycled_content") == "met"
    # product life: stated strategy or re-used input
    assert status(_with(micro), "cef_extend_product_life") == "not met"
    assert status(_with(micro, circular_strategies=["refurbishment"]), "cef_extend_product_life") == "met"
    # end of life: [end_of_use] present or not
    assert status(micro.model_copy(update={"end_of_use": None}), "cef_end_of_life") == NOT_STATED
    eou = EndOfUse(collected_for_reuse=0.2, collected_for_recycling=0.5, source="desnz-2025")
    assert status(micro.model_copy(update={"end_of_use": eou}), "cef_end_of_life") == "met"
    # location: a site outside Wales (Bristol) fails; one inside (Merthyr Tydfil) is not enough, see below
    bristol = micro.model_copy(update={"site": micro.site.model_copy(update={"lat": 51.4545, "lon": -2.5879})})
    assert status(bristol, "cef_location_wales") == "not met"


def test_registered_legal_entity_is_the_assessors_judgement_unless_stated(micro, base):
    """'Applicants must be a registered legal entity. The project operation must be located in Wales': a site inside
    Wales decides the second half automatically; the first is the assessor's judgement unless the inventory states
    the registration, then it is met as stated. Outside Wales it is not met whatever is stated."""
    assert point_in_wales(micro.site.lat, micro.site.lon)
    g = grant_checklist(POLICY, micro, base).set_index("criterion_id").loc["cef_location_wales"]
    assert "registered legal entity" in g.criterion
    assert g.status == GrantStatus.ASSESSOR != "met"
    assert "is in Wales" in g.figure and "assessor checks" in g.figure
    stated = _with(micro, registered_entity="Companies House 01234567")
    g = grant_checklist(POLICY, stated, base).set_index("criterion_id").loc["cef_location_wales"]
    assert g.status == GrantStatus.MET and "Companies House 01234567" in g.figure
    bristol = stated.model_copy(update={"site": micro.site.model_copy(update={"lat": 51.4545, "lon": -2.5879})})
    g = grant_checklist(POLICY, bristol, base).set_index("criterion_id").loc["cef_location_wales"]
    assert g.status == GrantStatus.NOT_MET


def test_grant_rules_are_a_table_with_published_thresholds(micro, base):
    """Every rule names a criterion of the policy file, once; statuses come from one vocabulary; the thresholds
    are the numbers in the published wording, not in the ids."""
    ids = [r.id for r in GRANT_RULES]
    assert len(ids) == len(set(ids)) and set(ids) <= set(POLICY.criteria)
    assert "Technology Readiness Level (TRL) 7 and above" in POLICY.criteria["cef_trl"]["text"] and TRL_MIN == 7
    assert "match fund at 50%" in POLICY.criteria["cef_match_funding"]["text"] and MATCH_FUNDING_MIN == 0.5
    table = grant_checklist(POLICY, micro, base)
    assert list(table.criterion_id) == ids
    assert set(table.status) <= {s.value for s in GrantStatus} == {"met", "not met", NOT_STATED, "assessor's judgement"}
    texts = table.set_index("criterion_id")
    for cid in ids:
        assert texts.loc[cid, "criterion"] == POLICY.criteria[cid]["text"]
        assert texts.loc[cid, "source_id"] == POLICY.criteria[cid]["source"]
    assert texts.loc["cef_trl", "status"] == NOT_STATED  # tiny_micro states no TRL
    trl = grant_checklist(POLICY, _with(micro, trl=_a(8)), base).set_index("criterion_id").loc["cef_trl"]
    assert (trl.status, trl.figure) == ("met", "TRL 8 (at least 7)")


def test_added_value_uses_carbon_avoided_per_year(micro, base):
    comp = pd.DataFrame(
        [{"factory": "tiny-micro", "indicator": "carbon", "scenario": "default", "difference_per_year": -2500.0}]
    )
    m = _with(micro, jobs_fte=_a(8)).model_copy(
        update={"production": Production(annual_output=500, source="desnz-2025")}
    )
    g = grant_checklist(POLICY, m, base, comp).set_index("criterion_id").loc["cef_added_value_outcomes"]
    assert g.status == "met" and "CO2e avoided 2.5 t per year" in g.figure and "jobs 8 FTE" in g.figure
    comp.loc[0, "difference_per_year"] = 400.0
    g = grant_checklist(POLICY, _with(micro, jobs_fte=_a(8)), base, comp).set_index("criterion_id")
    assert g.loc["cef_added_value_outcomes", "status"] == "not met"


def test_beyond_recycling_by_hand(micro):
    """1 kg process waste: 0.8 kg recycling + 0.2 kg landfill → rate 0.8 (meets the 70 % benchmark), landfill
    share 0.2 (above the 5 % consultation proposal), 0.2 kg not recycled (zero waste: not yet)."""
    waste = [
        Flow.model_validate({"id": "w_rec", "from": "knit", "to": "recycling", "kind": "waste", "amount": 0.8,
                             "unit": "kg", "source": "desnz-2025"}),
        Flow.model_validate({"id": "w_lf", "from": "knit", "to": "landfill", "kind": "waste", "amount": 0.2,
                             "unit": "kg", "source": "desnz-2025"}),
    ]  # fmt: skip
    flows = [f for f in micro.flows if f.id not in ("recovery_loss",)] + waste
    df = beyond_recycling(POLICY, micro.model_copy(update={"flows": flows})).set_index("target_id")
    assert df.loc["lamw_recycling_2024_25", "factory_value"] == pytest.approx(0.8)
    assert df.loc["lamw_recycling_2024_25", "status"] == "meets"
    assert df.loc["lamw_recycling_2024_25", "applies_as"].startswith("benchmark")
    assert df.loc["landfill_max_5pct_2025_consultation", "status"] == "above"
    assert df.loc["landfill_max_5pct_2025_consultation", "applies_as"].startswith("consultation")
    assert df.loc["zero_waste_2050", "status"] == "not yet"


def test_every_row_names_its_publisher_document_and_year(micro, base):
    a = alignment(micro, base, policy=POLICY)
    for df in (a.wfg, a.beyond_recycling, a.grants, a.ways):
        assert df["source"].str.len().min() > 20  # "publisher — title (edition)"
    for t in POLICY.targets.values():
        assert t["source"] in POLICY.sources and ("year" in t)
    for s in POLICY.sources.values():
        assert s.get("publisher") and s.get("title") and (s.get("edition") or s.get("url"))
    assert "not a funding decision" in a.disclaimer


@pytest.mark.parametrize(
    ("snippet", "message", "fix"),
    [
        ('jobs_fte = { value = -3, source = "desnz-2025" }', "is negative", "≥ 0"),
        ('living_wage_share = { value = 85, source = "desnz-2025" }', "not a share from 0 to 1", "0.85"),
        ('site_status = "moon base"', "site_status", "former industrial"),
        ('trl = { value = 11, source = "desnz-2025" }', "not a technology readiness level", "1–9"),
        ("apprenticeships = 4", "no provenance", "assumption"),
        ('local_sourcing_share = { value = 0.5, source = "desnz-2025" }', "without the radius", "local_radius_km"),
    ],
)
def test_bad_socio_economic_input_is_a_clear_error(micro, snippet, message, fix):
    text = dumps(micro) + f"\n[socio_economic]\n{snippet}\n"
    with pytest.raises(InventoryError) as e:
        check_factory(loads(text, file="bad.toml"), file=str(DATA / "bad.toml"), text=text)
    p = next(p for p in e.value.problems if message in p.message or message in (p.field or ""))
    assert fix in (p.fix or "") + p.message
    assert p.file.endswith("bad.toml") and "socio_economic" in (p.field or "")


def test_round_trip_keeps_socio_economic(micro):
    m = _with(micro, jobs_fte=_a(12), site_status="brownfield", circular_strategies=["repair"])
    assert loads(dumps(m)) == m


def test_point_in_wales():
    inside = [(51.7487, -3.3816), (53.2274, -4.1293), (51.4816, -3.1791), (51.7781, -3.2082)]  # Merthyr, Bangor…
    outside = [(51.4545, -2.5879), (53.1934, -2.8931), (52.0567, -2.7160)]  # Bristol, Chester, Hereford
    assert all(point_in_wales(*p) for p in inside)
    assert not any(point_in_wales(*p) for p in outside)


def test_cli_wales_writes_the_tables_and_refuses_an_unknown_factory(tmp_path, data_dir):
    import json

    from typer.testing import CliRunner

    from lca_engine.cli import app

    from .conftest import EXAMPLES

    runner = CliRunner()
    files = [str(EXAMPLES / "textile_merthyr_micro.toml")]
    res = runner.invoke(app, ["wales", *files, "--data-dir", str(data_dir), "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "not a funding decision" in res.output and "Beyond Recycling" in res.output
    assert "[to check]" in res.output  # printed as written, not eaten as console markup
    assert "[wg-national-indicators-2021]" in res.output  # the cited policy sources are listed
    data = json.loads((tmp_path / "wales_alignment.json").read_text())
    carbon = next(r for r in data["textile-merthyr-micro"]["wfg"] if r["national_indicator"] == 42)
    assert carbon["direction"] in ("better", "worse")
    assert pd.read_parquet(tmp_path / "wales_alignment.parquet")["table"].nunique() == 3
    bad = runner.invoke(app, ["wales", *files, "--data-dir", str(data_dir), "--factory", "nope"])
    assert bad.exit_code == 1 and "textile-merthyr-micro" in bad.output


def test_bad_policy_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "wales_policy.toml"
    bad.write_text('[[goal]]\nid = "prosperous"\nname = "A prosperous Wales\n')
    with pytest.raises(InventoryError) as e:
        load_policy(bad)
    p = e.value.problems[0]
    assert "not valid TOML" in p.message and p.line == 3 and p.file == str(bad)
    bad.write_text('[[goal]]\nid = "prosperous"\nname = "A prosperous Wales"\nsource = "nowhere"\n')
    with pytest.raises(InventoryError) as e:
        load_policy(bad)
    assert "unknown source 'nowhere'" in e.value.problems[0].message
    with pytest.raises(InventoryError) as e:
        load_policy(tmp_path / "missing.toml")
    assert "not found" in e.value.problems[0].message


def test_every_rule_lands_under_its_indicator_and_goals_with_hand_values(micro, base, data_dir):
    """Each mapping rule appears once per goal of its National Indicator (policy file) or its own goals, and the
    figures computed by hand from the two tiny inventories come out with the right direction:
    virgin input 0.5 vs 0.7 kg (NI 14, better), waste not recycled 0.010 vs 0.200 kg (NI 15, better),
    output per labour-hour 6 vs 4 (NI 9, better), downtime is a claim not a row, chemicals 0 vs 0 (no change),
    water withdrawal and carbon equal to the assessment's totals."""
    from lca_engine import assess
    from lca_engine.wales import RULES

    prod = {"source": "desnz-2025", "annual_output": 1000}
    m = micro.model_copy(update={"production": Production(output_per_labour_hour=6, **prod)})
    b = base.model_copy(update={"production": Production(output_per_labour_hour=4, **prod)})
    a = assess(m, b, data_dir=data_dir, year=2025)
    df = wfg_table(POLICY, m, b, a.results)
    for rule in RULES:
        rows = df[df.measure == rule.measure]
        goals = POLICY.indicators[rule.indicator]["goals"] if rule.indicator in POLICY.indicators else rule.goals
        assert sorted(rows.goal_id) == sorted(goals), rule.key
        assert (
            rows.national_indicator.iloc[0] == rule.indicator
            if rule.indicator
            else rows.national_indicator.isna().all()
        )
        assert rows.direction.nunique() == 1 and rows.evidence.iloc[0] == rule.evidence
    expect = {
        "Virgin material input": (0.5, 0.7, "better"),
        "Solid process waste not recycled": (0.010, 0.200, "better"),
        "Output per labour-hour": (6.0, 4.0, "better"),
        "Process chemicals, cradle to gate": (0.0, 0.0, "no change"),
        "Water withdrawal, cradle to gate": (
            a.total(m.id, "water_withdrawal"),
            a.total(b.id, "water_withdrawal"),
            None,
        ),
        "Life-cycle GHG": (a.total(m.id), a.total(b.id), None),
    }
    for measure, (mv, bv, direction) in expect.items():
        r = _row(df, measure)
        assert r.micro_factory == pytest.approx(mv, abs=1e-12) and r.baseline == pytest.approx(bv, abs=1e-12)
        assert r.direction == (direction or ("better" if mv < bv else "worse")), measure


def test_policy_file_that_is_a_folder_or_not_utf8_is_a_clear_error(tmp_path):
    with pytest.raises(InventoryError) as e:
        load_policy(tmp_path)
    assert "is a directory" in e.value.problems[0].message
    bad = tmp_path / "wales_policy.toml"
    bad.write_bytes(b'[[goal]]\nid = "prosperous"\nname = "Cymru \xff"\n')
    with pytest.raises(InventoryError) as e:
        load_policy(bad)
    p = e.value.problems[0]
    assert "not UTF-8" in p.message and p.line == 3 and "UTF-8" in p.fix


def test_recycled_source_and_job_counts_are_checked(micro):
    virgin = dumps(micro).replace('origin = "virgin"', 'origin = "virgin"\nrecycled_source = "post-consumer"', 1)
    with pytest.raises(InventoryError) as e:
        check_factory(loads(virgin, file="v.toml"), file=str(DATA / "v.toml"), text=virgin)
    p = next(p for p in e.value.problems if "recycled_source" in (p.field or ""))
    assert "origin" in p.message and "recycled" in p.fix
    jobs = dumps(_with(micro, jobs_fte=_a(5), jobs_created_fte=_a(8)))
    with pytest.raises(InventoryError) as e:
        check_factory(loads(jobs, file="j.toml"), file=str(DATA / "j.toml"), text=jobs)
    p = next(p for p in e.value.problems if "jobs_created_fte" in (p.field or ""))
    assert "exceeds jobs_fte" in p.message and p.line
