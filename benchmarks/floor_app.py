"""The floor of the browser benchmark: the smallest app with the Atlas's sidebar filters and one chart.

Four sidebar multiselects labelled ISCM, Theme, Region and Type with the same options and display names as
the Atlas's own filters (components/filters.py), each written to the URL when it changes, and one small
Plotly bar chart that follows them. What any filter change costs in Streamlit and the browser before an app
does anything of its own: bench_browser.py measures the pages against it, side by side in one run.

`?map=50m` or `?map=110m` adds one world choropleth (the States of the dataset) drawn from the app's own
1:50m or 1:110m shapes, to show what one map costs. bench_browser.py serves this file from a folder that
also holds a link to the project's static/ (Streamlit serves static/ beside the entry script):

    python -m streamlit run benchmarks/floor_app.py     # from the project root; without maps
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]  # resolve(): bench_browser.py starts this file through a link
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TITLES = {"iscm": "ISCM", "theme": "Theme", "region": "Region", "type": "Type"}
MAPS = {"50m": 50, "110m": 110}  # ?map= value -> Natural Earth scale of the shapes


def filter_options(ds) -> dict[str, dict[str, str]]:  # noqa: ANN001 - an iscm Dataset
    """URL parameter -> {option value: display name}, in the Atlas's order (components.filters._choices)."""
    from iscm.model import ISCM_TYPE_LABELS
    from iscm.regions import MACRO_REGIONS

    iscms = ds.iscms.sort_values("short_name")
    return {
        "iscm": dict(zip(iscms["iscm_id"], iscms["short_name"], strict=True)),
        "theme": dict(zip(ds.themes["theme_id"], ds.themes["label"], strict=True)),
        "region": {r: str(r) for r in MACRO_REGIONS},
        "type": {t: f"{t} · {label}" for t, label in ISCM_TYPE_LABELS.items()},
    }


def main() -> None:
    import plotly.express as px
    import plotly.graph_objects as go
    import streamlit as st

    @st.cache_resource(show_spinner=False)
    def spec() -> tuple[dict[str, dict[str, str]], list[str]]:
        from iscm.dataset import load

        ds = load(ROOT / "data")
        return filter_options(ds), sorted(ds.memberships["iso3"].unique())

    options, states = spec()
    st.set_page_config(page_title="Floor · ISCM Atlas benchmark", layout="wide")

    def changed(param: str) -> None:
        values = st.session_state[f"flt_{param}"]
        if values:
            st.query_params[param] = ",".join(values)
        elif param in st.query_params:
            del st.query_params[param]

    chosen: dict[str, list[str]] = {}
    st.sidebar.markdown("#### Filters")
    for param, title in TITLES.items():
        names = options[param]
        in_url = [v for raw in st.query_params.get_all(param) for v in raw.split(",")]
        st.session_state[f"flt_{param}"] = [v for v in in_url if v in names]  # the URL wins, as in the Atlas
        chosen[param] = st.sidebar.multiselect(title, list(names), key=f"flt_{param}", format_func=names.get,
                                               on_change=changed, args=(param,),
                                               placeholder=f"All {title.lower()}s")

    st.title("Floor")
    counts = [len(chosen[p]) for p in TITLES]
    fig = px.bar(x=list(TITLES.values()), y=counts, title="Values chosen per filter",
                 labels={"x": "Filter", "y": "Values chosen"}, height=300)
    st.plotly_chart(fig, key="floor_bar")
    scale = MAPS.get(st.query_params.get("map", ""))
    if scale:
        shapes = go.Figure(go.Choropleth(locations=states, z=[1 + sum(counts)] * len(states), locationmode="ISO-3",
                                         colorscale="Blues", zmin=0, zmax=10))
        shapes.update_geos(resolution=scale, projection_type="natural earth", showframe=False)
        shapes.update_layout(title=f"One map, 1:{scale}m shapes", height=450, margin={"l": 0, "r": 0, "b": 0})
        st.plotly_chart(shapes, key="floor_map", config={"topojsonURL": "/app/static/topojson/"})


if __name__ == "__main__":
    main()
