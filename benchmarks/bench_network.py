"""The partnership network of the default dataset: graph build + layout + metrics, the work the Network page
does (once per data version and set of options; reruns hit the page's cache).

Also reported, without targets: each step on its own, the figure, and the graph with every State added.
Run alone with `python -m benchmarks.bench_network`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import format_table, load_average, measure, profile_text, timed_row  # noqa: E402

TARGET_MS = 100.0


def run(runs: int = 5, profile: bool = True) -> list[dict[str, Any]]:
    from iscm import network as net
    from iscm.dataset import load
    from iscm.figures.network import network_figure

    ds = load(ROOT / "data")
    view = net.network_view(ds)
    size = net.summary(view.graph)
    shape = (f"{size['nodes']} nodes, {size['edges']} ties, {size['components']} component(s), "
             f"largest {size['largest_component']}")
    main = timed_row("network: build + layout + metrics (default graph)",
                     measure(lambda: net.network_view(ds), runs=runs), target=TARGET_MS, note=shape)
    if profile and not main["ok"]:
        from pyinstrument import Profiler

        prof = Profiler(interval=0.0005, async_mode="disabled")
        with prof:
            for _ in range(3):
                net.network_view(ds)
        main["profile"] = profile_text(prof)

    g = view.graph
    rows = [main,
            timed_row("network: build graph", measure(lambda: net.build_graph(ds), runs=runs)),
            timed_row("network: layout", measure(lambda: net.layout(g), runs=runs)),
            timed_row("network: metrics", measure(lambda: net.metrics(g), runs=runs),
                      note="degree, betweenness, eigenvector, Louvain, components"),
            timed_row("network: Plotly figure", measure(lambda: network_figure(g, view.pos, view.metrics),
                                                         runs=runs))]
    with_states = net.network_view(ds, include_states=True)
    s = net.summary(with_states.graph)
    rows.append(timed_row("network: build + layout + metrics, States included",
                          measure(lambda: net.network_view(ds, include_states=True), runs=runs),
                          note=f"{s['nodes']} nodes, {s['edges']} ties (option; cached by the page)"))
    return rows


if __name__ == "__main__":
    print(f"ISCM Atlas network benchmark, {load_average()}")
    result = run()
    print(format_table(result))
    for r in result:
        if r.get("ok") is False and r.get("profile"):
            print(f"\nProfile of '{r['name']}':\n{r['profile']}")
    sys.exit(1 if any(r.get("ok") is False for r in result) else 0)
