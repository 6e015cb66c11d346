"""Membership: who takes part where. ISCM map, dialogue density, a country's own view, overlap of ISCMs.

A click on a country (shape or marker) on any map opens that State in the country view; the chosen State
is kept in the URL (`?country=DEU`) so a copied link reopens it.

Speed: every table and figure is computed once per data version, filter state and control value and then
shared by all sessions (`st.cache_resource`; callers only read them), and figures are frozen
(`iscm.figures.fast.freeze`), so a rerun mostly re-sends finished charts. Each section is a fragment:
changing a section's control reruns that section, not the page.
"""

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.chart_panel import chart_panel, download_all_button
from components.frame import frame
from iscm.dataset import Dataset
from iscm.figures import maps
from iscm.figures.fast import freeze

ctx = frame("Membership", icon=":material/public:")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
# What the filtered dataset `ds` is made of: the data version and the filters. It keys every cache below,
# so `ds` itself (which Streamlit cannot hash cheaply) is passed unhashed.
KEY = (full.version, flt.iscms, flt.themes, flt.regions, flt.types)
subtitle = flt.describe(full) if flt.active else ""
MEMBERS_AND_OBSERVERS = ("member", "observer")

if toast := st.session_state.pop("_mb_toast", None):  # queued by a map click just before its rerun
    st.toast(toast, icon=":material/flag:")

st.title("Membership")
st.markdown(
    "Which States and territories take part in which ISCMs, as members or observers. Click a country on any "
    "map to open its own view below. Very small States and territories are drawn as dots so none is lost."
)
if flt.active:
    st.info(f"Filtered: {flt.describe(full)}. Showing {len(ds.iscms)} of {len(full.iscms)} ISCMs.",
            icon=":material/filter_alt:")
if ds.iscms.empty:
    st.warning("No ISCM matches the filters. Clear or widen them in the sidebar.", icon=":material/search_off:")
    st.stop()


# ------------------------------------------------------------------------------------------- cached views
@dataclass(frozen=True)
class Basics:
    """Per data version and filter state: names, choices and defaults the sections start from."""

    names: dict[str, str]  # iscm_id -> short name (filtered ISCMs)
    ids_by_name: list[str]  # filtered ISCM ids by short name
    default_iscm: str  # the largest regional consultative process (a regional map reads best first)
    country_names: dict[str, str]  # iso3 -> name, every State in the whole dataset
    countries: list[str]  # iso3 codes by name


@st.cache_resource(show_spinner=False, max_entries=32)
def basics(key: tuple, _ds: Dataset, _full: Dataset) -> Basics:
    names = dict(zip(_ds.iscms["iscm_id"], _ds.iscms["short_name"], strict=True))
    ids_by_name = _ds.iscms.sort_values("short_name")["iscm_id"].tolist()
    sizes = _ds.memberships.groupby("iscm_id")["iso3"].nunique()
    rcps = sizes[sizes.index.isin(_ds.iscms.loc[_ds.iscms["type"] == "RCP", "iscm_id"])]
    pool = rcps if not rcps.empty else sizes
    first = _full.memberships.drop_duplicates("iso3")
    country_names = dict(zip(first["iso3"], first["country"], strict=True))
    return Basics(names=names, ids_by_name=ids_by_name,
                  default_iscm=pool.idxmax() if not pool.empty else ids_by_name[0],
                  country_names=country_names, countries=sorted(country_names, key=country_names.__getitem__))


@st.cache_resource(show_spinner=False, max_entries=128)
def iscm_map_view(key: tuple, chosen: tuple[str, ...], zoom: bool, subtitle: str,
                  _ds: Dataset) -> tuple[go.Figure, pd.DataFrame, list[str]]:
    """The map of the chosen ISCMs, its data (the members of one, or the participation in several), sources."""
    fig = maps.iscm_map(_ds.memberships, _ds.iscms, list(chosen), zoom=zoom, subtitle=subtitle)
    if len(chosen) == 1:
        data = _ds.memberships[_ds.memberships["iscm_id"] == chosen[0]].drop(columns=["iscm_id"])
    else:
        data = maps.participation_table(_ds.memberships, _ds.iscms, list(chosen))
    return freeze(fig), data, _ds.sources_for(list(chosen))


@st.cache_resource(show_spinner=False, max_entries=32)
def density_view(key: tuple, roles: tuple[str, ...], subtitle: str,
                 _ds: Dataset) -> tuple[go.Figure, pd.DataFrame, list[str]]:
    fig = maps.density_map(_ds.memberships, _ds.iscms, roles=roles, subtitle=subtitle)
    return (freeze(fig), maps.participation_table(_ds.memberships, _ds.iscms, roles=roles),
            _ds.sources_for(_ds.iscms["iscm_id"]))


@dataclass(frozen=True)
class CountryView:
    table: pd.DataFrame  # the State's ISCMs under the filters (country_iscms)
    n_all: int  # its ISCMs in the whole dataset
    fellow: go.Figure | None
    fellow_data: pd.DataFrame | None
    themes: pd.DataFrame | None
    themes_fig: go.Figure | None
    sources: list[str]


@st.cache_resource(show_spinner=False, max_entries=256)
def country_view(key: tuple, code: str, subtitle: str, _ds: Dataset, _full: Dataset) -> CountryView:
    table = maps.country_iscms(_ds.memberships, _ds.iscms, _ds.iscm_themes, _ds.themes, code)
    n_all = _full.memberships.loc[_full.memberships["iso3"] == code, "iscm_id"].nunique()
    if table.empty:
        return CountryView(table, n_all, None, None, None, None, [])
    cname = basics(key, _ds, _full).country_names[code]
    themes = maps.country_themes(_ds.memberships, _ds.iscms, _ds.iscm_themes, _ds.themes, code)
    return CountryView(
        table=table, n_all=n_all,
        fellow=freeze(maps.fellow_members_map(_ds.memberships, _ds.iscms, code, subtitle=subtitle)),
        fellow_data=maps.fellow_members_table(_ds.memberships, _ds.iscms, code),
        themes=themes,
        themes_fig=None if themes.empty else freeze(maps.country_themes_figure(themes, cname, subtitle=subtitle)),
        sources=_ds.sources_for(table["iscm_id"].tolist()),
    )


@st.cache_resource(show_spinner=False, max_entries=64)
def overlap_view(key: tuple, roles: tuple[str, ...], _ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shared States and Jaccard index of every pair of ISCMs, computed together (one clustered order)."""
    return maps.overlap_tables(_ds.memberships, _ds.iscms["iscm_id"].tolist(), iscms=_ds.iscms, roles=roles)


@st.cache_resource(show_spinner=False, max_entries=64)
def overlap_chart(key: tuple, roles: tuple[str, ...], metric: str, subtitle: str,
                  _ds: Dataset) -> tuple[go.Figure, pd.DataFrame, list[str]]:
    count, jac = overlap_view(key, roles, _ds)
    matrix = count if metric == "count" else jac
    fig = maps.overlap_figure(matrix, metric, roles=roles, subtitle=subtitle)
    return freeze(fig), matrix.reset_index(), _ds.sources_for(_ds.iscms["iscm_id"].tolist())


@st.cache_resource(show_spinner=False, max_entries=32)
def default_pair(key: tuple, roles: tuple[str, ...], _ds: Dataset, _full: Dataset) -> tuple[str, str]:
    """The two ISCMs whose participants overlap most (Jaccard), as the comparison's first view."""
    _, jac = overlap_view(key, roles, _ds)
    b = basics(key, _ds, _full)
    by_label = dict(zip(_ds.iscms["short_name"], _ds.iscms["iscm_id"], strict=True))
    pairs = jac.where(~(jac.index.to_numpy()[:, None] == jac.columns.to_numpy()[None, :])).stack()
    if len(by_label) == len(jac) and not pairs.empty:
        best = pairs.idxmax()
        return by_label[best[0]], by_label[best[1]]
    return b.ids_by_name[0], b.ids_by_name[1]


@dataclass(frozen=True)
class PairView:
    counts: dict[str, int]  # both / only_a / only_b
    table: pd.DataFrame  # side by side, ready to show
    fig: go.Figure
    data: pd.DataFrame  # the map's CSV
    sources: list[str]


@st.cache_resource(show_spinner=False, max_entries=256)
def pair_view(key: tuple, a: str, b: str, roles: tuple[str, ...], subtitle: str, _ds: Dataset,
              _full: Dataset) -> PairView:
    names = basics(key, _ds, _full).names
    cmp = maps.pair_compare(_ds.memberships, a, b, roles=roles)
    counts = cmp["group"].value_counts()
    return PairView(
        counts={g: int(counts.get(g, 0)) for g in ("both", "only_a", "only_b")},
        table=maps.pair_table(cmp, names[a], names[b]),
        fig=freeze(maps.pair_map(cmp, names[a], names[b], subtitle=subtitle)),
        data=cmp.assign(iscm_a=a, iscm_b=b), sources=_ds.sources_for([a, b]),
    )


B = basics(KEY, ds, full)
names, country_names = B.names, B.country_names


# ------------------------------------------------------------------------------------------- clicks
def follow_click(event: object, key: str) -> None:
    """Open the clicked State in the country view (once per new click, so the selectbox stays usable).

    The URL gets the State and the whole page reruns (a click inside a section's fragment would otherwise
    redraw only that section, and the country view further down would not follow).
    """
    code = maps.selected_iso3(event)
    seen = f"_mb_clicked_{key}"
    if not code:
        st.session_state.pop(seen, None)
        return
    if st.session_state.get(seen) == code:
        return
    st.session_state[seen] = code
    if code in country_names and st.query_params.get("country") != code:
        st.query_params["country"] = code
        st.session_state["_mb_toast"] = f"Country view: {country_names[code]}"
        st.rerun()


def map_panel(fig, *, key: str, name: str, data, sources: list[str]) -> None:  # noqa: ANN001
    event = chart_panel(fig, key=key, name=name, data=data, sources=sources, data_date=full.data_date,
                        filters=flt, on_select="rerun", selection_mode="points")
    follow_click(event, key)


# ------------------------------------------------------------------------------------------- ISCM map
@st.fragment
def iscm_map_section() -> None:
    st.header("ISCM map", divider="gray")
    if flt.iscms:
        chosen = [i for i in flt.iscms if i in names]
        st.caption("The ISCMs chosen in the sidebar filter.")
    else:
        ids = B.ids_by_name
        one = st.selectbox("ISCM to map", ids, index=ids.index(B.default_iscm),
                           format_func=lambda i: names.get(i, i), key="mb_iscm",
                           help="To map several ISCMs together, choose them in the ISCM filter in the sidebar.")
        chosen = [one]
    zoom = st.toggle("Zoom to the region of the selection", value=True, key="mb_zoom")
    fig, data, sources = iscm_map_view(KEY, tuple(chosen), zoom, subtitle, ds)
    map_panel(fig, key="mb_iscm_map", name="membership-map", data=data, sources=sources)


# ------------------------------------------------------------------------------------------- density
@st.fragment
def density_section() -> None:
    st.header("Dialogue density", divider="gray")
    count_observers = st.toggle("Count observers too", value=True, key="mb_density_obs")
    roles = MEMBERS_AND_OBSERVERS if count_observers else ("member",)
    fig, data, sources = density_view(KEY, roles, subtitle, ds)
    map_panel(fig, key="mb_density", name="dialogue-density", data=data, sources=sources)


# ------------------------------------------------------------------------------------------- country view
def _country_changed() -> None:
    code = st.session_state["mb_country"]
    if code:
        st.query_params["country"] = code
    elif "country" in st.query_params:
        del st.query_params["country"]
    st.session_state["_mb_url_country"] = code or ""


@st.fragment
def country_section() -> None:
    st.header("Country view", divider="gray")
    url_code = (st.query_params.get("country") or "").upper()
    url_code = url_code if url_code in country_names else ""
    # The URL is the source of truth: re-seed the selectbox whenever the URL changed (link, map click).
    if st.session_state.get("_mb_url_country") != url_code or "mb_country" not in st.session_state:
        st.session_state["mb_country"] = url_code or None
        st.session_state["_mb_url_country"] = url_code
    code = st.selectbox("State or territory", B.countries, key="mb_country", index=None,
                        format_func=lambda c: f"{country_names[c]} ({c})", placeholder="Choose a State",
                        on_change=_country_changed)
    if not code:
        st.caption("Choose a State above, or click one on a map.")
        return
    cname = country_names[code]
    view = country_view(KEY, code, subtitle, ds, full)
    table = view.table
    if table.empty:
        st.info(f"{cname} takes part in none of the {len(ds.iscms)} ISCMs that pass the filters "
                f"({view.n_all} in the whole dataset).", icon=":material/info:")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("ISCMs", len(table), help="Under the current filters" if flt.active else None)
    c2.metric("As member", int((table["Role"] == "Member").sum()))
    c3.metric("As observer", int((table["Role"] == "Observer").sum()))
    if flt.active and view.n_all != len(table):
        st.caption(f"{view.n_all} ISCMs in the whole dataset; the filters hide {view.n_all - len(table)}.")
    st.dataframe(table.drop(columns=["iscm_id"]), hide_index=True, width="stretch", key="mb_country_table",
                 column_config={"Established": st.column_config.NumberColumn(format="%d")})
    map_panel(view.fellow, key="mb_fellow", name=f"fellow-members-{code.lower()}", data=view.fellow_data,
              sources=view.sources)
    if view.themes_fig is None:
        st.info(f"No themes recorded for the ISCMs of {cname}.")
    else:
        chart_panel(view.themes_fig, key="mb_country_themes", name=f"country-themes-{code.lower()}",
                    data=view.themes, sources=view.sources, data_date=full.data_date, filters=flt)


# ------------------------------------------------------------------------------------------- overlap
@st.fragment
def overlap_section() -> None:
    st.header("Overlap between ISCMs", divider="gray")
    if len(ds.iscms) < 2:
        st.info("The overlap needs at least two ISCMs; widen the filters.", icon=":material/info:")
        return
    c1, c2 = st.columns(2)
    metric = c1.radio("Measure", ["count", "jaccard"], horizontal=True, key="mb_overlap_metric",
                      format_func={"count": "Shared States", "jaccard": "Jaccard index (shared / all)"}.get)
    with_obs = c2.toggle("Count observers too", value=False, key="mb_overlap_obs")
    roles = MEMBERS_AND_OBSERVERS if with_obs else ("member",)
    heat, matrix, sources = overlap_chart(KEY, roles, metric, subtitle, ds)
    chart_panel(heat, key="mb_overlap", name=f"membership-overlap-{metric}", data=matrix, sources=sources,
                data_date=full.data_date, filters=flt)
    st.caption("Rows and columns are ordered by hierarchical clustering, so ISCMs with similar membership sit "
               "together.")

    st.subheader("Compare two ISCMs")
    default_a, default_b = default_pair(KEY, roles, ds, full)
    ids = B.ids_by_name
    c1, c2 = st.columns(2)
    a = c1.selectbox("First ISCM", ids, index=ids.index(default_a), format_func=lambda i: names.get(i, i),
                     key="mb_pair_a")
    b = c2.selectbox("Second ISCM", ids, index=ids.index(default_b), format_func=lambda i: names.get(i, i),
                     key="mb_pair_b")
    if a == b:
        st.info("Choose two different ISCMs.", icon=":material/info:")
        return
    view = pair_view(KEY, a, b, roles, subtitle, ds, full)
    m1, m2, m3 = st.columns(3)
    m1.metric("In both", view.counts["both"])
    m2.metric(f"Only {names[a]}", view.counts["only_a"])
    m3.metric(f"Only {names[b]}", view.counts["only_b"])
    st.dataframe(view.table, hide_index=True, width="stretch", key="mb_pair_table")
    map_panel(view.fig, key="mb_pair_map", name=f"pair-{a}-{b}", data=view.data, sources=view.sources)


iscm_map_section()
density_section()
country_section()
overlap_section()
download_all_button()
