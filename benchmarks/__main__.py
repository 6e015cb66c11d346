"""The benchmark runner: `python -m benchmarks [--only NAME,...] [--runs N] [--no-profile]`.

Runs each benchmark module's `run()` in turn, prints one table (name, median, min, max, n, target, ok), then
the profile of every row that missed its target, and exits 1 when any target was missed or a measurement
broke. A module that does not exist yet is skipped with a printed note, so the runner works while the
benchmarks are being written.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python -m benchmarks` from elsewhere still imports iscm/ and components/
    sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402 - after the sys.path fix above
from benchmarks.common import (  # noqa: E402
    exit_status,
    failed_row,
    format_table,
    load_average,
    missed,
)

# (short name, module): in the order of issue 9's list. In-process measurements first, servers last.
MODULES: list[tuple[str, str]] = [
    ("dataset", "benchmarks.bench_dataset"),
    ("survey", "benchmarks.bench_survey"),
    ("network", "benchmarks.bench_network"),
    ("pages", "benchmarks.bench_pages"),
    ("export", "benchmarks.bench_export"),
    ("startup", "benchmarks.bench_startup"),
    ("memory", "benchmarks.bench_memory"),
    ("browser", "benchmarks.bench_browser"),  # issue 15: pages in Chromium against a floor app (~10 min)
]


def _teardown(name: str, module: Any) -> None:
    """Stop whatever a benchmark left running in this process, so later ones run on a quiet machine.

    A module may define `teardown()`; the export benchmark's warm Chromium (iscm.export's kaleido server)
    is stopped here as well, since it would otherwise live until the runner exits.
    """
    hook = getattr(module, "teardown", None)
    if callable(hook):
        hook()
    export = sys.modules.get("iscm.export")
    if name == "export" and export is not None and hasattr(export, "stop_server"):
        export.stop_server()


def _call_run(module: Any, runs: int, profile: bool) -> list[dict[str, Any]]:
    """Call module.run(), passing `runs`/`profile` only to modules whose run() accepts them."""
    params = inspect.signature(module.run).parameters
    kwargs: dict[str, Any] = {}
    if "runs" in params:
        kwargs["runs"] = runs
    if "profile" in params:
        kwargs["profile"] = profile
    return list(module.run(**kwargs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated names: " + ", ".join(n for n, _ in MODULES))
    parser.add_argument("--runs", type=int, default=5, help="measured runs per benchmark (at least 5)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="judge in-process timings on the wall clock (default) or on CPU time, for a machine "
                             "busy with other work; cold start and memory always use the wall clock")
    parser.add_argument("--no-profile", action="store_true", help="do not profile rows that miss their target")
    args = parser.parse_args(argv)
    wanted = {n.strip() for n in args.only.split(",") if n.strip()}
    unknown = wanted - {n for n, _ in MODULES}
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    common.CLOCK = args.clock
    print(f"ISCM Atlas benchmarks, {time.strftime('%Y-%m-%d %H:%M')}, python {sys.version.split()[0]}, "
          f"{load_average()}, in-process timings judged on the {args.clock} clock", flush=True)
    rows: list[dict[str, Any]] = []
    started = time.perf_counter()
    for name, modname in MODULES:
        if wanted and name not in wanted:
            continue
        try:
            module = importlib.import_module(modname)
        except ModuleNotFoundError as e:
            if e.name == modname:
                print(f"[{name}] skipped: {modname} does not exist yet", flush=True)
                continue
            raise
        t0 = time.perf_counter()
        print(f"[{name}] running ...", flush=True)
        try:
            got = _call_run(module, args.runs, not args.no_profile)
        except Exception as e:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            got = [failed_row(name, f"{type(e).__name__}: {e}")]
        finally:
            try:
                _teardown(name, module)
            except Exception:  # noqa: BLE001 - a failed cleanup is reported, not fatal
                traceback.print_exc()
        rows += got
        print(f"[{name}] {len(got)} row(s) in {time.perf_counter() - t0:.1f} s", flush=True)

    print()
    print(format_table(rows))
    for r in missed(rows):
        if r.get("profile"):
            print(f"\nProfile of '{r['name']}' (missed its target):\n{r['profile']}")
    bad = missed(rows)
    print(f"\n{len(rows)} rows, {len(bad)} missed; total {time.perf_counter() - started:.0f} s; {load_average()}")
    return exit_status(rows)


if __name__ == "__main__":
    sys.exit(main())
