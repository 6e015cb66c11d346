"""Membership: who takes part where. ISCM map, dialogue density, a country's own view, overlap of ISCMs.

A click on a country (shape or marker) on any map opens that State in the country view; the chosen State
is kept in the URL (`?country=DEU`) so a copied link reopens it.
"""

import streamlit as st

from components.chart_panel import chart_panel, download_all_button
from components.frame import frame
from iscm.figures import maps

ctx = frame("Membership", icon=":material/public:")
ds, full, flt = ctx.ds, ctx.full, ctx.filters
subtitle = flt.describe(full) if flt.active else ""
names = dict(zip(ds.iscms["iscm_id"], ds.iscms["short_name"], strict=True))
country_names = (full.memberships.drop_duplicates("iso3").set_index("iso3")["country"].to_dict())

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


def follow_click(event: object, key: str) -> None:
    """Open the clicked State in the country view (once per new click, so the selectbox stays usable)."""
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
        st.toast(f"Country view: {country_names[code]}", icon=":material/flag:")


def map_panel(fig, *, key: str, name: str, data, sources: list[str]) -> None:  # noqa: ANN001
    event = chart_panel(fig, key=key, name=name, data=data, sources=sources, data_date=full.data_date,
                        filters=flt, on_select="rerun", selection_mode="points")
    follow_click(event, key)


# ------------------------------------------------------------------------------------------- ISCM map
st.header("ISCM map", divider="gray")
ids_by_name = ds.iscms.sort_values("short_name")["iscm_id"].tolist()
if flt.iscms:
    chosen = [i for i in flt.iscms if i in names]
    st.caption("The ISCMs chosen in the sidebar filter.")
else:
    # Default: the largest regional consultative process (a regional map reads best as a first view).
    sizes = ds.memberships.groupby("iscm_id")["iso3"].nunique()
    rcps = sizes[sizes.index.isin(ds.iscms.loc[ds.iscms["type"] == "RCP", "iscm_id"])]
    pool = rcps if not rcps.empty else sizes
    default = pool.idxmax() if not pool.empty else ids_by_name[0]
    one = st.selectbox("ISCM to map", ids_by_name, index=ids_by_name.index(default),
                       format_func=lambda i: names.get(i, i), key="mb_iscm",
                       help="To map several ISCMs together, choose them in the ISCM filter in the sidebar.")
    chosen = [one]
zoom = st.toggle("Zoom to the region of the selection", value=True, key="mb_zoom")
fig = maps.iscm_map(ds.memberships, ds.iscms, chosen, zoom=zoom, subtitle=subtitle)
if len(chosen) == 1:
    data = ds.memberships[ds.memberships["iscm_id"] == chosen[0]].drop(columns=["iscm_id"])
else:
    data = maps.participation_table(ds.memberships, ds.iscms, chosen)
map_panel(fig, key="mb_iscm_map", name="membership-map", data=data, sources=ds.sources_for(chosen))

# ------------------------------------------------------------------------------------------- density
st.header("Dialogue density", divider="gray")
count_observers = st.toggle("Count observers too", value=True, key="mb_density_obs")
roles = ("member", "observer") if count_observers else ("member",)
map_panel(
    maps.density_map(ds.memberships, ds.iscms, roles=roles, subtitle=subtitle), key="mb_density",
    name="dialogue-density", data=maps.participation_table(ds.memberships, ds.iscms, roles=roles),
    sources=ds.sources_for(ds.iscms["iscm_id"]),
)

# ------------------------------------------------------------------------------------------- country view
st.header("Country view", divider="gray")
options = sorted(country_names, key=lambda c: country_names[c])
url_code = (st.query_params.get("country") or "").upper()
url_code = url_code if url_code in country_names else ""
# The URL is the source of truth: re-seed the selectbox whenever the URL changed (link, map click).
if st.session_state.get("_mb_url_country") != url_code or "mb_country" not in st.session_state:
    st.session_state["mb_country"] = url_code or None
    st.session_state["_mb_url_country"] = url_code


def _country_changed() -> None:
    code = st.session_state["mb_country"]
    if code:
        st.query_params["country"] = code
    elif "country" in st.query_params:
        del st.query_params["country"]
    st.session_state["_mb_url_country"] = code or ""


code = st.selectbox("State or territory", options, key="mb_country", index=None,
                    format_func=lambda c: f"{country_names[c]} ({c})", placeholder="Choose a State",
                    on_change=_country_changed)
if not code:
    st.caption("Choose a State above, or click one on a map.")
else:
    cname = country_names[code]
    table = maps.country_iscms(ds.memberships, ds.iscms, ds.iscm_themes, ds.themes, code)
    n_all = full.memberships.loc[full.memberships["iso3"] == code, "iscm_id"].nunique()
    if table.empty:
        st.info(f"{cname} takes part in none of the {len(ds.iscms)} ISCMs that pass the filters "
                f"({n_all} in the whole dataset).", icon=":material/info:")
    else:
        c1, c2, c3 = st.columns(3)
        c1.metric("ISCMs", len(table), help="Under the current filters" if flt.active else None)
        c2.metric("As member", int((table["Role"] == "Member").sum()))
        c3.metric("As observer", int((table["Role"] == "Observer").sum()))
        if flt.active and n_all != len(table):
            st.caption(f"{n_all} ISCMs in the whole dataset; the filters hide {n_all - len(table)}.")
        st.dataframe(table.drop(columns=["iscm_id"]), hide_index=True, width="stretch", key="mb_country_table",
                     column_config={"Established": st.column_config.NumberColumn(format="%d")})
        mine = table["iscm_id"].tolist()
        map_panel(
            maps.fellow_members_map(ds.memberships, ds.iscms, code, subtitle=subtitle), key="mb_fellow",
            name=f"fellow-members-{code.lower()}",
            data=maps.fellow_members_table(ds.memberships, ds.iscms, code), sources=ds.sources_for(mine),
        )
        themes = maps.country_themes(ds.memberships, ds.iscms, ds.iscm_themes, ds.themes, code)
        if themes.empty:
            st.info(f"No themes recorded for the ISCMs of {cname}.")
        else:
            chart_panel(
                maps.country_themes_figure(themes, cname, subtitle=subtitle), key="mb_country_themes",
                name=f"country-themes-{code.lower()}", data=themes, sources=ds.sources_for(mine),
                data_date=full.data_date, filters=flt,
            )

# ------------------------------------------------------------------------------------------- overlap
st.header("Overlap between ISCMs", divider="gray")
if len(ds.iscms) < 2:
    st.info("The overlap needs at least two ISCMs; widen the filters.", icon=":material/info:")
    st.stop()
c1, c2 = st.columns(2)
metric = c1.radio("Measure", ["count", "jaccard"], horizontal=True, key="mb_overlap_metric",
                  format_func={"count": "Shared States", "jaccard": "Jaccard index (shared / all)"}.get)
with_obs = c2.toggle("Count observers too", value=False, key="mb_overlap_obs")
overlap_roles = ("member", "observer") if with_obs else ("member",)
all_ids = ds.iscms["iscm_id"].tolist()
matrix, heat = maps.overlap_matrix(ds.memberships, all_ids, metric, iscms=ds.iscms, roles=overlap_roles,
                                   subtitle=subtitle)
chart_panel(heat, key="mb_overlap", name=f"membership-overlap-{metric}", data=matrix.reset_index(),
            sources=ds.sources_for(all_ids), data_date=full.data_date, filters=flt)
st.caption("Rows and columns are ordered by hierarchical clustering, so ISCMs with similar membership sit "
           "together.")

st.subheader("Compare two ISCMs")
jac, _ = maps.overlap_matrix(ds.memberships, all_ids, "jaccard", iscms=ds.iscms, roles=overlap_roles)
by_label = dict(zip(ds.iscms["short_name"], ds.iscms["iscm_id"], strict=True))
pairs = jac.where(~(jac.index.to_numpy()[:, None] == jac.columns.to_numpy()[None, :])).stack()
if len(by_label) == len(jac) and not pairs.empty:
    best = pairs.idxmax()
    default_a, default_b = by_label[best[0]], by_label[best[1]]
else:
    default_a, default_b = ids_by_name[0], ids_by_name[1]
c1, c2 = st.columns(2)
a = c1.selectbox("First ISCM", ids_by_name, index=ids_by_name.index(default_a),
                 format_func=lambda i: names.get(i, i), key="mb_pair_a")
b = c2.selectbox("Second ISCM", ids_by_name, index=ids_by_name.index(default_b),
                 format_func=lambda i: names.get(i, i), key="mb_pair_b")
if a == b:
    st.info("Choose two different ISCMs.", icon=":material/info:")
else:
    cmp = maps.pair_compare(ds.memberships, a, b, roles=overlap_roles)
    counts = cmp["group"].value_counts()
    m1, m2, m3 = st.columns(3)
    m1.metric("In both", int(counts.get("both", 0)))
    m2.metric(f"Only {names[a]}", int(counts.get("only_a", 0)))
    m3.metric(f"Only {names[b]}", int(counts.get("only_b", 0)))
    st.dataframe(maps.pair_table(cmp, names[a], names[b]), hide_index=True, width="stretch", key="mb_pair_table")
    map_panel(maps.pair_map(cmp, names[a], names[b], subtitle=subtitle), key="mb_pair_map",
              name=f"pair-{a}-{b}", data=cmp.assign(iscm_a=a, iscm_b=b), sources=ds.sources_for([a, b]))

download_all_button()
