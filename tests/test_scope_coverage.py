"""Scope and coverage: every number at site and cradle to gate, the share of what was bought it covers, and the
claims judged at both scopes; completeness agrees with what each flow contributes."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from lca_engine import assess_files, load_checked
from lca_engine.claims import Claim, evaluate, load_claims, operations_of
from lca_engine.errors import InventoryError
from lca_engine.indicators import INDICATORS, SCOPES

from .conftest import DATA, EXAMPLES

TEXTILE = EXAMPLES / "textile_merthyr_micro.toml"


@pytest.fixture(scope="module")
def examples(data_dir):
    return assess_files([EXAMPLES], data_dir=data_dir)


def test_a_flow_is_characterised_exactly_where_it_contributes(examples):
    """For every flow of every example, every indicator and scope: listed in the completeness table as
    characterising the flow <=> the flow's contribution to that number is not zero."""
    r = examples.results
    flows = r[(r.contributor_type == "flow") & (r.scenario == "default")]
    contributes = flows.groupby(["factory", "contributor", "scope", "indicator"])["value"].sum()
    checked = 0
    for row in examples.completeness.itertuples():
        listed = set(filter(None, row.characterised_by.split(",")))
        for ind in INDICATORS:
            value = contributes.get((row.factory, row.flow, row.scope, ind), 0.0)
            assert (ind in listed) == (value != 0), (row.factory, row.flow, row.scope, ind, value)
            checked += 1
    assert checked > 10_000


def test_site_is_part_of_cradle_to_gate_and_names_its_flows(examples):
    """Site <= cradle to gate for every non-negative indicator; on site, bought materials contribute nothing and
    the energy bought carries the carbon on site (scopes 1 and 2)."""
    r = examples.results
    tot = r[r.contributor_type == "total"].set_index(["factory", "indicator", "scope"])["value"]
    for (fid, ind, scope), v in tot.items():
        if scope == "site":
            assert v <= tot[(fid, ind, "cradle_to_gate")] * (1 + 1e-12) + 1e-15, (fid, ind)
    site = r[(r.scope == "site") & (r.contributor_type == "flow") & (r.factory == "textile-merthyr-micro")]
    kinds = {f.id: f.kind for f in examples.checked["textile-merthyr-micro"].factory.flows}
    carbon = site[site.indicator == "carbon"].groupby("contributor")["value"].sum()
    assert {kinds[f] for f, v in carbon.items() if v} <= {"energy", "emission"}
    assert carbon.get("yarn_virgin", 0.0) == 0.0 and carbon[[f for f in carbon.index if kinds[f] == "energy"]].sum() > 0


def test_coverage_by_hand_for_the_textile_micro_factory(examples):
    """Cradle-to-gate carbon: yarn (DESNZ) covered, dyes and dye chemicals not (no open figure): the mass share is
    the yarn's share of the materials and chemicals bought; every energy carrier is covered."""
    inv = tomllib.loads(TEXTILE.read_text(encoding="utf-8"))
    bought = {
        f["id"]: f["amount"] * {"kg": 1.0, "g": 1e-3}[f["unit"]]
        for f in inv["flows"]
        if f["from"] == "market" and f["kind"] in ("material", "chemical")
    }
    cov = examples.coverage.set_index(["factory", "indicator", "scope"])
    row = cov.loc[("textile-merthyr-micro", "carbon", "cradle_to_gate")]
    assert row["mass_share"] == pytest.approx(bought["yarn_virgin"] / sum(bought.values()), rel=1e-12)
    assert row["energy_share"] == 1.0 and row["coverage"] == row["mass_share"]
    assert set(row["missing"].split("; ")) == {"dyes", "dye_chemicals"}
    site = cov.loc[("textile-merthyr-micro", "carbon", "site")]
    assert site["coverage"] == 1.0 and site["missing"] == "" and np.isnan(site["mass_share"])
    # the cotton's open water figure reaches the cradle-to-gate number, and the table says it is checked
    water = cov.loc[("textile-merthyr-micro", "water_withdrawal", "cradle_to_gate")]
    assert "yarn_virgin" not in water["missing"]
    pe = cov.loc[("textile-merthyr-micro", "primary_energy", "site")]
    assert "desnz.electricity.uk" in pe["to_check"]  # SAP 10.2 grid factor: not read at the publisher


def test_claims_are_judged_at_both_scopes_with_coverage(examples):
    comp = examples.comparison(scope=None)
    ops = operations_of(c.factory for c in examples.checked.values())
    v = evaluate(load_claims(), comp[comp.factory == "textile-merthyr-micro"], None, ops, examples.coverage)
    energy = v[v.claim == "energy-80"].set_index("scope")
    assert list(energy.index) == ["site", "cradle_to_gate"]
    assert energy.loc["site", "indicator"] == "energy_delivered"
    assert energy.loc["cradle_to_gate", "indicator"] == "primary_energy"
    cov = examples.coverage.set_index(["factory", "indicator", "scope"])["coverage"]
    least = min(
        cov[("textile-merthyr-micro", "primary_energy", "cradle_to_gate")],
        cov[("textile-conventional-baseline", "primary_energy", "cradle_to_gate")],
    )
    assert energy.loc["cradle_to_gate", "coverage"] == pytest.approx(least)
    assert least < 0.9 and energy.loc["cradle_to_gate", "verdict"] == "not assessable"
    assert "dyes" in energy.loc["cradle_to_gate", "why"] and "coverage below 90%" in energy.loc["cradle_to_gate", "why"]
    measured = comp[(comp.factory == "textile-merthyr-micro") & (comp.indicator == "energy_delivered")]
    site = measured[measured.scope == "site"].iloc[0]
    assert energy.loc["site", "measured_change"] == pytest.approx(site["relative_change"])
    assert energy.loc["site", "verdict"] == "not supported"  # -25 % against -80 %, fully covered
    ops_rows = v[v.claim == "productivity-15"]
    assert len(ops_rows) == 1 and ops_rows.iloc[0]["scope"] == ""


def _mean_site_carbon_by_hand(path, catalog) -> float:
    """E[site carbon] of an inventory whose site carbon is its electricity: for each energy flow, E[amount] (its
    assumption's triangular distribution) times E[factor] (each DESNZ component's triangular over the shipped
    years), independent draws: (low + mode + high) / 3 each."""
    from lca_engine.units import convert

    def mean(mode, low, high):
        return (low + mode + high) / 3

    total = 0.0
    for f in tomllib.loads(path.read_text(encoding="utf-8"))["flows"]:
        assert f["kind"] != "emission"  # no direct emissions in this inventory
        if f["kind"] != "energy" or "background" not in f:
            continue
        a = f.get("assumption")
        amount = mean(f["amount"], a["low"], a["high"]) if a else f["amount"]
        factor = catalog.get(f["background"])
        parts = [catalog.get(c) for c in factor.components] or [factor]
        total += convert(amount, f["unit"], factor.unit) * sum(mean(p.value, p.low, p.high) for p in parts)
    return total


def test_site_claim_uses_the_monte_carlo_site_rows(examples, data_dir, catalog):
    from lca_engine import monte_carlo

    micro = examples.checked["textile-merthyr-micro"].factory
    base = examples.checked["textile-conventional-baseline"].factory
    mc = monte_carlo([micro, base], draws=2000, seed=3, data_dir=data_dir)
    site, c2g = mc.of("textile-merthyr-micro", "carbon@site"), mc.of("textile-merthyr-micro", "carbon")
    assert np.all(site <= c2g + 1e-12) and np.all(site > 0)
    expected = _mean_site_carbon_by_hand(TEXTILE, catalog)
    assert abs(site.mean() - expected) < 4 * site.std() / np.sqrt(site.size), (site.mean(), expected)
    comp = examples.comparison(scope=None)
    claim = Claim(id="w", text="w", indicator="water_withdrawal", relative_change=-0.5, scopes=["site"])
    row = evaluate([claim], comp[comp.factory == "textile-merthyr-micro"], mc, None, examples.coverage).iloc[0]
    fa = mc.of("textile-merthyr-micro", "water_withdrawal@site")
    ba = mc.of("textile-conventional-baseline", "water_withdrawal@site")
    assert row["p_claim_holds"] == pytest.approx(np.mean((fa - ba) / ba <= -0.5)) and "Monte Carlo" in row["why"]


@pytest.mark.parametrize(
    ("claim", "field", "needle"),
    [
        ('scopes = ["site", "everywhere"]', "claims[0].scopes.1", "everywhere"),
        ("scopes = []", "claims[0].scopes", "at least 1"),
        ("min_coverage = 1.5", "claims[0].min_coverage", "less than or equal to 1"),
        ('indicator = { site = "carbon", moon = "carbon" }', "claims[0].indicator", "moon"),
    ],
)
def test_bad_claims_name_file_field_and_fix(tmp_path, claim, field, needle):
    base = {"id": '"x"', "text": '"x"', "indicator": '"carbon"', "relative_change": "-0.5"}
    key = claim.split(" = ")[0]
    lines = [f"{k} = {v}" for k, v in base.items() if k != key] + [claim]
    path = tmp_path / "claims.toml"
    path.write_text("[[claims]]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InventoryError) as e:
        load_claims(path)
    p = next(p for p in e.value.problems if p.field.startswith(field))
    assert p.file == str(path) and needle in p.message + p.fix and p.fix


def test_a_claim_scope_without_its_indicator_is_refused(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text(
        '[[claims]]\nid = "x"\ntext = "x"\nrelative_change = -0.5\nscopes = ["site", "cradle_to_gate"]\n'
        'indicator = { site = "energy_delivered" }\n',
        encoding="utf-8",
    )
    with pytest.raises(InventoryError) as e:
        load_claims(path)
    (p,) = e.value.problems
    assert "scope 'cradle_to_gate'" in p.message and "cradle_to_gate" in p.fix and p.field == "claims[0].indicator"


def test_two_links_giving_the_same_family_are_refused(tmp_path, catalog):
    text = (DATA / "tiny_micro.toml").read_text(encoding="utf-8")
    (tmp_path / "tiny_baseline.toml").write_text((DATA / "tiny_baseline.toml").read_text(encoding="utf-8"))
    inv = tomllib.loads(text)
    yarn = next(f for f in inv["flows"] if f["id"] == "yarn")
    old = f'background = "{yarn["background"]}"'
    new = f'background = ["{yarn["background"]}", "open.cotton.fibre"]'
    assert old in text
    path = tmp_path / "m.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InventoryError) as e:
        load_checked(path, catalog=catalog)
    (p,) = [p for p in e.value.problems if "counted twice" in p.message]
    assert "open.cotton.fibre" in p.message and "carbon" in p.message and p.field.endswith(".background")
    assert "open.cotton.fibre/energy" in p.fix and p.line
    # the families it does not double are accepted
    path.write_text(text.replace(old, new.replace('"open.cotton.fibre"', '"open.cotton.fibre/water"'), 1))
    assert load_checked(path, catalog=catalog).report.ok


def test_every_scope_row_exists_for_every_indicator(examples):
    tot = examples.results[examples.results.contributor_type == "total"]
    assert set(tot.scope) == set(SCOPES)
    assert len(tot) == len(examples.checked) * len(INDICATORS) * len(SCOPES)


def test_cli_prints_both_scopes_coverage_and_two_verdicts(tmp_path, data_dir):
    """The real commands: assess labels every row with its scope and coverage and names the flows not covered;
    compare gives the energy claim one verdict per scope and says why one is not assessable; scenarios label scope."""
    from .cli_run import invoke

    code, out, tb = invoke("assess", TEXTILE, "--out", tmp_path / "a", "--data-dir", data_dir)
    assert code == 0, tb
    assert "cradle to gate" in out and "site" in out and "72% / 61%" in out and "to check" in out
    assert "not characterised in textile-merthyr-micro: dye_chemicals, dyes — for carbon (cradle to gate)" in out
    assert (tmp_path / "a" / "coverage.parquet").exists()
    code, out, tb = invoke("compare", TEXTILE, "--draws", 200, "--out", tmp_path / "c", "--data-dir", data_dir)
    assert code == 0, tb
    assert "textile-merthyr-micro · energy-80 · cradle to gate: not assessable — coverage below 90%" in out
    why = " ".join(out.split("energy-80 · cradle to gate: not assessable")[1].split())
    assert why.split(" textile-merthyr-micro · ")[0].count("not characterised: dye_chemicals; dyes") == 2  # both sides
    code, out, tb = invoke("scenarios", TEXTILE, "--out", tmp_path / "s", "--data-dir", data_dir)
    assert code == 0, tb
    assert "cradle to gate" in out and "site" in out


def test_check_claims_judges_every_micro_factory_once_per_claim_and_scope(examples):
    from lca_engine.claims import check_claims

    table = check_claims(examples)
    micros = [m for m, b in examples.pairs if b]
    shipped = load_claims()
    per_factory = sum(1 if c.operational else len(c.scopes) for c in shipped)
    assert len(table) == len(micros) * per_factory == 6 * 8
    comp = examples.comparison(scope=None)
    ops = operations_of(c.factory for c in examples.checked.values())
    one = evaluate(shipped, comp[comp.factory == micros[0]], None, ops, examples.coverage)
    mine = table[table.factory == micros[0]].reset_index(drop=True)
    assert mine[["claim", "scope", "verdict"]].equals(one[["claim", "scope", "verdict"]])


def test_every_open_quantity_has_a_use_and_a_factor_field():
    from dataclasses import fields

    from lca_engine.background.catalog import Factor
    from lca_engine.background.open_background import QUANTITY_USE
    from lca_engine.background.open_factors import QUANTITIES

    assert set(QUANTITY_USE) == set(QUANTITIES)
    names = {f.name for f in fields(Factor)}
    for use in QUANTITY_USE.values():
        assert use.field in names and use.family in {i.family for i in INDICATORS.values()}
        assert set(use.indicators) <= set(INDICATORS)


def test_rebuilt_matrix_that_disagrees_with_bw2calc_is_reported_as_a_defect():
    """bw/exact checks every rebuilt matrix against bw2calc's float32 copy: float32 rounding passes, a value float32
    cannot hold is the inventory's problem (named), any other difference a defect (LcaEngineError, 'bug')."""
    import scipy.sparse as sp

    from lca_engine.bw import exact
    from lca_engine.errors import LcaEngineError

    ours = sp.csr_matrix(np.array([[1.0, -5.73], [0.0, 2.0]]))
    exact._check(ours, sp.csr_matrix(ours.toarray().astype(np.float32)), "technosphere", {})  # rounding only
    with pytest.raises(LcaEngineError) as e:
        exact._check(ours, sp.csr_matrix(np.array([[1.0, -5.0], [0.0, 2.0]])), "technosphere", {})
    assert not isinstance(e.value, InventoryError) and "bug" in e.value.problems[0].fix
    tiny = sp.csr_matrix(np.array([[1e-46, 0.0], [0.0, 2.0]]))
    with pytest.raises(InventoryError) as e:
        exact._check(tiny, sp.csr_matrix(np.array([[0.0, 0.0], [0.0, 2.0]])), "technosphere", {0: ("fg-x", "p")})
    assert "fg-x:p" in e.value.problems[0].message and "float32" in e.value.problems[0].message
