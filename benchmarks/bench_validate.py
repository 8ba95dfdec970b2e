"""Validation and Excel import against input size: time and peak memory, to show both grow linearly, and the peak
memory of an xlsx bomb before it is refused.

    .venv/bin/python benchmarks/bench_validate.py [--sizes 500,1000,2000,10000] [--invalid 4000]
        [--excel-rows 20000,200000] [--no-bomb]

Generated, valid inventories (a chain of N processes, 5 flows each: purchase, electricity, internal flow, waste,
product; mass balance closing), one file with N invalid fields (flows without provenance), Brightway Excel files
written by ``write_bw_excel`` (about 20 worksheet rows per process), and a 0.4 MB xlsx whose sheet XML inflates to
400 MB. Each case runs in a fresh subprocess (its own peak RSS, ``VmHWM``); "import only" is the same
subprocess doing nothing but importing, so the difference is what the input cost. All files are written to a
temporary folder, deleted at the end; the data directory is a temporary one too (``LCA_ENGINE_DATA_DIR``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


# ------------------------------------------------------------------------------------------ generated inputs
def inventory(n: int, *, sourced: bool = True) -> str:
    """A valid inventory of ``n`` processes in a chain (each buys 1 kg and 2 kWh, passes 0.5 kg on, wastes 0.5 kg)."""
    src = ['source = "desnz-2025"'] if sourced else []
    fu = 0.5 * (n - 2) + 1 if n > 1 else 1
    out = [
        'schema_version = 1\nid = "bench"\nname = "Bench"\nsector = "textiles"\nsystem = "baseline"\n',
        f'[functional_unit]\namount = {fu}\nunit = "kg"\ndescription = "product"\n',
        '[site]\nname = "Cardiff"\nlat = 51.48\nlon = -3.18\n',
    ]
    out += [f'[[processes]]\nid = "p{i}"\nname = "Process {i}"\n' for i in range(n)]

    def flow(fid, a, b, kind, amount, unit, *extra):
        lines = [f'id = "{fid}"', f'from = "{a}"', f'to = "{b}"', f'kind = "{kind}"', f"amount = {amount}"]
        out.append("\n".join(["[[flows]]", *lines, f'unit = "{unit}"', *extra, *src]) + "\n")

    for i in range(n):
        flow(f"buy{i}", "market", f"p{i}", "material", 1.0, "kg", 'origin = "virgin"', _bg("material.clothing.primary"))
        flow(f"pow{i}", "market", f"p{i}", "energy", 2.0, "kWh", _bg("electricity.uk"))
        if i:
            flow(f"int{i}", f"p{i - 1}", f"p{i}", "material", 0.5, "kg", 'origin = "virgin"')
        flow(f"waste{i}", f"p{i}", "landfill", "waste", 0.5, "kg", _bg("waste.clothing.landfill"))
        product = 1.0 if i == n - 1 else 0.5 if i else 0.0
        if product:
            flow(f"prod{i}", f"p{i}", "market", "product", product, "kg")
    return "\n".join(out)


def _bg(key: str) -> str:
    return f'background = "desnz.{key}"'


def bomb(path: Path, inflated: int = 400 * MB) -> Path:
    """A minimal xlsx whose one worksheet inflates to ``inflated`` bytes of blanks (written streamed)."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "xl/workbook.xml": '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b" " * MB
            for _ in range(inflated // MB):
                sheet.write(block)
    return path


# ------------------------------------------------------------------------------------------ workers (subprocess)
def worker(kind: str, path: str) -> dict:
    import tracemalloc
    import warnings

    from lca_engine.background.catalog import load_catalog
    from lca_engine.bw.excel import read_bw_excel
    from lca_engine.bw.project import DataDir, default_data_dir
    from lca_engine.errors import LcaEngineError
    from lca_engine.load import load_checked

    catalog = load_catalog(2025, cache_dir=DataDir(default_data_dir()).cache)  # as `lca-engine validate` does
    t0, cpu0 = time.perf_counter(), time.process_time()
    if kind == "bomb":  # Python-level allocations too (tracemalloc slows the others down, so only here)
        tracemalloc.start()
    problems = 0
    try:
        if kind == "validate":
            load_checked(path, catalog=catalog)
        elif kind in ("excel", "bomb"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                read_bw_excel(path, catalog=catalog)
    except LcaEngineError as exc:
        problems = len(exc.problems)
        exc.format()
    seconds = time.perf_counter() - t0
    traced = tracemalloc.get_traced_memory()[1] / MB if tracemalloc.is_tracing() else None
    return {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu0,
        "maxrss_mb": _peak_rss_mb(),
        "traced_mb": traced,
        "problems": problems,
    }


def _peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries the parent's RSS at fork into a
    child's ru_maxrss across exec, which would charge the benchmark's own memory to each case."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_worker(kind: str, path: Path | str, env: dict) -> dict:
    res = subprocess.run(
        [sys.executable, __file__, "--worker", kind, str(path)], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def run_cli(path: Path, env: dict) -> float:
    """Wall time of `lca-engine validate FILE` as a user runs it (printing included)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lca_engine.cli", "validate", str(path)], capture_output=True, env=env)
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------------------ main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="500,1000,2000,10000")
    ap.add_argument("--invalid", type=int, default=4000, help="invalid fields in one file (0: skip)")
    ap.add_argument("--excel-rows", default="20000,200000", help="approximate worksheet rows ('' to skip)")
    ap.add_argument("--no-bomb", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lca-bench-validate-"))
    os.environ["LCA_ENGINE_DATA_DIR"] = str(tmp / "data")  # before lca_engine.bw is imported (excel_cases)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rows = [("import only", "", "", run_worker("none", "-", env), None)]
    try:
        rows += toml_cases(tmp, env, [int(s) for s in args.sizes.split(",") if s], args.invalid)
        rows += excel_cases(tmp, env, [int(s) for s in args.excel_rows.split(",") if s])
        if not args.no_bomb:
            path = bomb(tmp / "bomb.xlsx")
            rows.append(
                (
                    "xlsx bomb (refused)",
                    "400 MB inflated",
                    path.stat().st_size / MB,
                    run_worker("bomb", path, env),
                    None,
                )
            )
        print_table(rows)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def toml_cases(tmp: Path, env: dict, sizes: list[int], invalid: int) -> list[tuple]:
    out = []
    for n in sizes:
        path = tmp / f"valid_{n}.toml"
        path.write_text(inventory(n), encoding="utf-8")
        r = run_worker("validate", path, env)
        out.append((f"validate, {n:,} processes", n, path.stat().st_size / MB, r, run_cli(path, env)))
        print(f"validated {n} processes: {r['seconds']:.2f} s", file=sys.stderr)
    if invalid:
        n = invalid // 5 + 1  # 5 flows per process (one fewer for the first), none with a source
        path = tmp / f"invalid_{invalid}.toml"
        path.write_text(inventory(n, sourced=False), encoding="utf-8")
        r = run_worker("validate", path, env)
        out.append((f"validate, {r['problems']:,} invalid fields", n, path.stat().st_size / MB, r, run_cli(path, env)))
    return out


def excel_cases(tmp: Path, env: dict, row_counts: list[int]) -> list[tuple]:
    from lca_engine.bw.excel import write_bw_excel
    from lca_engine.inventory import loads

    out = []
    for rows in row_counts:
        n = max(2, rows // 20)
        path = tmp / f"bw_{rows}.xlsx"
        write_bw_excel(loads(inventory(n)), path)
        sheet_rows = _rows(path)
        r = run_worker("excel", path, env)
        out.append((f"Excel import, {sheet_rows:,} rows", n, path.stat().st_size / MB, r, None))
        print(f"imported {sheet_rows} rows: {r['seconds']:.2f} s", file=sys.stderr)
    return out


def _rows(path: Path) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return sum(ws.max_row for ws in wb.worksheets)
    finally:
        wb.close()


def print_table(rows: list[tuple]) -> None:
    print(
        "| case | processes | file MB | seconds | CPU seconds | peak RSS MB | traced peak MB | ms per process (CPU) "
        "| CLI seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, n, mb, r, cli in rows:
        per = f"{1000 * r['cpu_seconds'] / n:.2f}" if isinstance(n, int) and n else ""
        size = f"{mb:.2f}" if isinstance(mb, float) else ""
        count = f"{n:,}" if isinstance(n, int) else n
        cli_s = f"{cli:.2f}" if cli is not None else ""
        traced = f"{r['traced_mb']:.1f}" if r["traced_mb"] is not None else ""
        print(
            f"| {name} | {count} | {size} | {r['seconds']:.2f} | {r['cpu_seconds']:.2f} | {r['maxrss_mb']:.0f} "
            f"| {traced} | {per} | {cli_s} |"
        )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], sys.argv[3])))
    else:
        main()
