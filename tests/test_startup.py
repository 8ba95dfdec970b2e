"""Start-up and warm-run work (issue 17, speed): what importing the package loads, the public names, the unit
registry built once, the characterisation factors read from the project. Timings live in benchmarks/bench_startup.py,
never in a test."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import lca_engine as le

EXAMPLES_TEXTILE = "inventories/examples/textile_merthyr_micro.toml"


def _fresh(code: str) -> str:
    """stdout of ``code`` run in a new interpreter (nothing imported yet)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_every_public_name_resolves_and_imports():
    for name in le.__all__:
        assert getattr(le, name) is not None, name
    names = ", ".join(le.__all__)
    out = _fresh(f"from lca_engine import {names}; import lca_engine as le; print(len([{names}]))")
    assert int(out) == len(le.__all__)
    assert set(le.__all__) <= set(dir(le))
    with pytest.raises(AttributeError):
        le.no_such_name  # noqa: B018


def test_excel_names_stay_importable():
    out = _fresh(
        "from lca_engine import read_bw_excel, write_bw_excel, ExcelImportWarning; print(read_bw_excel.__name__)"
    )
    assert out.strip() == "read_bw_excel"


def test_assess_and_load_stay_functions_after_their_modules_are_imported():
    """``lca_engine.assess`` / ``lca_engine.load`` are the functions, whichever is imported first."""
    code = (
        "import lca_engine.assess, lca_engine.load, lca_engine.cli.assess; import lca_engine as le; "
        "from lca_engine import assess, load; from lca_engine.assess import load_many; "
        "print(le.assess.__module__, le.load.__module__, assess is le.assess, load is le.load, load_many.__name__)"
    )
    assert _fresh(code).split() == ["lca_engine.assess", "lca_engine.inventory", "True", "True", "load_many"]


def test_importing_the_package_loads_no_heavy_library():
    heavy = ["pandas", "pint", "pydantic", "numpy", "scipy", "bw2data", "bw2calc", "networkx"]
    out = _fresh(f"import sys, json, lca_engine; print(json.dumps([m for m in {heavy!r} if m in sys.modules]))")
    assert json.loads(out) == []


def test_unit_registry_is_built_once_on_first_use():
    code = (
        "import lca_engine.units as u; built = u._registry.cache_info().currsize; "
        "from lca_engine import Q_, ureg; q = Q_(2, 'kWh').to(ureg.MJ); "
        "print(built, u._registry.cache_info().currsize, q.magnitude, q._REGISTRY is u.registry())"
    )
    built_at_import, built_after, mj, same = _fresh(code).split()
    assert (built_at_import, built_after, same) == ("0", "1", "True")
    assert float(mj) == pytest.approx(7.2, rel=1e-15)  # 2 kWh x 3.6 MJ/kWh


def test_units_defined_by_the_product_convert():
    from lca_engine.units import convert, dimension_of

    assert convert(3, "t*km", "tkm") == pytest.approx(3.0)
    assert convert(2, "m3", "litres") == pytest.approx(2000.0)
    assert dimension_of("pieces") == "[item]"


def test_characterisation_factors_read_from_the_project_equal_the_computed_ones(data_dir):
    """The warm run reads each method's float64 CFs back from the project instead of re-parsing bw2io's LCIA file;
    they are exactly the CFs :func:`indicator_cfs` computes, and a project without that copy computes them again."""
    from pathlib import Path

    from lca_engine import INDICATORS, assess_files
    from lca_engine.bw.exact import method_cfs
    from lca_engine.bw.methods import indicator_cfs

    root = Path(__file__).resolve().parent.parent
    before = assess_files([root / EXAMPLES_TEXTILE], data_dir=data_dir)
    import bw2data as bd

    for ind in INDICATORS.values():
        ids = {key: bd.get_node(database=key[0], code=key[1]).id for key, _ in indicator_cfs(ind.id)}
        assert method_cfs(ind, ids) == [(ids[key], cf) for key, cf in indicator_cfs(ind.id)], ind.id
    carbon = INDICATORS["carbon"]
    pickle_file = Path(bd.projects.dir) / "intermediate" / (bd.Method(carbon.method).filename + ".pickle")
    pickle_file.unlink()
    after = assess_files([root / EXAMPLES_TEXTILE], data_dir=data_dir)
    for fid in before.checked:
        for scope in le.SCOPES:
            assert after.total(fid, "carbon", scope) == before.total(fid, "carbon", scope)


def test_version_prints_the_package_version_and_exits_0():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    res = subprocess.run([sys.executable, "-m", "lca_engine.cli", "--version"], capture_output=True, text=True)
    assert (res.returncode, res.stdout, res.stderr) == (0, f"lca-engine {pyproject['project']['version']}\n", "")
    assert le.__version__ == pyproject["project"]["version"]


def test_help_values_are_the_libraries_own():
    """The command line reads these from :mod:`lca_engine.vocabulary` (nothing heavy imported for ``--help``)."""
    from lca_engine import balance, model, vocabulary

    assert vocabulary.SYSTEMS == model.SYSTEMS and vocabulary.MICRO_FACTORY == model.MICRO_FACTORY
    assert vocabulary.DEFAULT_TOLERANCE == balance.DEFAULT_TOLERANCE


#: Command modules that still import heavy modules at module level (issue 17, --help ≤ 0.3 s): the lines to move
#: into the functions that use them are listed in the speed report; remove a module here once it is light.
HEAVY_AT_IMPORT: set[str] = set()
#: What the command line may import before a command runs: the standard library, its own toolkit and the
#: product's modules that import nothing heavy.
LIGHT = {"typer", "rich", "click", "errors", "vocabulary"}


def _module_level_imports(path) -> tuple[set[str], set[str]]:
    """(modules of other packages or of lca_engine, modules of the cli package) a file imports at module level."""
    import ast

    outside, inside = set(), set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            outside |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            inside |= {node.module} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            outside.add((node.module or "").split(".")[0])
    return outside, inside


def test_command_modules_import_nothing_heavy_before_a_command_runs():
    """What ``lca-engine --help`` loads: every command module and the cli modules they import at module level."""
    from pathlib import Path

    cli = Path(le.__file__).parent / "cli"
    light = LIGHT | set(sys.stdlib_module_names)
    heavy = {}
    for command in sorted(p.stem for p in cli.glob("*.py") if "@app.command" in p.read_text()):
        seen, todo, found = set(), [command], set()
        while todo:
            name = todo.pop()
            seen.add(name)
            outside, inside = _module_level_imports(cli / f"{name}.py")
            found |= outside - light
            todo += [m for m in inside if m not in seen and (cli / f"{m}.py").is_file()]
        heavy[command] = sorted(found)
    assert {name for name, found in heavy.items() if found} == HEAVY_AT_IMPORT, heavy
