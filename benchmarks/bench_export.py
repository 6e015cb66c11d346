"""Chart exports: cold start (Chromium launch + first PNG) and warm PNG/SVG/PDF/HTML of real charts.

What a user waits after clicking a download in the chart panel. Target: a warm PNG (3200x1800, the report
layout) of a chart in at most 1 s. The work happens in Chromium, not in this process, so rows are judged on
the wall clock whatever `--clock` says. Without Chromium the rows are skipped, with the reason.
Run alone with `python -m benchmarks.bench_export`, or through `python -m benchmarks --only export`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    MIN_RUNS,
    format_table,
    load_average,
    row,
    skipped_row,
)

WARM_PNG_TARGET_MS = 1000.0


def _figures() -> dict[str, Any]:
    """Report layouts of two real charts: the Overview timeline (cartesian) and the density map (geo)."""
    from iscm import export
    from iscm.dataset import load
    from iscm.figures.maps import density_map
    from iscm.figures.overview import establishment_timeline
    from iscm.membership import participation_table
    from iscm.overview import establishment_data

    ds = load(ROOT / "data")
    out = {}
    for name, fig in (("timeline", establishment_timeline(establishment_data(ds.iscms))),
                      ("map", density_map(participation_table(ds.memberships, ds.iscms)))):
        title, _ = export.title_parts(fig)
        out[name] = export.report_figure(fig, title=title, sources=ds.sources_for(None),
                                         filters_text="All ISCMs", data_date=ds.data_date)
    return out


def _wall_ms(fn: Callable[[], bytes], runs: int) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(max(runs, MIN_RUNS)):
        t0 = time.perf_counter()
        size = len(fn())
        times.append((time.perf_counter() - t0) * 1000)
    return times, size


def _kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB"


def run(runs: int = 7) -> list[dict[str, Any]]:
    """Cold start once, then each export `runs` times (at least 5) on a warm server."""
    from iscm import export

    if not export.chromium_available():
        return [skipped_row("export: PNG/SVG/PDF", "no Chromium/Chrome on this machine. " + export.ENABLE_HINT)]
    figs = _figures()
    t, m = figs["timeline"], figs["map"]
    export.stop_server()  # a real cold start, even if this process exported before
    t0 = time.perf_counter()
    size = len(export.to_png(t))
    cold = (time.perf_counter() - t0) * 1000
    rows = [row("export: PNG cold (Chromium start + first PNG)", [cold],
                note=f"timeline 3200x1800, {_kb(size)}; once per app process")]

    specs: list[tuple[str, Callable[[], bytes], float | None, str]] = [
        ("export: PNG warm, timeline 3200x1800", lambda: export.to_png(t), WARM_PNG_TARGET_MS,
         "the chart panel's PNG button"),
        ("export: SVG warm, timeline", lambda: export.to_svg(t), None, ""),
        ("export: PDF warm, timeline", lambda: export.to_pdf(t), None, ""),
        ("export: PNG warm, world map 1:110m 3200x1800", lambda: export.to_png(m), None,
         "241 country shapes + markers"),
        ("export: SVG warm, world map 1:110m", lambda: export.to_svg(m), None, ""),
        ("export: HTML, world map (plotly.js + shapes inlined)", lambda: export.to_html(m), None,
         "no Chromium involved"),
    ]
    for name, fn, target, note in specs:
        times, size = _wall_ms(fn, runs)
        rows.append(row(name, times, target=target, note=f"{_kb(size)}; wall clock" + (f"; {note}" if note else "")))
    return rows


if __name__ == "__main__":
    print(f"ISCM Atlas export benchmark, {load_average()}")
    result = run()
    print(format_table(result))
    sys.exit(1 if any(r.get("ok") is False for r in result) else 0)
