"""Export timings: cold start (Chromium launch + first PNG) and warm PNG/SVG/PDF/HTML on real charts.

A warm PNG at most 1 s is the target: that is what a user waits after clicking "PNG image" once the
app's export server runs. Run: ``python -m benchmarks.bench_export`` (prints a table), or call
``run()`` from a benchmark runner (returns one dict per measurement).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WARM_PNG_TARGET_S = 1.0


def _figures() -> dict[str, object]:
    """Report layouts of two real charts: the Overview timeline (cartesian) and the density map (geo)."""
    from iscm import export
    from iscm.dataset import load
    from iscm.figures.maps import density_map
    from iscm.figures.overview import establishment_timeline

    ds = load(ROOT / "data")
    out = {}
    for name, fig in (("timeline", establishment_timeline(ds.iscms)),
                      ("map", density_map(ds.memberships, ds.iscms))):
        title, _ = export.title_parts(fig)
        out[name] = export.report_figure(fig, title=title, sources=ds.sources_for(None),
                                         filters_text="All ISCMs", data_date=ds.data_date)
    return out


def _series(name: str, fn: Callable[[], bytes], runs: int, target: float | None = None) -> dict:
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - t0)
    row = {"name": name, "runs": runs, "median_s": round(statistics.median(times), 3),
           "min_s": round(min(times), 3), "max_s": round(max(times), 3), "bytes": size}
    if target is not None:
        row["target_s"] = target
        row["ok"] = row["median_s"] <= target
    return row


def run(warm_runs: int = 7) -> list[dict]:
    """Measure cold and warm exports; returns rows with median/min/max seconds (skips without Chromium)."""
    from iscm import export

    if not export.chromium_available():
        return [{"name": "export", "skipped": "no Chromium/Chrome: " + export.ENABLE_HINT}]
    figs = _figures()
    export.stop_server()  # measure a real cold start even if this process exported before
    t0 = time.perf_counter()
    size = len(export.to_png(figs["timeline"]))
    cold = time.perf_counter() - t0
    rows = [{"name": "png cold (Chromium start + first export), timeline 3200x1800", "runs": 1,
             "median_s": round(cold, 3), "min_s": round(cold, 3), "max_s": round(cold, 3), "bytes": size}]
    t = figs["timeline"]
    m = figs["map"]
    rows.append(_series("png warm, timeline 3200x1800", lambda: export.to_png(t), warm_runs, WARM_PNG_TARGET_S))
    rows.append(_series("svg warm, timeline", lambda: export.to_svg(t), warm_runs))
    rows.append(_series("pdf warm, timeline", lambda: export.to_pdf(t), max(3, warm_runs // 2)))
    rows.append(_series("png warm, world map 3200x1800", lambda: export.to_png(m), warm_runs,
                        WARM_PNG_TARGET_S))
    rows.append(_series("svg warm, world map", lambda: export.to_svg(m), warm_runs))
    rows.append(_series("html, world map (no Chromium)", lambda: export.to_html(m), max(3, warm_runs // 2)))
    return rows


def main() -> int:
    rows = run()
    if rows and "skipped" in rows[0]:
        print(f"export benchmark skipped: {rows[0]['skipped']}")
        return 0
    print(f"{'measurement':<62} {'runs':>4} {'median':>8} {'min':>8} {'max':>8} {'bytes':>9}  target")
    for r in rows:
        target = f"<= {r['target_s']:.1f} s {'ok' if r['ok'] else 'MISSED'}" if "target_s" in r else ""
        print(f"{r['name']:<62} {r['runs']:>4} {r['median_s']:>7.3f}s {r['min_s']:>7.3f}s {r['max_s']:>7.3f}s "
              f"{r['bytes']:>9}  {target}")
    return 0 if all(r.get("ok", True) for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
