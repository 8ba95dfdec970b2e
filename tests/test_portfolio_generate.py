"""``lca-engine portfolio generate`` (issue 20): synthetic micro-factories with their baselines that validate, vary
as said (site in Wales, loops, energy and transport) and come back byte-identical from the same seed."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lca_engine.geo import point_in_wales
from lca_engine.inventory import dumps, load
from lca_engine.limits import Limits
from lca_engine.load import load_checked
from lca_engine.model import SECTORS
from lca_engine.portfolio import PortfolioError, generate_portfolio, write_portfolio
from lca_engine.portfolio.generate import MANIFEST, WALES_BOX, render

from .cli_run import run
from .conftest import EXAMPLES, ROOT

#: kg per unit, written out by hand (not through pint): the only units the generator may change along a loop
KG = {"kg": 1.0, "g": 1e-3, "t": 1000.0, "tonne": 1000.0}
SLUGS = ("textiles", "green-tech", "modular-housing", "advanced-composites", "e-mobility", "eco-packaging")


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("portfolio") / "p24"
    code, output = run("portfolio", "generate", 24, "--out", out, "--seed", 7)
    assert code == 0, output
    assert "wrote 48 inventories (24 synthetic micro-factories and their baselines" in output
    return out


def _template(factory_id: str) -> Path:
    """The shipped example a generated factory was made from (its id without '-gen-<i>')."""
    stem = factory_id.rsplit("-gen-", 1)[0]
    return next(p for p in sorted(EXAMPLES.glob("*.toml")) if load(p).id == stem)


# ------------------------------------------------------------------------------------------------ validation
def test_every_generated_file_validates_with_closed_balances(portfolio, catalog):
    files = sorted(portfolio.glob("*.toml"))
    assert len(files) == 48
    for path in files:
        checked = load_checked(path, catalog=catalog)  # raises on any error or an open balance
        assert checked.balance.ok, path
        template = load_checked(_template(checked.factory.id), catalog=catalog)
        # the same warnings as the template (no source or range problem of the generator's making)
        assert [(w.field, w.message) for w in checked.warnings] == [(w.field, w.message) for w in template.warnings]


def test_the_validate_command_accepts_the_folder(portfolio, data_dir):
    code, output = run("validate", portfolio, "--data-dir", data_dir)
    assert code == 0, output
    assert output.count("balance closes") == 48 and "✗" not in output


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**63))
def test_any_seed_gives_valid_factories(seed, catalog):
    with tempfile.TemporaryDirectory() as tmp:
        for path in write_portfolio(generate_portfolio(6, seed=seed), Path(tmp) / "p"):
            assert load_checked(path, catalog=catalog).balance.ok, (seed, path.name)


# ------------------------------------------------------------------------------------------------ variation
def _incidence(factory) -> tuple[list[str], np.ndarray]:
    procs = factory.process_ids()
    a = np.zeros((len(procs), len(factory.flows)))
    for j, f in enumerate(factory.flows):
        if f.to in procs:
            a[procs.index(f.to), j] += 1.0
        if f.from_ in procs:
            a[procs.index(f.from_), j] -= 1.0
    return procs, a


def _pairs(portfolio: Path):
    for path in sorted(portfolio.glob("*.toml")):
        generated = load(path)
        yield path, generated, load(_template(generated.id))


def test_loop_changes_keep_every_process_in_balance(portfolio):
    """Amount changes (kg, converted by hand) summed into and out of each process cancel: A · Δ = 0, in numpy."""
    varied = set()
    for path, gen, tpl in _pairs(portfolio):
        _, a = _incidence(tpl)
        delta = np.zeros(len(tpl.flows))
        for j, (f, t) in enumerate(zip(gen.flows, tpl.flows, strict=True)):
            assert (f.id, f.from_, f.to, f.unit, f.kind) == (t.id, t.from_, t.to, t.unit, t.kind)
            if f.amount != t.amount and f.kind not in ("energy", "transport"):
                assert f.balance and f.unit in KG, (path.name, f.id)
                delta[j] = (f.amount - t.amount) * KG[f.unit]
        assert np.abs(a @ delta).max(initial=0.0) <= 1e-9 * max(1.0, np.abs(delta).max(initial=0.0)), path.name
        if np.any(delta):
            varied.add(gen.sector)
    # loops through mass flows exist in these templates (e-mobility and green tech loop through items only)
    assert {"modular housing", "eco-packaging", "textiles", "advanced composites"} <= varied


def test_amounts_stay_positive_and_inside_their_ranges(portfolio):
    for path, gen, tpl in _pairs(portfolio):
        for f, t in zip(gen.flows, tpl.flows, strict=True):
            assert (f.amount > 0) == (t.amount > 0), (path.name, f.id)
            if f.assumption:
                assert 0 <= f.assumption.low <= f.amount <= f.assumption.high, (path.name, f.id)


def test_energy_and_transport_scale_by_one_lognormal_factor_per_factory(portfolio):
    logs = []
    for path, gen, tpl in _pairs(portfolio):
        ratios = set()
        for f, t in zip(gen.flows, tpl.flows, strict=True):
            if f.kind in ("energy", "transport") and t.amount > 0:
                ratios.add(round(f.amount / t.amount, 9))
                if t.assumption and t.assumption.high > 0:
                    assert f.assumption.high / t.assumption.high == pytest.approx(f.amount / t.amount, rel=1e-9)
            elif f.kind not in ("energy", "transport") and f.amount == t.amount:
                assert f == t, (path.name, f.id)  # nothing else about the flow changed
        assert len(ratios) == 1, (path.name, ratios)
        logs.append(math.log(ratios.pop()))
    assert len(set(logs)) == len(logs)  # its own factor per file, the baselines' included
    assert 0.15 < np.std(logs) < 0.35 and abs(np.mean(logs)) < 0.15  # σ = 0.25, 48 draws


def test_sites_lie_in_wales_and_baselines_keep_theirs(portfolio):
    for path, gen, tpl in _pairs(portfolio):
        if gen.system == "baseline":
            assert gen.site == tpl.site
            continue
        lat, lon = gen.site.lat, gen.site.lon
        assert point_in_wales(lat, lon) and (round(lat, 4), round(lon, 4)) == (lat, lon), path.name
        assert gen.site.name == f"Synthetic site {path.name[:5]}"


def test_the_sampling_box_holds_the_whole_outline():
    data = json.loads((ROOT / "inventories" / "geo" / "wales.geojson").read_text(encoding="utf-8"))
    points = np.array(
        [pt for ft in data["features"] for poly in ft["geometry"]["coordinates"] for ring in poly for pt in ring]
    )
    lat_min, lat_max, lon_min, lon_max = WALES_BOX
    assert lon_min < points[:, 0].min() and points[:, 0].max() < lon_max
    assert lat_min < points[:, 1].min() and points[:, 1].max() < lat_max


def test_ids_names_files_and_descriptions(portfolio):
    manifest = json.loads((portfolio / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"] == [
        f"{i:05d}_{SLUGS[i % 6]}_{side}.toml" for i in range(24) for side in ("micro", "baseline")
    ]
    for i in range(24):
        stem = f"{i:05d}_{SLUGS[i % 6]}"
        micro, base = load(portfolio / f"{stem}_micro.toml"), load(portfolio / f"{stem}_baseline.toml")
        assert micro.sector == base.sector == SECTORS[i % 6]
        assert (micro.system, base.system, micro.baseline) == ("micro-factory", "baseline", f"{stem}_baseline.toml")
        for gen in (micro, base):
            tpl = load(_template(gen.id))
            assert gen.id == f"{tpl.id}-gen-{i:05d}" and gen.name == f"{tpl.name} — synthetic {i}"
            assert gen.description == (
                "Synthetic factory generated by lca-engine portfolio generate from "
                f"inventories/examples/{_template(gen.id).name}, seed 7, index {i} — not a real factory; "
                "for benchmarks, tests and demos."
            )


def test_sectors_are_taken_in_turn():
    assert [p.sector for p in generate_portfolio(6)] == list(SECTORS)
    chosen = generate_portfolio(5, sectors=["E-Mobility", "textiles", "e-mobility", "green tech"])
    assert [p.sector for p in chosen] == ["e-mobility", "textiles", "green tech", "e-mobility", "textiles"]


def test_the_files_are_what_inventory_dumps_writes(portfolio):
    """The writer pastes the template flows it did not vary, rendered once: the bytes are dumps' all the same."""
    pairs = generate_portfolio(24, seed=7)
    for pair in pairs:
        for name, factory in pair.files():
            assert render(factory) == dumps(factory) == (portfolio / name).read_text(encoding="utf-8"), name


# ------------------------------------------------------------------------------------------------ reproducible
def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_and_a_larger_portfolio_starts_with_the_smaller(tmp_path):
    for name, n, seed in (("a", 12, 5), ("b", 12, 5), ("c", 12, 6), ("small", 6, 5)):
        assert run("portfolio", "generate", n, "--out", tmp_path / name, "--seed", seed)[0] == 0
    a, b, c, small = (_bytes(tmp_path / n) for n in ("a", "b", "c", "small"))
    assert a == b and len(a) == 25
    changed = [n for n in a if n != MANIFEST and a[n] != c[n]]
    assert len(changed) == 24  # another seed: every inventory differs
    assert all(small[n] == a[n] for n in small if n != MANIFEST)


# ------------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("n", [0, -3, 100_001, True, 2.0])
def test_a_bad_count_is_refused_with_its_field(n):
    with pytest.raises(PortfolioError) as exc:
        generate_portfolio(n)
    assert exc.value.problems[0].field == "n" and "100,000" in exc.value.problems[0].fix


def test_the_count_limit_is_read_from_the_limits():
    assert len(generate_portfolio(2, limits=Limits(portfolio_factories=2))) == 2
    with pytest.raises(PortfolioError, match="from 1 to 2"):
        generate_portfolio(3, limits=Limits(portfolio_factories=2))


def test_unknown_sector_and_bad_seed_are_refused_with_their_field():
    with pytest.raises(PortfolioError) as exc:
        generate_portfolio(3, sectors=["textiles", "steel"])
    problem = exc.value.problems[0]
    assert problem.field == "sectors" and "'steel'" in problem.message
    assert all(s in problem.fix for s in SLUGS)
    with pytest.raises(PortfolioError) as exc:
        generate_portfolio(3, seed=-1)
    assert exc.value.problems[0].field == "seed"


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        (("0",), "n", "from 1 to 100,000"),
        (("-1",), "n", "from 1 to 100,000"),
        (("100001",), "n", "from 1 to 100,000"),
        (("3", "--sectors", "textiles,steel"), "sectors", "green-tech"),
        (("3", "--seed", "-5"), "seed", "≥ 0"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_1(tmp_path, args, field, words):
    code, output = run("portfolio", "generate", *args, "--out", tmp_path / "p")
    assert code == 1 and f"field '{field}'" in output and words in output and "fix:" in output
    assert not (tmp_path / "p").exists()


def test_out_must_not_be_a_file_or_someone_elses_folder(tmp_path):
    user_file = tmp_path / "notes.txt"
    user_file.write_text("mine", encoding="utf-8")
    code, output = run("portfolio", "generate", 3, "--out", user_file)
    assert code == 1 and "is not a folder" in output and user_file.read_text(encoding="utf-8") == "mine"
    code, output = run("portfolio", "generate", 3, "--out", tmp_path)
    assert code == 1 and "holds no previous portfolio" in output and "field 'out_dir'" in output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_previous_portfolio_is_replaced_and_nothing_else_touched(tmp_path):
    out = tmp_path / "p"
    assert run("portfolio", "generate", 6, "--out", out)[0] == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert run("portfolio", "generate", 2, "--out", out, "--seed", 3)[0] == 0
    assert sorted(p.name for p in out.glob("*.toml")) == sorted(json.loads((out / MANIFEST).read_text())["files"])
    assert len(list(out.glob("*.toml"))) == 4 and (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "seed 3, index 1" in load(out / "00001_green-tech_micro.toml").description


def test_a_killed_run_leaves_only_whole_files_and_can_be_run_again(tmp_path):
    out = tmp_path / "p"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "lca_engine.cli", "portfolio", "generate", "20000", "--out", str(out)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.toml"))) < 20:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    written = sorted(out.glob("*.toml"))
    assert 20 <= len(written) < 40_000
    for path in written:
        load(path)  # whole TOML inventories only
    assert run("portfolio", "generate", 6, "--out", out)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, *(p.name for p in out.glob("*.toml"))])
    assert len(list(out.glob("*.toml"))) == 12
